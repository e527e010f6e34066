/* eslint-disable @n8n/community-nodes/no-restricted-globals, no-console -- a developer tool, never shipped: Node globals and modules, console output are fine here */
/**
 * `node .build/tools/bench/acShares.js [runs] [read|upsert]`: the bench's 3-process ActiveCampaign
 * scenario alone, repeated, with what each process got of the account in every 10-second round
 * (the pacers' rounds start at the same wall-clock times): accepted requests and 429s per process,
 * and the machine's load beside each run. Each process uses its own key of the one account, so
 * the emulator can tell them apart (the account's limit is shared by all keys, as on ActiveCampaign).
 */
import '../../test/setup-env';

import { AC_TEST_KEY, startEmulator } from '../../test/emulator/server';
import { type ChildJob, describeLoad, runProcesses } from './processes';

const LATENCY_MS = Number(process.env.BENCH_LATENCY_MS ?? 80);
const ROUND_MS = 10_000;

async function main(): Promise<void> {
	const runs = Number(process.argv[2] ?? 3);
	const kind = (process.argv[3] ?? 'read') as ChildJob['kind'];
	const keys = [0, 1, 2].map((i) => `${AC_TEST_KEY}-p${i}`);
	for (let run = 1; run <= runs; run++) {
		const emulator = await startEmulator({ latencyMs: LATENCY_MS, acKeys: [AC_TEST_KEY, ...keys] });
		if (kind === 'read') for (let i = 0; i < 10_000; i++) emulator.ac.addContact({ email: `seed${i}@example.com` });
		const seen: Array<{ at: number; p: number; status: number }> = [];
		emulator.onRequest = (req, res) => {
			const at = Date.now();
			const p = keys.indexOf(String(req.headers['api-token']));
			res.on('finish', () => seen.push({ at, p, status: res.statusCode }));
		};
		const r = await runProcesses(
			emulator,
			keys.map((apiKey, i) => ({ kind, items: kind === 'read' ? 0 : 200, prefix: `u${i}`, apiKey })),
		);
		await emulator.stop();
		seen.sort((a, b) => a.at - b.at);
		const first = seen[0].at;
		const rounds = new Map<number, { ok: number[]; refused: number[] }>();
		for (const s of seen) {
			const round = Math.floor(s.at / ROUND_MS);
			const row = rounds.get(round) ?? { ok: [0, 0, 0], refused: [0, 0, 0] };
			if (s.status === 429) row.refused[s.p]++;
			else row.ok[s.p]++;
			rounds.set(round, row);
		}
		console.log(`\nrun ${run}: ${kind}, ${(r.rateShare * 100).toFixed(1)} % of the rate, ${(r.share429 * 100).toFixed(1)} % 429s (${r.rejected429} of ${r.requests}), ${r.seconds.toFixed(1)} s; ${describeLoad(r.load)}${r.failures.length ? `; FAILED ${r.failures.join('; ')}` : ''}`);
		for (const [round, row] of [...rounds].sort((a, b) => a[0] - b[0])) {
			const from = Math.max(round * ROUND_MS, first);
			const to = Math.min((round + 1) * ROUND_MS, seen[seen.length - 1].at);
			const secs = Math.max(0.001, (to - from) / 1000);
			const total = row.ok.reduce((a, b) => a + b, 0);
			console.log(
				`  +${((from - first) / 1000).toFixed(1).padStart(5)} s (${secs.toFixed(1)} s): ${row.ok.map((n, i) => `p${i} ${String(n).padStart(3)}/${row.refused[i]}`).join('  ')}  = ${(total / secs).toFixed(2)}/s`,
			);
		}
		if (process.env.AC_SHARES_TRACE) {
			// Every request of two middle rounds (AC_SHARES_TRACE=start: the first two): ms into the round, process, status.
			const from = process.env.AC_SHARES_TRACE === 'start' ? 0 : 2;
			const mid = [...rounds.keys()].sort((a, b) => a - b).slice(from, from + 2);
			for (const s of seen.filter((x) => mid.includes(Math.floor(x.at / ROUND_MS))))
				console.log(`    ${String(s.at % ROUND_MS).padStart(5)} p${s.p}${s.status === 429 ? ' 429' : ''}`);
		}
		// When each process sent its first request (a process seconds ahead of the others is where single runs miss) and its last.
		const firstOf = [0, 1, 2].map((p) => Math.min(...seen.filter((s) => s.p === p).map((s) => s.at)) - first);
		const last = [0, 1, 2].map((p) => Math.max(...seen.filter((s) => s.p === p).map((s) => s.at)) - first);
		console.log(`  first request per process: ${firstOf.map((ms) => (ms / 1000).toFixed(1)).join(', ')} s; last: ${last.map((ms) => (ms / 1000).toFixed(1)).join(', ')} s`);
	}
}

main().then(
	() => process.exit(0),
	(error: unknown) => {
		console.error(error);
		process.exit(1);
	},
);
