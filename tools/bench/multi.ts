/* eslint-disable @n8n/community-nodes/no-restricted-globals, no-console -- a developer tool, never shipped: Node globals, console output are fine here */
/** `node .build/tools/bench/multi.js`: only the 3-process scenario of the benchmark (for tuning the pacer). */
import '../../test/setup-env';

import { startEmulator } from '../../test/emulator/server';
import { runProcesses } from './processes';

async function main(): Promise<void> {
	const emulator = await startEmulator({ latencyMs: Number(process.env.BENCH_LATENCY_MS ?? 80) });
	for (let i = 0; i < Number(process.env.MULTI_SEED ?? 10_000); i++) emulator.ac.addContact({ email: `seed${i}@example.com` });
	for (const [name, jobs] of [
		['3 processes, each reading 10,000 contacts', [0, 1, 2].map((i) => ({ kind: 'read' as const, items: 0, prefix: `r${i}` }))],
		['3 processes, each upserting 200 contacts one by one', [0, 1, 2].map((i) => ({ kind: 'upsert' as const, items: Number(process.env.MULTI_UPSERTS ?? 200), prefix: `u${i}` }))],
	] as const) {
		const r = await runProcesses(emulator, [...jobs]);
		console.log(`${name}: ${r.seconds.toFixed(1)} s, ${r.requests} requests, ${(r.rateShare * 100).toFixed(1)} % of the account's rate, ${(r.share429 * 100).toFixed(1)} % answered 429${r.failures.length ? `; FAILED: ${r.failures.join('; ')}` : ''}`);
	}
	await emulator.stop();
}

void main();
