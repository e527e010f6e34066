/* eslint-disable @n8n/community-nodes/no-dangerous-functions, @n8n/community-nodes/no-restricted-globals, @n8n/community-nodes/no-restricted-imports, no-console -- a developer tool, never shipped: child processes, Node globals and modules, console output are fine here */
/**
 * Several processes on one ActiveCampaign account, as n8n's queue mode runs them: each child
 * process runs our node through n8n-core (its own pacer: processes share nothing) against the
 * same emulator. `runProcesses` starts them together and reports the account's accepted rate and
 * its 429s over the whole run. A child is `node processes.js --child <json>`.
 */
import '../../test/setup-env';

import { spawn } from 'node:child_process';
import { cpus, loadavg } from 'node:os';

import type { IDataObject } from 'n8n-workflow';

import type { Emulator } from '../../test/emulator/server';
import { shutdownEngine } from '../../test/harness/n8n';
import { runNode } from '../../test/nodes/workflow';

export interface ChildJob {
	/** `read`: Get Many, Return All; `upsert`: Create or Update per item. */
	kind: 'read' | 'upsert';
	items: number;
	prefix: string;
	/** The ActiveCampaign key this process uses (the same account): lets the emulator tell processes apart. */
	apiKey?: string;
}

export interface ProcessesResult {
	seconds: number;
	/** Requests the account accepted (not 429) per second, over the limit. */
	rateShare: number;
	/** Share of all ActiveCampaign requests answered 429. */
	share429: number;
	requests: number;
	rejected429: number;
	/** Requests the account accepted, and the seconds from the first request to the last: rateShare's terms, so runs can be pooled. */
	accepted: number;
	busySeconds: number;
	failures: string[];
	/** The machine's 1-minute load average at the start and at the end, and its cores: the figures depend on it. */
	load: { before: number; after: number; cores: number };
}

/** `load 1.9 -> 3.2 on 2 cores`. */
export function describeLoad(load: ProcessesResult['load']): string {
	return `load ${load.before.toFixed(1)} -> ${load.after.toFixed(1)} on ${load.cores} cores`;
}

/** Runs `jobs` in one child process each, all at once, against `emulator` (ActiveCampaign only). */
export async function runProcesses(emulator: Emulator, jobs: ChildJob[], ratePerSecond = 5): Promise<ProcessesResult> {
	emulator.resetCounts();
	const loadBefore = loadavg()[0];
	const started = Date.now();
	const failures: string[] = [];
	await Promise.all(
		jobs.map(
			(job) =>
				new Promise<void>((resolve) => {
					const child = spawn(process.execPath, [__filename, '--child', JSON.stringify({ ...job, url: emulator.url, mcBaseUrl: emulator.mcBaseUrl })], { stdio: ['ignore', 'pipe', 'pipe'] });
					let out = '';
					child.stdout.on('data', (d: Buffer) => (out += d.toString()));
					child.stderr.on('data', (d: Buffer) => (out += d.toString()));
					child.on('exit', (code) => {
						if (code !== 0) failures.push(`${job.kind} ${job.prefix}: exit ${code}: ${out.slice(-500)}`);
						resolve();
					});
				}),
		),
	);
	const seconds = (Date.now() - started) / 1000;
	const ac = emulator.log.filter((l) => l.path.startsWith('/api/3/'));
	const accepted = ac.filter((l) => l.status !== 429).length;
	const first = Math.min(...ac.map((l) => l.at));
	const last = Math.max(...ac.map((l) => l.at));
	// The account's rate over the time requests were being made (start-up of the children excluded).
	const busySeconds = Math.max(1, (last - first) / 1000);
	return {
		seconds,
		rateShare: accepted / busySeconds / ratePerSecond,
		share429: emulator.rejected429.ac / Math.max(1, ac.length),
		requests: ac.length,
		rejected429: emulator.rejected429.ac,
		accepted,
		busySeconds,
		failures,
		load: { before: loadBefore, after: loadavg()[0], cores: cpus().length },
	};
}

async function child(job: ChildJob & { url: string; mcBaseUrl: string }): Promise<number> {
	const emulator = { url: job.url, mcBaseUrl: job.mcBaseUrl } as Emulator;
	const options = job.apiKey ? { apiKey: job.apiKey } : {};
	const people = Array.from({ length: job.items }, (_, i) => ({ email: `${job.prefix}${i}@example.com`, first: `F${i}` }));
	const run =
		job.kind === 'read'
			? await runNode(emulator, 'activeCampaign', { resource: 'contact', operation: 'getAll', returnAll: true } as never, undefined, options)
			: await runNode(emulator, 'activeCampaign', { resource: 'contact', operation: 'upsert', email: '={{ $json.email }}', additionalFields: { firstName: '={{ $json.first }}' } } as never, people as IDataObject[], options);
	shutdownEngine();
	if (run.error) {
		console.error(run.error.message);
		return 1;
	}
	return 0;
}

if (require.main === module && process.argv[2] === '--child') {
	child(JSON.parse(process.argv[3]) as ChildJob & { url: string; mcBaseUrl: string }).then(
		(code) => process.exit(code),
		(error: unknown) => {
			console.error(error);
			process.exit(1);
		},
	);
}
