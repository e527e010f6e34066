/* eslint-disable @n8n/community-nodes/no-dangerous-functions, @n8n/community-nodes/no-restricted-globals, @n8n/community-nodes/no-restricted-imports -- a developer tool, never shipped: Node globals and modules are fine here */
/**
 * `npm run bench -- --n8n`: the bulk scenarios in a real n8n (the runtime `npm start` installs,
 * RUNTIME_ROOT/<version>, N8N_RUNTIME_DIR), run with `n8n execute` as a scheduled workflow runs:
 * a Manual Trigger, a Code node that makes the input items, and our node. The node's own time
 * comes from n8n's run data (`executionTime`), so n8n's start-up is not counted.
 *
 * The package is packed and installed into a user folder of its own (bench-user), so the runtime
 * `npm start` uses is left as it is. Set BENCH_CPU_PROFILE=<folder> to write a V8 CPU profile of
 * each `n8n execute` there (what costs per item in n8n; see tools/bench/profile.ts).
 */
import { spawn } from 'node:child_process';
import { closeSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';

import { AC_TEST_KEY, type Emulator, MC_TEST_KEY } from '../../test/emulator/server';
import { parseRawOutput } from '../check-workflow';
import { ensureN8n, freshUserFolder, installPackage, n8nCommand, n8nEnv, type Runtime, runtimeFor } from '../start';

const CREDENTIALS = { activeCampaign: 'audsync-bench-ac', mailchimp: 'audsync-bench-mc' };
const AC_TYPE = 'n8n-nodes-audience-sync.activeCampaignSync';
const MC_TYPE = 'n8n-nodes-audience-sync.mailchimpSync';

export interface N8nScenario {
	id: string;
	name: string;
	items: number;
	/** Email prefix of the generated items (`${prefix}${i}@example.com`). */
	prefix: string;
	node: 'activeCampaign' | 'mailchimp';
	parameters: Record<string, unknown>;
}

export interface N8nResult {
	scenario: N8nScenario;
	/** The node's executionTime in n8n's run data (seconds). */
	nodeSeconds: number;
	/** The whole `n8n execute` command (start-up included). */
	commandSeconds: number;
	requests: number;
	rejected429: number;
	statuses: Record<string, number>;
	/** The emulator's log of this run (a copy: the n8n-core run after it resets the emulator's). */
	log: Emulator['log'];
	error?: string;
}

/** Scenario id → workflow: Manual Trigger → Code (the items) → our node. */
function workflow(s: N8nScenario) {
	const code = `const out = [];\nfor (let i = 0; i < ${s.items}; i++) out.push({ json: { email: '${s.prefix}' + i + '@example.com', first: 'F' + i, last: 'L' + i } });\nreturn out;`;
	return {
		id: s.id,
		name: `bench: ${s.name}`,
		active: false,
		settings: { executionOrder: 'v1' },
		pinData: {},
		nodes: [
			{ id: 'b0', name: 'Start', type: 'n8n-nodes-base.manualTrigger', typeVersion: 1, position: [0, 0], parameters: {} },
			{ id: 'b1', name: 'Items', type: 'n8n-nodes-base.code', typeVersion: 2, position: [220, 0], parameters: { jsCode: code } },
			{
				id: 'b2',
				name: 'Node',
				type: s.node === 'activeCampaign' ? AC_TYPE : MC_TYPE,
				typeVersion: 1,
				position: [440, 0],
				parameters: s.parameters,
				credentials:
					s.node === 'activeCampaign'
						? { activeCampaignSyncApi: { id: CREDENTIALS.activeCampaign, name: 'ActiveCampaign bench' } }
						: { mailchimpSyncApi: { id: CREDENTIALS.mailchimp, name: 'Mailchimp bench' } },
			},
		],
		connections: {
			Start: { main: [[{ node: 'Items', type: 'main', index: 0 }]] },
			Items: { main: [[{ node: 'Node', type: 'main', index: 0 }]] },
		},
	};
}

/** Installs the package into a bench user folder and imports the credentials and the scenarios' workflows. */
export function prepareN8n(emulator: Emulator, scenarios: N8nScenario[], port: number): Runtime {
	const runtime = freshUserFolder(runtimeFor(), 'bench-user');
	ensureN8n(runtime);
	installPackage(runtime);
	const dir = path.join(runtime.userFolder, 'import');
	mkdirSync(path.join(dir, 'workflows'), { recursive: true });
	const credentials = path.join(dir, 'credentials.json');
	writeFileSync(
		credentials,
		JSON.stringify([
			{ id: CREDENTIALS.activeCampaign, name: 'ActiveCampaign bench', type: 'activeCampaignSyncApi', data: { apiUrl: emulator.url, apiKey: AC_TEST_KEY } },
			{ id: CREDENTIALS.mailchimp, name: 'Mailchimp bench', type: 'mailchimpSyncApi', data: { apiKey: MC_TEST_KEY, useCustomBaseUrl: true, baseUrl: emulator.mcBaseUrl } },
		]),
		{ mode: 0o600 },
	);
	try {
		n8nCommand(runtime, ['import:credentials', `--input=${credentials}`], port);
	} finally {
		rmSync(credentials, { force: true });
	}
	for (const s of scenarios) writeFileSync(path.join(dir, 'workflows', `${s.id}.json`), JSON.stringify(workflow(s)));
	n8nCommand(runtime, ['import:workflow', '--separate', `--input=${path.join(dir, 'workflows')}`], port);
	return runtime;
}

/**
 * A command's standard output (its log lines on standard error stay out of the run data); rejects
 * on a non-zero exit. The output goes to a file, not a pipe: n8n exits as soon as it has written
 * the run data, and a pipe would lose what was not flushed yet (megabytes for 10,000 items).
 */
function stdoutOf(command: string, args: string[], cwd: string, env: NodeJS.ProcessEnv): Promise<string> {
	const file = path.join(cwd, `bench-output-${process.pid}.json`);
	const fd = openSync(file, 'w');
	return new Promise<string>((resolve, reject) => {
		const child = spawn(command, args, { cwd, env, stdio: ['ignore', fd, 'pipe'] });
		let err = '';
		child.stderr?.on('data', (d: Buffer) => (err = (err + d.toString()).slice(-4000)));
		child.on('error', reject);
		child.on('exit', (code) => (code === 0 ? resolve(readFileSync(file, 'utf8')) : reject(new Error(`${command} ${args.join(' ')} failed (exit ${code}):\n${err}`))));
	}).finally(() => {
		closeSync(fd);
		rmSync(file, { force: true });
	});
}

/** Runs one scenario with `n8n execute`; the emulator's counts are reset first. */
export async function runInN8n(runtime: Runtime, emulator: Emulator, scenario: N8nScenario, port: number): Promise<N8nResult> {
	emulator.resetCounts();
	const profile = process.env.BENCH_CPU_PROFILE;
	const args = [...(profile ? ['--cpu-prof', `--cpu-prof-dir=${path.resolve(profile)}`, `--cpu-prof-name=${scenario.id}.cpuprofile`] : []), runtime.n8nScript];
	const started = process.hrtime.bigint();
	let output: string;
	try {
		output = await stdoutOf(runtime.node, [...args, 'execute', `--id=${scenario.id}`, '--rawOutput'], runtime.dir, {
			...n8nEnv(runtime, port),
			// Its own task broker port: another n8n on the machine may hold the default 5679.
			N8N_RUNNERS_BROKER_PORT: process.env.N8N_RUNNERS_BROKER_PORT ?? String(port + 100),
		});
	} catch (error) {
		return { scenario, nodeSeconds: Number.NaN, commandSeconds: Number.NaN, requests: emulator.log.length, rejected429: 0, statuses: {}, log: [...emulator.log], error: (error as Error).message.slice(-1000) };
	}
	const commandSeconds = Number(process.hrtime.bigint() - started) / 1e9;
	const run = parseRawOutput(output) as unknown as {
		data: { resultData: { error?: { message?: string }; runData: Record<string, Array<{ executionTime?: number; error?: { message?: string }; data?: { main?: Array<Array<{ json: Record<string, unknown> }> | null> } }>> } };
	};
	const task = run.data.resultData.runData.Node?.[0];
	const statuses: Record<string, number> = {};
	for (const item of task?.data?.main?.[0] ?? []) statuses[String(item.json.status)] = (statuses[String(item.json.status)] ?? 0) + 1;
	return {
		scenario,
		nodeSeconds: (task?.executionTime ?? Number.NaN) / 1000,
		commandSeconds,
		requests: emulator.log.length,
		rejected429: emulator.rejected429.ac + emulator.rejected429.mc,
		statuses,
		log: [...emulator.log],
		error: run.data.resultData.error?.message ?? task?.error?.message,
	};
}
