/* eslint-disable @n8n/community-nodes/no-dangerous-functions, @n8n/community-nodes/no-restricted-globals, @n8n/community-nodes/no-restricted-imports, no-console -- a developer tool, never shipped: child processes, Node globals, Node modules, plain errors, console output are fine here */
/**
 * `npm run test:queue`: this package in n8n's queue mode, as a self-hosted operator runs it: a main
 * instance, Redis, Postgres and 3 workers (`n8n worker --concurrency=2`), all against one emulated
 * ActiveCampaign account and one Mailchimp key. Executions are enqueued through the main instance
 * (webhook triggers), so they run on the workers, each worker with its own pacer for the account.
 *
 * - ActiveCampaign: 6 concurrent executions, each reading 2,000 contacts (Get Many, Return All)
 *   and upserting 200 contacts one by one (Create or Update).
 * - Mailchimp: 6 concurrent executions, each upserting 500 members one by one (Create or Update).
 *
 * It asserts that every execution succeeds, that the emulator then holds exactly the inputs, that
 * ActiveCampaign's combined rate is at least 85% of its 5 requests/s over the run, and that 429s
 * are at most 5% of the requests (issue 18); it prints a table per worker, and stops everything it started,
 * by PID.
 *
 * Redis and Postgres come from the Debian packages (`apt-get install -y redis-server postgresql`,
 * on first use) and run on loopback on non-default ports, with their data in a temporary folder.
 * n8n is the one `npm start` installs (RUNTIME_ROOT/<version>): N8N_VERSION picks one; otherwise
 * the default version if installed, else any installed one, else the default is installed.
 * Ports: QUEUE_PORT (default 5710) and the next 12.
 */
import '../test/setup-env';

import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import type { Socket } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { subscriberHash } from '../test/emulator/mailchimp';
import { AC_TEST_KEY, type Emulator, MC_TEST_KEY, startEmulator } from '../test/emulator/server';
import { DEFAULT_N8N_VERSION, ensureN8n, installPackage, n8nCommand, n8nEnv, RUNTIME_ROOT, type Runtime, runtimeFor, startN8n, type RunningN8n } from './start';

const BASE_PORT = Number(process.env.QUEUE_PORT ?? 5710);
const PORTS = {
	main: BASE_PORT,
	emulator: BASE_PORT + 1,
	redis: BASE_PORT + 2,
	postgres: BASE_PORT + 3,
	/** Per process: n8n's task broker and health check would otherwise all take 5679 / 5678. */
	broker: (i: number) => BASE_PORT + 4 + i * 2,
	health: (i: number) => BASE_PORT + 5 + i * 2,
};
const WORKERS = 3;
const WORKER_CONCURRENCY = 2;
const AC = { executions: 6, read: 2000, upserts: 200 };
const MC = { executions: 6, upserts: 500 };
const AUDIENCE = 'queueaud01';
const AC_RATE = 5;
const TARGET = { acRateShare: 0.85, max429Share: 0.05 };
const CREDENTIALS = { activeCampaign: 'audsync-queue-ac', mailchimp: 'audsync-queue-mc' };
const WORKFLOW_IDS = { activeCampaign: 'audsyncQueueAc01', mailchimp: 'audsyncQueueMc01' };

/** Everything started here, stopped in reverse order by PID. */
const stops: Array<{ what: string; stop: () => Promise<void> }> = [];

function log(message: string): void {
	console.log(`[queue ${new Date().toISOString().slice(11, 19)}] ${message}`);
}

function which(command: string): string | undefined {
	const found = spawnSync('sh', ['-c', `command -v ${command}`], { encoding: 'utf8' });
	return found.status === 0 ? found.stdout.trim() : undefined;
}

/** The newest installed PostgreSQL server's bin folder (Debian keeps them in /usr/lib/postgresql/<major>/bin). */
function postgresBin(): string | undefined {
	const root = '/usr/lib/postgresql';
	if (!existsSync(root)) return undefined;
	const majors = readdirSync(root).filter((v) => existsSync(path.join(root, v, 'bin', 'postgres'))).sort((a, b) => Number(b) - Number(a));
	return majors.length ? path.join(root, majors[0], 'bin') : undefined;
}

/** Redis and PostgreSQL from the Debian packages, installed on first use. */
function ensureServices(): { redis: string; pg: string } {
	let redis = which('redis-server');
	let pg = postgresBin();
	if (redis && pg) return { redis, pg };
	const sudo = process.getuid?.() === 0 ? [] : ['sudo'];
	const apt = (args: string[]) => {
		const [cmd, ...rest] = [...sudo, 'apt-get', ...args];
		const result = spawnSync(cmd, rest, { stdio: 'inherit', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
		if (result.status !== 0) throw new Error(`${[cmd, ...rest].join(' ')} failed (exit ${result.status})`);
	};
	log('Installing Redis and PostgreSQL from the Debian packages (first use only)...');
	apt(['update']);
	apt(['install', '-y', 'redis-server', 'postgresql']);
	redis = which('redis-server');
	pg = postgresBin();
	if (!redis || !pg) throw new Error('redis-server or PostgreSQL is still missing after apt-get install');
	return { redis, pg };
}

async function waitFor(what: string, ok: () => boolean | Promise<boolean>, ms: number, child?: ChildProcess, output?: string[]): Promise<void> {
	const deadline = Date.now() + ms;
	for (;;) {
		if (await ok()) return;
		if (child && child.exitCode !== null) throw new Error(`${what}: the process exited (${child.exitCode}):\n${(output ?? []).join('').slice(-2000)}`);
		if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}:\n${(output ?? []).join('').slice(-2000)}`);
		await new Promise((r) => setTimeout(r, 250));
	}
}

function isAlive(pid: number): boolean {
	try {
		process.kill(pid, 0);
		return true;
	} catch {
		return false;
	}
}

/** SIGTERM (or `signal`), then SIGKILL after `graceMs`; resolves when the PID is gone. */
async function stopPid(pid: number, signal: NodeJS.Signals = 'SIGTERM', graceMs = 15_000): Promise<void> {
	if (!isAlive(pid)) return;
	process.kill(pid, signal);
	const deadline = Date.now() + graceMs;
	while (isAlive(pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
	if (isAlive(pid)) process.kill(pid, 'SIGKILL');
	while (isAlive(pid)) await new Promise((r) => setTimeout(r, 50));
}

function spawnLogged(command: string, args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): { child: ChildProcess; output: string[] } {
	const output: string[] = [];
	const child = spawn(command, args, { ...options, stdio: ['ignore', 'pipe', 'pipe'] });
	child.stdout!.on('data', (d: Buffer) => output.push(d.toString()));
	child.stderr!.on('data', (d: Buffer) => output.push(d.toString()));
	// A zombie would look alive to kill(pid, 0): reap it.
	child.on('exit', () => undefined);
	return { child, output };
}

async function startRedis(bin: string, dir: string): Promise<void> {
	const { child, output } = spawnLogged(bin, ['--port', String(PORTS.redis), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir, '--daemonize', 'no']);
	stops.push({ what: `redis-server (PID ${child.pid})`, stop: () => stopPid(child.pid!) });
	await waitFor('Redis to accept connections', () => output.join('').includes('Ready to accept connections'), 30_000, child, output);
	log(`Redis on 127.0.0.1:${PORTS.redis} (PID ${child.pid})`);
}

/** A throwaway PostgreSQL cluster (as the postgres user when we are root: it refuses to run as root). */
async function startPostgres(bin: string, dir: string): Promise<void> {
	const asRoot = process.getuid?.() === 0;
	const data = path.join(dir, 'pg');
	mkdirSync(data, { recursive: true });
	if (asRoot) {
		const pgUser = spawnSync('id', ['-u', 'postgres'], { encoding: 'utf8' });
		const pgGroup = spawnSync('id', ['-g', 'postgres'], { encoding: 'utf8' });
		if (pgUser.status !== 0) throw new Error('No postgres user: is the postgresql package installed?');
		chmodSync(dir, 0o755);
		chownSync(data, Number(pgUser.stdout), Number(pgGroup.stdout));
	}
	const as = (command: string, args: string[]) => (asRoot ? ['runuser', ['-u', 'postgres', '--', command, ...args]] : [command, args]) as [string, string[]];
	const [initCmd, initArgs] = as(path.join(bin, 'initdb'), ['-D', data, '-U', 'n8n', '--auth=trust', '-E', 'UTF8', '--no-sync']);
	const init = spawnSync(initCmd, initArgs, { encoding: 'utf8' });
	if (init.status !== 0) throw new Error(`initdb failed:\n${init.stderr}`);
	const [cmd, args] = as(path.join(bin, 'postgres'), ['-D', data, '-p', String(PORTS.postgres), '-c', 'listen_addresses=127.0.0.1', '-c', `unix_socket_directories=${data}`, '-c', 'fsync=off']);
	const { child, output } = spawnLogged(cmd, args);
	const pidFile = path.join(data, 'postmaster.pid');
	await waitFor('PostgreSQL to accept connections', () => output.join('').includes('ready to accept connections'), 60_000, child, output);
	// The postmaster's own PID (runuser stays in between when we are root): fast shutdown is SIGINT.
	const postmaster = Number(readFileSync(pidFile, 'utf8').split('\n')[0]);
	stops.push({
		what: `postgres (PID ${postmaster})`,
		stop: async () => {
			await stopPid(postmaster, 'SIGINT');
			if (child.pid) await stopPid(child.pid);
		},
	});
	const [createCmd, createArgs] = as(path.join(bin, 'createdb'), ['-h', '127.0.0.1', '-p', String(PORTS.postgres), '-U', 'n8n', 'n8n']);
	const created = spawnSync(createCmd, createArgs, { encoding: 'utf8' });
	if (created.status !== 0) throw new Error(`createdb failed:\n${created.stderr}`);
	log(`PostgreSQL on 127.0.0.1:${PORTS.postgres} (PID ${postmaster}), data in ${data}`);
}

function psql(bin: string, sql: string): string {
	const asRoot = process.getuid?.() === 0;
	const args = ['-h', '127.0.0.1', '-p', String(PORTS.postgres), '-U', 'n8n', '-d', 'n8n', '-At', '-F', '\t', '-c', sql];
	const result = asRoot ? spawnSync('runuser', ['-u', 'postgres', '--', path.join(bin, 'psql'), ...args], { encoding: 'utf8' }) : spawnSync(path.join(bin, 'psql'), args, { encoding: 'utf8' });
	if (result.status !== 0) throw new Error(`psql failed: ${result.stderr}`);
	return result.stdout;
}

/** The installed n8n to use: N8N_VERSION, else the default if installed, else any installed one, else install the default. */
function pickRuntime(): Runtime {
	if (process.env.N8N_VERSION) return runtimeFor(process.env.N8N_VERSION);
	const installed = (v: string) => existsSync(path.join(RUNTIME_ROOT, v, 'installed.json'));
	if (installed(DEFAULT_N8N_VERSION)) return runtimeFor(DEFAULT_N8N_VERSION);
	const versions = existsSync(RUNTIME_ROOT) ? readdirSync(RUNTIME_ROOT).filter((v) => /^\d+\.\d+\.\d+$/.test(v) && installed(v)) : [];
	versions.sort((a, b) => b.localeCompare(a, undefined, { numeric: true }));
	return runtimeFor(versions[0] ?? DEFAULT_N8N_VERSION);
}

/** The settings every n8n process of the deployment shares (queue mode, Redis, Postgres), plus its own ports. */
function queueEnv(i: number): NodeJS.ProcessEnv {
	return {
		EXECUTIONS_MODE: 'queue',
		QUEUE_BULL_REDIS_HOST: '127.0.0.1',
		QUEUE_BULL_REDIS_PORT: String(PORTS.redis),
		DB_TYPE: 'postgresdb',
		DB_POSTGRESDB_HOST: '127.0.0.1',
		DB_POSTGRESDB_PORT: String(PORTS.postgres),
		DB_POSTGRESDB_DATABASE: 'n8n',
		DB_POSTGRESDB_USER: 'n8n',
		DB_POSTGRESDB_PASSWORD: 'n8n',
		N8N_RUNNERS_BROKER_PORT: String(PORTS.broker(i)),
		QUEUE_HEALTH_CHECK_PORT: String(PORTS.health(i)),
		N8N_GRACEFUL_SHUTDOWN_TIMEOUT: '10',
		EXECUTIONS_DATA_SAVE_ON_SUCCESS: 'all',
		N8N_LOG_LEVEL: 'info',
		OFFLOAD_MANUAL_EXECUTIONS_TO_WORKERS: 'true',
	};
}

const AC_TYPE = 'n8n-nodes-audience-sync.activeCampaignSync';
const MC_TYPE = 'n8n-nodes-audience-sync.mailchimpSync';

/**
 * Webhook (answers at once; the execution goes to the queue) → the read, and → Split Out of the
 * posted contacts → one Create or Update per item. The upserts run after the read (n8n runs a
 * node's branches in order).
 */
function acWorkflow() {
	return {
		id: WORKFLOW_IDS.activeCampaign,
		name: 'Queue test: ActiveCampaign read + per-item upsert',
		active: false,
		settings: { executionOrder: 'v1', saveDataSuccessExecution: 'all' },
		nodes: [
			{ id: 'w', name: 'Webhook', type: 'n8n-nodes-base.webhook', typeVersion: 2, position: [0, 0], webhookId: 'audsync-queue-ac', parameters: { httpMethod: 'POST', path: 'audsync-queue-ac', responseMode: 'onReceived', options: {} } },
			{
				id: 'r',
				name: 'Read contacts',
				type: AC_TYPE,
				typeVersion: 1,
				position: [300, -150],
				parameters: { resource: 'contact', operation: 'getAll', returnAll: true, simplify: true },
				credentials: { activeCampaignSyncApi: { id: CREDENTIALS.activeCampaign, name: 'ActiveCampaign queue test' } },
			},
			{ id: 's', name: 'Split Out', type: 'n8n-nodes-base.splitOut', typeVersion: 1, position: [300, 150], parameters: { fieldToSplitOut: 'body.contacts', options: {} } },
			{
				id: 'u',
				name: 'Create or Update',
				type: AC_TYPE,
				typeVersion: 1,
				position: [600, 150],
				parameters: { resource: 'contact', operation: 'upsert', email: '={{ $json.email }}', additionalFields: { firstName: '={{ $json.firstName }}' } },
				credentials: { activeCampaignSyncApi: { id: CREDENTIALS.activeCampaign, name: 'ActiveCampaign queue test' } },
			},
		],
		connections: {
			Webhook: { main: [[{ node: 'Read contacts', type: 'main', index: 0 }, { node: 'Split Out', type: 'main', index: 0 }]] },
			'Split Out': { main: [[{ node: 'Create or Update', type: 'main', index: 0 }]] },
		},
	};
}

function mcWorkflow() {
	return {
		id: WORKFLOW_IDS.mailchimp,
		name: 'Queue test: Mailchimp per-item upsert',
		active: false,
		settings: { executionOrder: 'v1', saveDataSuccessExecution: 'all' },
		nodes: [
			{ id: 'w', name: 'Webhook', type: 'n8n-nodes-base.webhook', typeVersion: 2, position: [0, 0], webhookId: 'audsync-queue-mc', parameters: { httpMethod: 'POST', path: 'audsync-queue-mc', responseMode: 'onReceived', options: {} } },
			{ id: 's', name: 'Split Out', type: 'n8n-nodes-base.splitOut', typeVersion: 1, position: [300, 0], parameters: { fieldToSplitOut: 'body.members', options: {} } },
			{
				id: 'u',
				name: 'Create or Update',
				type: MC_TYPE,
				typeVersion: 1,
				position: [600, 0],
				parameters: {
					resource: 'member',
					operation: 'upsert',
					audience: { __rl: true, mode: 'id', value: AUDIENCE },
					email: '={{ $json.email }}',
					statusIfNew: 'subscribed',
					additionalFields: { mergeFields: { field: [{ field: 'FNAME', value: '={{ $json.firstName }}' }] } },
				},
				credentials: { mailchimpSyncApi: { id: CREDENTIALS.mailchimp, name: 'Mailchimp queue test' } },
			},
		],
		connections: { Webhook: { main: [[{ node: 'Split Out', type: 'main', index: 0 }]] }, 'Split Out': { main: [[{ node: 'Create or Update', type: 'main', index: 0 }]] } },
	};
}

/** Imports the credentials and both workflows, and marks the workflows active, with n8n's CLI against Postgres. */
function importData(runtime: Runtime, emulator: Emulator, dir: string): void {
	const env = queueEnv(0);
	const withEnv = (args: string[]) => {
		const saved = { ...process.env };
		Object.assign(process.env, env);
		try {
			return n8nCommand(runtime, args, PORTS.main);
		} finally {
			for (const key of Object.keys(env)) if (saved[key] === undefined) delete process.env[key];
			Object.assign(process.env, saved);
		}
	};
	const credentialsFile = path.join(dir, 'credentials.json');
	writeFileSync(
		credentialsFile,
		JSON.stringify([
			{ id: CREDENTIALS.activeCampaign, name: 'ActiveCampaign queue test', type: 'activeCampaignSyncApi', data: { apiUrl: emulator.url, apiKey: AC_TEST_KEY } },
			{ id: CREDENTIALS.mailchimp, name: 'Mailchimp queue test', type: 'mailchimpSyncApi', data: { apiKey: MC_TEST_KEY, useCustomBaseUrl: true, baseUrl: emulator.mcBaseUrl } },
		]),
		{ mode: 0o600 },
	);
	try {
		withEnv(['import:credentials', `--input=${credentialsFile}`]);
	} finally {
		rmSync(credentialsFile, { force: true });
	}
	const workflows = path.join(dir, 'workflows');
	mkdirSync(workflows);
	writeFileSync(path.join(workflows, 'ac.json'), JSON.stringify(acWorkflow()));
	writeFileSync(path.join(workflows, 'mc.json'), JSON.stringify(mcWorkflow()));
	withEnv(['import:workflow', '--separate', `--input=${workflows}`]);
	for (const id of Object.values(WORKFLOW_IDS)) withEnv(['update:workflow', `--id=${id}`, '--active=true']);
}

/** Which process owns the other end of a loopback connection: /proc/net/tcp gives the inode, /proc/<pid>/fd the owner. */
function ownerOf(remotePort: number, localPort: number, pids: Map<number, string>): string {
	try {
		const hex = (port: number) => port.toString(16).toUpperCase().padStart(4, '0');
		const table = readFileSync('/proc/net/tcp', 'utf8').split('\n').slice(1);
		const row = table.map((l) => l.trim().split(/\s+/)).find((f) => f[1]?.endsWith(`:${hex(remotePort)}`) && f[2]?.endsWith(`:${hex(localPort)}`));
		if (!row) return 'unknown';
		const socket = `socket:[${row[9]}]`;
		for (const [pid, name] of pids) {
			const fds = path.join('/proc', String(pid), 'fd');
			for (const fd of readdirSync(fds)) {
				try {
					if (readlinkSync(path.join(fds, fd)) === socket) return name;
				} catch {
					// fd closed meanwhile
				}
			}
		}
	} catch {
		// not Linux, or the process is gone
	}
	return 'unknown';
}

interface Tally {
	requests: number;
	ok: number;
	throttled: number;
	first: number;
	last: number;
}

/** Per process (main, worker 1..3) and provider: what reached the emulator. */
class Traffic {
	readonly byProcess = new Map<string, { ac: Tally; mc: Tally }>();
	private readonly owners = new WeakMap<Socket, string>();

	constructor(
		emulator: Emulator,
		private readonly pids: Map<number, string>,
	) {
		const port = Number(new URL(emulator.url).port);
		emulator.onConnection = (socket) => this.owners.set(socket, ownerOf(socket.remotePort ?? 0, port, this.pids));
		emulator.onRequest = (req, res) => {
			const at = Date.now();
			const owner = this.owners.get(req.socket) ?? 'unknown';
			const provider = (req.url ?? '').startsWith('/api/3') ? 'ac' : 'mc';
			res.on('finish', () => this.count(owner, provider, res.statusCode, at));
		};
	}

	private count(owner: string, provider: 'ac' | 'mc', status: number, at: number): void {
		const fresh = (): Tally => ({ requests: 0, ok: 0, throttled: 0, first: Number.POSITIVE_INFINITY, last: 0 });
		const row = this.byProcess.get(owner) ?? { ac: fresh(), mc: fresh() };
		this.byProcess.set(owner, row);
		const t = row[provider];
		t.requests++;
		if (status === 429) t.throttled++;
		else if (status < 400) t.ok++;
		t.first = Math.min(t.first, at);
		t.last = Math.max(t.last, at);
	}

	total(provider: 'ac' | 'mc'): Tally {
		const all = [...this.byProcess.values()].map((r) => r[provider]);
		return {
			requests: all.reduce((s, t) => s + t.requests, 0),
			ok: all.reduce((s, t) => s + t.ok, 0),
			throttled: all.reduce((s, t) => s + t.throttled, 0),
			first: Math.min(...all.map((t) => t.first)),
			last: Math.max(...all.map((t) => t.last)),
		};
	}
}

interface Phase {
	name: string;
	wallMs: number;
	executions: Array<{ id: string; status: string; worker: string }>;
}

/** Posts `runs` webhook calls at once and waits until Postgres shows that many finished executions of the workflow. */
async function runPhase(name: string, workflowId: string, webhookPath: string, bodies: unknown[], pg: string, workerOfExecution: (id: string) => string, timeoutMs: number): Promise<Phase> {
	const started = Date.now();
	const answers = await Promise.all(
		bodies.map((body) => fetch(`http://127.0.0.1:${PORTS.main}/webhook/${webhookPath}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })),
	);
	const refused = answers.filter((a) => !a.ok);
	if (refused.length) throw new Error(`${name}: the main instance refused ${refused.length} webhook calls (HTTP ${refused.map((a) => a.status).join(', ')})`);
	const query = `SELECT id, status FROM execution_entity WHERE "workflowId" = '${workflowId}' ORDER BY id`;
	let rows: string[][] = [];
	const done = new Set(['success', 'error', 'crashed', 'canceled']);
	await waitFor(
		`${bodies.length} ${name} executions to finish`,
		() => {
			rows = psql(pg, query).trim().split('\n').filter(Boolean).map((l) => l.split('\t'));
			return rows.length >= bodies.length && rows.every((r) => done.has(r[1]));
		},
		timeoutMs,
	);
	return { name, wallMs: Date.now() - started, executions: rows.map(([id, status]) => ({ id, status, worker: workerOfExecution(id) })) };
}

async function main(): Promise<number> {
	const services = ensureServices();
	const runtime = pickRuntime();
	ensureN8n(runtime);
	installPackage(runtime);
	log(`n8n ${runtime.version} (${path.relative(process.cwd(), runtime.dir) || runtime.dir}), this package installed from its packed tarball`);

	const dir = mkdtempSync(path.join(tmpdir(), 'audsync-queue-'));
	stops.push({ what: `temporary folder ${dir}`, stop: async () => rmSync(dir, { recursive: true, force: true }) });
	await startRedis(services.redis, dir);
	await startPostgres(services.pg, dir);

	const emulator = await startEmulator({ port: PORTS.emulator, latencyMs: 20 });
	stops.push({ what: 'emulator', stop: () => emulator.stop() });
	for (let i = 0; i < AC.read; i++) emulator.ac.addContact({ email: `existing${i}@example.com`, firstName: `Existing${i}` });
	emulator.mc.addList(AUDIENCE, 'Queue test audience');
	log(`Emulator on ${emulator.url}: ${AC.read} ActiveCampaign contacts, Mailchimp audience ${AUDIENCE}`);

	importData(runtime, emulator, dir);

	// The main instance (webhooks, enqueueing), then the workers.
	const main: RunningN8n = await startN8n(runtime, PORTS.main, ['start'], queueEnv(0));
	stops.push({ what: `n8n main (PID ${main.child.pid})`, stop: () => main.stop() });
	log(`n8n main on ${main.base} (PID ${main.child.pid}), EXECUTIONS_MODE=queue`);
	const workers: Array<{ name: string; child: ChildProcess; output: string[] }> = [];
	for (let i = 1; i <= WORKERS; i++) {
		const { child, output } = spawnLogged(runtime.node, [runtime.n8nScript, 'worker', `--concurrency=${WORKER_CONCURRENCY}`], {
			cwd: runtime.dir,
			env: { ...n8nEnv(runtime, PORTS.main), ...queueEnv(i) },
		});
		const worker = { name: `worker ${i}`, child, output };
		workers.push(worker);
		stops.push({ what: `n8n ${worker.name} (PID ${child.pid})`, stop: () => stopPid(child.pid!) });
		await waitFor(`n8n ${worker.name} to start`, () => /n8n worker is now ready|Worker ready|ready to process|Listening to queue/i.test(output.join('')), 180_000, child, output);
		log(`n8n ${worker.name} (PID ${child.pid}): n8n worker --concurrency=${WORKER_CONCURRENCY}`);
	}

	const pids = new Map<number, string>([[main.child.pid!, 'main'], ...workers.map((w) => [w.child.pid!, w.name] as [number, string])]);
	const traffic = new Traffic(emulator, pids);
	const workerOfExecution = (id: string) => workers.find((w) => new RegExp(`(started|Start|Running|execution)\\D{0,40}\\b${id}\\b`, 'i').test(w.output.join('')))?.name ?? 'unknown';

	// ActiveCampaign: 6 executions at once, each reading every contact and upserting its own 200.
	const acInputs = Array.from({ length: AC.executions }, (_, run) => ({
		run,
		contacts: Array.from({ length: AC.upserts }, (_, i) => ({ email: `queue${run}-${i}@example.com`, firstName: `Run${run}Item${i}` })),
	}));
	log(`ActiveCampaign: ${AC.executions} executions, each reading ${AC.read} contacts and upserting ${AC.upserts} one by one...`);
	const acPhase = await runPhase('ActiveCampaign', WORKFLOW_IDS.activeCampaign, 'audsync-queue-ac', acInputs, services.pg, workerOfExecution, 20 * 60_000);
	const acTotal = traffic.total('ac');

	const mcInputs = Array.from({ length: MC.executions }, (_, run) => ({
		run,
		members: Array.from({ length: MC.upserts }, (_, i) => ({ email: `queue${run}-${i}@example.com`, firstName: `Run${run}Item${i}` })),
	}));
	log(`Mailchimp: ${MC.executions} executions, each upserting ${MC.upserts} members one by one...`);
	const mcPhase = await runPhase('Mailchimp', WORKFLOW_IDS.mailchimp, 'audsync-queue-mc', mcInputs, services.pg, workerOfExecution, 20 * 60_000);
	const mcTotal = traffic.total('mc');

	// What the emulator holds must be exactly the inputs.
	const problems: string[] = [];
	for (const phase of [acPhase, mcPhase]) {
		const failed = phase.executions.filter((e) => e.status !== 'success');
		if (phase.executions.length !== 6 || failed.length) problems.push(`${phase.name}: ${failed.length} of ${phase.executions.length} executions did not succeed (${failed.map((e) => `${e.id} ${e.status}`).join(', ')})`);
	}
	const acContacts = [...emulator.ac.contacts.values()];
	const expectedAc = acInputs.flatMap((r) => r.contacts);
	const acWrong = expectedAc.filter((c) => acContacts.filter((x) => x.email === c.email && x.firstName === c.firstName).length !== 1);
	if (acWrong.length || acContacts.length !== AC.read + expectedAc.length) {
		problems.push(`ActiveCampaign holds ${acContacts.length} contacts (expected ${AC.read + expectedAc.length}); ${acWrong.length} upserted contacts missing, doubled or wrong`);
	}
	const members = emulator.mc.lists.get(AUDIENCE)!.members;
	const expectedMc = mcInputs.flatMap((r) => r.members);
	const mcWrong = expectedMc.filter((m) => {
		const member = members.get(subscriberHash(m.email)) as { status?: string; merge_fields?: Record<string, unknown> } | undefined;
		return !member || member.status !== 'subscribed' || member.merge_fields?.FNAME !== m.firstName;
	});
	if (mcWrong.length || members.size !== expectedMc.length) problems.push(`Mailchimp audience holds ${members.size} members (expected ${expectedMc.length}); ${mcWrong.length} missing or wrong`);

	const acSeconds = (acTotal.last - acTotal.first) / 1000;
	const acRate = acTotal.ok / acSeconds;
	if (acRate < TARGET.acRateShare * AC_RATE) problems.push(`ActiveCampaign combined rate ${acRate.toFixed(2)} requests/s is below ${TARGET.acRateShare * 100}% of ${AC_RATE}/s`);
	for (const [name, total] of [['ActiveCampaign', acTotal], ['Mailchimp', mcTotal]] as const) {
		if (total.throttled > TARGET.max429Share * total.requests) problems.push(`${name}: ${total.throttled} of ${total.requests} requests drew 429 (more than ${TARGET.max429Share * 100}%)`);
	}

	// The table.
	const rows: string[] = [];
	const cell = (t: { ac: Tally; mc: Tally } | undefined, p: 'ac' | 'mc') => {
		if (!t || !t[p].requests) return ['0', '0', '-'];
		const secs = Math.max(0.001, (t[p].last - t[p].first) / 1000);
		return [String(t[p].requests), String(t[p].throttled), (t[p].ok / secs).toFixed(2)];
	};
	const execs = (worker: string, phase: Phase) => String(phase.executions.filter((e) => e.worker === worker).length);
	rows.push('| Process | AC executions | AC requests | AC 429s | AC req/s | MC executions | MC requests | MC 429s | MC req/s |');
	rows.push('|---|---:|---:|---:|---:|---:|---:|---:|---:|');
	const names = [...workers.map((w) => w.name), ...[...traffic.byProcess.keys()].filter((k) => !k.startsWith('worker'))];
	for (const name of names) {
		const t = traffic.byProcess.get(name);
		rows.push(`| ${name} | ${execs(name, acPhase)} | ${cell(t, 'ac').join(' | ')} | ${execs(name, mcPhase)} | ${cell(t, 'mc').join(' | ')} |`);
	}
	const share = (t: Tally) => `${((100 * t.throttled) / Math.max(1, t.requests)).toFixed(1)}%`;
	rows.push(`| **all** | ${acPhase.executions.length} | ${acTotal.requests} | ${acTotal.throttled} (${share(acTotal)}) | ${acRate.toFixed(2)} | ${mcPhase.executions.length} | ${mcTotal.requests} | ${mcTotal.throttled} (${share(mcTotal)}) | ${(mcTotal.ok / ((mcTotal.last - mcTotal.first) / 1000)).toFixed(2)} |`);
	console.log(`
n8n ${runtime.version} in queue mode: main + ${WORKERS} workers (concurrency ${WORKER_CONCURRENCY}), Redis, PostgreSQL; emulator latency 20 ms, AC Retry-After ${emulator.options.acRetryAfterSeconds} s.
Wall time: ActiveCampaign ${(acPhase.wallMs / 1000).toFixed(1)} s (${AC.executions} x (${AC.read} read + ${AC.upserts} upserts)); Mailchimp ${(mcPhase.wallMs / 1000).toFixed(1)} s (${MC.executions} x ${MC.upserts} upserts).
req/s counts requests that were not refused with 429, over that process's first to last request.

${rows.join('\n')}
`);
	console.log(problems.length ? `test:queue FAILED:\n  ${problems.join('\n  ')}` : `test:queue passed: all ${acPhase.executions.length + mcPhase.executions.length} executions succeeded, the emulator holds exactly the inputs, ActiveCampaign ran at ${acRate.toFixed(2)} requests/s (>= ${TARGET.acRateShare * AC_RATE}), 429s ${share(acTotal)} (ActiveCampaign) and ${share(mcTotal)} (Mailchimp) of requests.`);
	if (problems.length && process.env.QUEUE_DEBUG) for (const w of workers) console.log(`--- ${w.name} log ---\n${w.output.join('').slice(-4000)}`);
	return problems.length ? 1 : 0;
}

async function stopAll(): Promise<void> {
	for (const { what, stop } of stops.reverse()) {
		try {
			await stop();
		} catch (error) {
			console.error(`Could not stop ${what}: ${(error as Error).message}`);
		}
	}
	stops.length = 0;
}

process.on('SIGINT', () => void stopAll().then(() => process.exit(130)));
process.on('SIGTERM', () => void stopAll().then(() => process.exit(143)));

main()
	.catch((error: unknown) => {
		console.error(error instanceof Error ? error.message : error);
		return 1;
	})
	.then(async (code) => {
		log('Stopping everything started here, by PID...');
		await stopAll();
		process.exit(code);
	});
