/* eslint-disable @n8n/community-nodes/no-restricted-globals, @n8n/community-nodes/no-dangerous-functions, @n8n/community-nodes/no-restricted-imports -- a developer tool, never shipped: Node globals, a child process, Node modules are fine here */
/**
 * The Audience Sync benchmark (tools/bench/audienceSync.ts) in a plain Node process of its own, for
 * the soak (`npm run test:soak`). Jest runs the soak in a process that also holds Jest itself and
 * ts-jest's TypeScript compiler: about 250 to 350 MB that survives every full collection (measured
 * with --trace-gc at 300,000 × 300,000), which a real n8n does not hold. Run here, the process
 * measured holds what `npm run bench` measures and n8n holds: n8n's engine, the node and its records
 * (the emulators are in processes of their own, as before). Needs `npm run tools` (test:soak runs it).
 */
import '../../test/setup-env';

import { fork } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';

import { PACKAGE_DIR, shutdownEngine } from '../../test/harness/n8n';
import { benchAudienceSync, type SyncBenchOptions, type SyncBenchResult } from './audienceSync';

const SCRIPT = path.join(PACKAGE_DIR, '.build', 'tools', 'bench', 'syncProcess.js');

type FromChild = { type: 'line'; line: string } | { type: 'result'; result: SyncBenchResult } | { type: 'error'; message: string };

/** Runs benchAudienceSync in a child process (`node --expose-gc`), its lines printed as they come. */
export function benchAudienceSyncApart(options: Omit<SyncBenchOptions, 'print'>, print: (line: string) => void): Promise<SyncBenchResult> {
	if (!existsSync(SCRIPT)) throw new Error(`${SCRIPT} is missing: run \`npm run tools\` first`);
	const child = fork(SCRIPT, [], { execArgv: ['--expose-gc'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
	return new Promise((resolve, reject) => {
		let result: SyncBenchResult | undefined;
		child.on('message', (message: FromChild) => {
			if (message.type === 'line') print(message.line);
			else if (message.type === 'result') result = message.result;
			else reject(new Error(message.message));
		});
		child.on('exit', (code) => (result ? resolve(result) : reject(new Error(`the benchmark's process exited (${code}) without a result`))));
		child.send(options);
	});
}

if (require.main === module) {
	process.once('message', (options: SyncBenchOptions) => {
		const send = (message: FromChild) => new Promise<void>((resolve) => process.send!(message, () => resolve()));
		const lines: Array<Promise<void>> = [];
		benchAudienceSync({ ...options, print: (line) => void lines.push(send({ type: 'line', line })) })
			.then(async (result) => {
				await Promise.all(lines);
				await send({ type: 'result', result });
			})
			.catch((error: Error) => send({ type: 'error', message: error.stack ?? error.message }))
			.finally(() => {
				shutdownEngine();
				process.exit(0);
			});
	});
}
