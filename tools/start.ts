/* eslint-disable @n8n/community-nodes/no-dangerous-functions, @n8n/community-nodes/no-restricted-globals, @n8n/community-nodes/no-restricted-imports, no-console -- a developer tool, never shipped: child processes, Node globals, Node modules, console output are fine here */
/**
 * `npm start`: the offline sandbox plus a real n8n with this package installed the way users
 * install community packages (packed, then `npm install`ed into n8n's nodes folder). It imports
 * the two sandbox credentials and the example workflows, and prints the editor URL.
 *
 * n8n itself is installed on the first start into the ignored .n8n-runtime/ (about 5 minutes and
 * 1.8 GB) and reused afterwards. `npm start -- --check` runs the sample workflow headless with
 * `n8n execute`, starts n8n, checks that both nodes are listed, and stops: a smoke test.
 */
import '../test/setup-env';

import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';

import { subscriberHash } from '../test/emulator/mailchimp';
import { SANDBOX_AUDIENCE_ID, seedSandbox } from '../test/emulator/seed';
import { AC_TEST_KEY, type Emulator, MC_TEST_KEY, startEmulator } from '../test/emulator/server';
import { PACKAGE_DIR } from '../test/harness/n8n';
import { activateWebhookExamples, checkWebhookExamples, WEBHOOK_EXAMPLES } from './webhooks';

const N8N_VERSION = '1.123.81';
const RUNTIME = path.join(PACKAGE_DIR, '.n8n-runtime');
const USER_FOLDER = path.join(RUNTIME, 'user');
const NODES_FOLDER = path.join(USER_FOLDER, '.n8n', 'nodes');
const N8N_BIN = path.join(RUNTIME, 'node_modules', '.bin', 'n8n');
const N8N_PORT = Number(process.env.N8N_PORT ?? 5678);
const SANDBOX_PORT = Number(process.env.SANDBOX_PORT ?? 4010);
const CHECK = process.argv.includes('--check');
const SAMPLE_WORKFLOW_ID = 'audsyncExample01';

const n8nEnv: NodeJS.ProcessEnv = {
	...process.env,
	N8N_USER_FOLDER: USER_FOLDER,
	N8N_PORT: String(N8N_PORT),
	N8N_LISTEN_ADDRESS: '127.0.0.1',
	N8N_DIAGNOSTICS_ENABLED: 'false',
	N8N_VERSION_NOTIFICATIONS_ENABLED: 'false',
	N8N_TEMPLATES_ENABLED: 'false',
	N8N_PERSONALIZATION_ENABLED: 'false',
	N8N_HIRING_BANNER_ENABLED: 'false',
	N8N_ENFORCE_SETTINGS_FILE_PERMISSIONS: 'true',
	N8N_RUNNERS_ENABLED: 'false',
	N8N_SECURE_COOKIE: 'false',
	N8N_COMMUNITY_PACKAGES_ENABLED: 'true',
	// The URL n8n registers for webhook triggers: the sandbox delivers events there.
	WEBHOOK_URL: `http://127.0.0.1:${N8N_PORT}/`,
};

function run(command: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = process.env, quiet = true): string {
	const result = spawnSync(command, args, { cwd, env, encoding: 'utf8', stdio: quiet ? 'pipe' : 'inherit' });
	if (result.status !== 0) {
		throw new Error(`${command} ${args.join(' ')} failed (exit ${result.status}):\n${(result.stderr ?? '').slice(-2000)}`);
	}
	return result.stdout ?? '';
}

/** Like run, without blocking the event loop: the in-process sandbox must keep answering meanwhile. */
function runAsync(command: string, args: string[], cwd: string, env: NodeJS.ProcessEnv): Promise<string> {
	return new Promise((resolve, reject) => {
		const child = spawn(command, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
		let out = '';
		child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
		child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
		child.on('error', reject);
		child.on('exit', (code) => (code === 0 ? resolve(out) : reject(new Error(`${command} ${args.join(' ')} failed (exit ${code}):\n${out.slice(-2000)}`))));
	});
}

function ensureN8n(): void {
	const installed = path.join(RUNTIME, 'node_modules', 'n8n', 'package.json');
	if (existsSync(installed) && (JSON.parse(readFileSync(installed, 'utf8')) as { version: string }).version === N8N_VERSION) return;
	mkdirSync(RUNTIME, { recursive: true });
	writeFileSync(
		path.join(RUNTIME, 'package.json'),
		`${JSON.stringify(
			{
				name: 'n8n-runtime',
				private: true,
				description: 'n8n for npm start (installed on first start, ignored by git)',
				dependencies: { n8n: N8N_VERSION },
				// xlsx: n8n's own dependency points at a tarball outside the npm registry.
				// isolated-vm: the version n8n pins does not build on Node 20.
				overrides: { xlsx: '0.18.5', 'isolated-vm': '5.0.4' },
			},
			null,
			2,
		)}\n`,
	);
	console.log(`Installing n8n ${N8N_VERSION} into .n8n-runtime/ (first start only: about 5 minutes, 1.8 GB)...`);
	run('npm', ['install', '--no-audit', '--no-fund', '--loglevel=error'], RUNTIME, { ...process.env, npm_config_yes: 'true' }, false);
}

/** Packs this package and installs the tarball into n8n's nodes folder, as a user would. */
function installPackage(): void {
	mkdirSync(NODES_FOLDER, { recursive: true });
	for (const old of readdirSync(RUNTIME).filter((f) => f.endsWith('.tgz'))) rmSync(path.join(RUNTIME, old));
	const packed = JSON.parse(run('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', RUNTIME], PACKAGE_DIR)) as Array<{ filename: string }>;
	if (!existsSync(path.join(NODES_FOLDER, 'package.json'))) writeFileSync(path.join(NODES_FOLDER, 'package.json'), '{"name":"installed-nodes","private":true}\n');
	rmSync(path.join(NODES_FOLDER, 'node_modules', 'n8n-nodes-audience-sync'), { recursive: true, force: true });
	// --legacy-peer-deps: n8n provides n8n-workflow; npm must not fetch another copy as a peer.
	run('npm', ['install', '--no-audit', '--no-fund', '--legacy-peer-deps', path.join(RUNTIME, packed[0].filename)], NODES_FOLDER);
}

function importSandboxData(emulator: Emulator): void {
	const credentials = [
		{ id: 'audsync-ac-sandbox', name: 'ActiveCampaign sandbox', type: 'activeCampaignSyncApi', data: { apiUrl: emulator.url, apiKey: AC_TEST_KEY } },
		{
			id: 'audsync-mc-sandbox',
			name: 'Mailchimp sandbox',
			type: 'mailchimpSyncApi',
			data: { apiKey: MC_TEST_KEY, useCustomBaseUrl: true, baseUrl: emulator.mcBaseUrl },
		},
	];
	const file = path.join(RUNTIME, 'sandbox-credentials.json');
	writeFileSync(file, JSON.stringify(credentials));
	run(N8N_BIN, ['import:credentials', `--input=${file}`], RUNTIME, n8nEnv);
	rmSync(file);

	const folder = path.join(RUNTIME, 'workflows');
	rmSync(folder, { recursive: true, force: true });
	mkdirSync(folder);
	const examples = readdirSync(path.join(PACKAGE_DIR, 'examples')).filter((f) => f.endsWith('.json')).sort();
	examples.forEach((name, i) => {
		const workflow = JSON.parse(readFileSync(path.join(PACKAGE_DIR, 'examples', name), 'utf8')) as { id?: string };
		workflow.id = name === 'activecampaign-to-mailchimp.json' ? SAMPLE_WORKFLOW_ID : `audsyncExample${String(i + 10).padStart(2, '0')}`;
		writeFileSync(path.join(folder, name), JSON.stringify(workflow));
	});
	run(N8N_BIN, ['import:workflow', '--separate', `--input=${folder}`], RUNTIME, n8nEnv);
	activateWebhookExamples(N8N_BIN, RUNTIME, n8nEnv, examples.flatMap((name, i) => (WEBHOOK_EXAMPLES.includes(name) ? [`audsyncExample${String(i + 10).padStart(2, '0')}`] : [])));
}

async function waitForEditor(child: ChildProcess, log: string[]): Promise<void> {
	const deadline = Date.now() + 180_000;
	while (Date.now() < deadline) {
		if (child.exitCode !== null) throw new Error(`n8n stopped while starting:\n${log.join('').slice(-3000)}`);
		if (log.join('').includes('Editor is now accessible')) return;
		await new Promise((r) => setTimeout(r, 500));
	}
	throw new Error('n8n did not start within 3 minutes');
}

/** The local owner account (n8n asks for one on first use); its password is kept in .n8n-runtime/. */
async function ensureOwner(base: string): Promise<{ email: string; password: string; cookie: string }> {
	const file = path.join(RUNTIME, 'owner.json');
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

async function main(): Promise<number> {
	ensureN8n();
	installPackage();
	const emulator = await startEmulator({ port: SANDBOX_PORT });
	seedSandbox(emulator);
	importSandboxData(emulator);

	if (CHECK) {
		// Headless: the sample workflow through the real n8n CLI, then the sandbox's state.
		await runAsync(N8N_BIN, ['execute', `--id=${SAMPLE_WORKFLOW_ID}`], RUNTIME, n8nEnv);
		const members = emulator.mc.lists.get(SANDBOX_AUDIENCE_ID)!.members;
		const synced = [...emulator.ac.contacts.values()].filter((c) => members.has(subscriberHash(c.email))).length;
		console.log(`n8n execute: ${synced} of ${emulator.ac.contacts.size} ActiveCampaign contacts are now Mailchimp members.`);
		if (synced !== emulator.ac.contacts.size) return 1;
	}

	const log: string[] = [];
	const n8n = spawn(N8N_BIN, ['start'], { cwd: RUNTIME, env: n8nEnv, stdio: ['ignore', 'pipe', 'pipe'] });
	n8n.stdout!.on('data', (d: Buffer) => log.push(d.toString()));
	n8n.stderr!.on('data', (d: Buffer) => log.push(d.toString()));
	// n8n shuts down gracefully on SIGTERM; wait for it (and force it after 15 s) so no n8n outlives us.
	const stop = async () => {
		if (n8n.exitCode === null && n8n.signalCode === null) {
			const exited = new Promise<void>((resolve) => n8n.once('exit', () => resolve()));
			n8n.kill('SIGTERM');
			const force = setTimeout(() => n8n.kill('SIGKILL'), 15_000);
			await exited;
			clearTimeout(force);
		}
		await emulator.stop();
	};
	process.on('SIGINT', () => void stop().then(() => process.exit(0)));
	process.on('SIGTERM', () => void stop().then(() => process.exit(0)));

	await waitForEditor(n8n, log);
	const base = `http://127.0.0.1:${N8N_PORT}`;
	const owner = await ensureOwner(base);
	const types = (await (await fetch(`${base}/types/nodes.json`, { headers: { cookie: owner.cookie } })).json()) as Array<{ name: string }>;
	const ours = types.map((t) => t.name).filter((n) => n.startsWith('n8n-nodes-audience-sync.'));
	console.log(`
n8n ${N8N_VERSION} is running with n8n-nodes-audience-sync installed (${ours.join(', ')}).

  Editor:   ${base}/workflow/${SAMPLE_WORKFLOW_ID}   (the sample sync; open it and click "Execute workflow")
  Log in:   ${owner.email} / ${owner.password}   (a local account on 127.0.0.1 only)
  Sandbox:  ${emulator.url}  (ActiveCampaign: ${emulator.ac.contacts.size} contacts; Mailchimp audience ${SANDBOX_AUDIENCE_ID})
  Credentials "ActiveCampaign sandbox" and "Mailchimp sandbox" are imported, with the examples/ workflows.
  The webhook trigger examples are active: \`npm run fire -- mailchimp unsubscribe\` (with SANDBOX_PORT=${SANDBOX_PORT}) fires an event at them.
${CHECK ? '' : '\nCtrl+C stops n8n and the sandbox. n8n logs: kept in memory, printed if it stops unexpectedly.'}`);

	if (CHECK) {
		const expected = ['activeCampaignSync', 'mailchimpSync', 'activeCampaignSyncWebhookTrigger', 'mailchimpSyncWebhookTrigger'].map((n) => `n8n-nodes-audience-sync.${n}`);
		let ok = expected.every((n) => ours.includes(n));
		console.log(ok ? 'Check passed: n8n lists the nodes and both webhook triggers.' : `Check FAILED: n8n does not list ${expected.filter((n) => !ours.includes(n)).join(', ')}.`);
		try {
			console.log(`Check passed: ${await checkWebhookExamples(emulator)}`);
		} catch (error) {
			ok = false;
			console.log(`Check FAILED: ${(error as Error).message}`);
		}
		await stop();
		return ok ? 0 : 1;
	}
	await new Promise<void>((resolve) => n8n.on('exit', () => resolve()));
	console.log(log.join('').slice(-3000));
	await emulator.stop();
	return 1;
}

main().then(
	(code) => process.exit(code),
	(error: unknown) => {
		console.error(error instanceof Error ? error.message : error);
		process.exit(1);
	},
);
