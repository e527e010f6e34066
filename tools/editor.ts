/* eslint-disable @n8n/community-nodes/no-dangerous-functions, @n8n/community-nodes/no-restricted-globals, @n8n/community-nodes/no-restricted-imports, no-console -- a developer tool, never shipped: child processes, Node globals, Node modules, console output are fine here */
/// <reference lib="dom" />
/**
 * `npm run test:editor`: the package in n8n's editor, as a new user meets it. It starts what
 * `npm start` starts (n8n 2.41.1 with this package installed, and the sandbox), drives Debian's
 * Chromium with puppeteer-core, and checks what a user sees:
 *   1. log in;
 *   2. run the sample workflow: the canvas shows as many items read and written as the sandbox
 *      has contacts active on Newsletter (asked from its API);
 *   3. search the nodes panel for each service: every node of package.json is there with its
 *      icon, and every trigger's events are listed under an entry's Triggers;
 *   4. open every operation of every action node: no parameter's visible text says a sentence
 *      twice, and no label is cut off;
 *   5. open both credentials (their connection tests run and pass) and the OAuth2 form;
 *   6. each webhook example: its trigger's notice says n8n registers the URL itself; unpublished and
 *      published again in the editor (n8n 2.x's deactivate and activate), then an event fired at it
 *      shows up as one more execution in its Executions.
 * Screenshots of every step go to .editor-screenshots/ (ignored by git). Exits 0 only if every
 * check passes. Hover tooltips are checked against the node descriptions by test/descriptions.test.ts.
 *
 * Environment: N8N_PORT, SANDBOX_PORT, N8N_RUNTIME_DIR as for `npm start`; CHROMIUM (default
 * /usr/bin/chromium, Debian's `chromium` package); EDITOR_STEPS to run only some steps while
 * working on them (`EDITOR_STEPS="nodes panel,operations"`; login always runs).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import type { INodeProperties, INodePropertyOptions } from 'n8n-workflow';
import puppeteer, { type Browser, type ElementHandle, type Page } from 'puppeteer-core';

import { type Built, builtNodes, repeatedSentences } from '../test/harness/descriptions';
import { AC_TEST_KEY } from '../test/emulator/server';
import { PACKAGE_DIR } from '../test/harness/n8n';
import { exampleWorkflowId, SAMPLE_WORKFLOW_ID, SANDBOX_CREDENTIALS } from './start';
import { WEBHOOK_EXAMPLES } from './webhooks';

const N8N_PORT = Number(process.env.N8N_PORT ?? 5678);
const SANDBOX_PORT = Number(process.env.SANDBOX_PORT ?? 4010);
const BASE = `http://127.0.0.1:${N8N_PORT}`;
const SHOTS = path.join(PACKAGE_DIR, '.editor-screenshots');
const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';
const SAMPLE_WORKFLOW = SAMPLE_WORKFLOW_ID;
/** The sandbox event each webhook example gets, as `npm start -- --check` fires them. */
const EVENTS: Record<string, string> = { activecampaign: 'subscribe', mailchimp: 'unsubscribe' };

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const problems: string[] = [];
let shotCount = 0;

function check(ok: boolean, what: string): void {
	console.log(`${ok ? '  ok  ' : '  FAIL'} ${what}`);
	if (!ok) problems.push(what);
}

async function shot(page: Page, name: string): Promise<void> {
	shotCount++;
	await page.screenshot({ path: path.join(SHOTS, `${String(shotCount).padStart(2, '0')}-${name.replace(/[^a-z0-9]+/gi, '-').toLowerCase()}.png`) });
}

/** `npm start`'s program (built by `npm run tools`); resolves with the login it prints. */
function startN8nAndSandbox(): Promise<{ child: ChildProcess; email: string; password: string; log: () => string }> {
	return new Promise((resolve, reject) => {
		const child = spawn(process.execPath, [path.join(PACKAGE_DIR, '.build', 'tools', 'start.js')], { cwd: PACKAGE_DIR, env: process.env, stdio: ['ignore', 'pipe', 'pipe'] });
		let out = '';
		const log = () => out;
		const onData = (d: Buffer) => {
			out += d.toString();
			const login = /Log in:\s+(\S+) \/ (\S+)/.exec(out);
			if (login) resolve({ child, email: login[1], password: login[2], log });
		};
		child.stdout!.on('data', onData);
		child.stderr!.on('data', onData);
		child.on('exit', (code) => reject(new Error(`npm start stopped (exit ${code}):\n${out.slice(-3000)}`)));
	});
}

async function stop(child: ChildProcess): Promise<void> {
	if (child.exitCode !== null || child.signalCode !== null) return;
	const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
	child.kill('SIGTERM'); // start.js stops n8n and the sandbox on SIGTERM
	const force = setTimeout(() => child.kill('SIGKILL'), 30_000);
	await exited;
	clearTimeout(force);
}

async function texts(page: Page, selector: string): Promise<string[]> {
	return page.$$eval(selector, (els) => els.map((e) => (e as HTMLElement).innerText.trim()));
}

async function waitFor(page: Page, selector: string, timeout = 30_000): Promise<ElementHandle> {
	const found = await page.waitForSelector(selector, { visible: true, timeout });
	if (!found) throw new Error(`${selector} did not appear`);
	return found;
}

/** Double-clicks a canvas node whose text includes `name`, as a user opens it; true when its parameters opened. */
async function openNode(page: Page, name: string): Promise<boolean> {
	for (const handle of await page.$$('[data-test-id="canvas-node"]')) {
		if (!(await handle.evaluate((e, n) => (e as HTMLElement).innerText.split('\n').some((line) => line.includes(n)), name))) continue;
		const box = await handle.boundingBox();
		if (!box) return false;
		await page.mouse.click(box.x + box.width / 2, box.y + Math.min(box.height / 2, 30), { clickCount: 2 });
		return page.waitForSelector('[data-test-id="node-parameters"]', { visible: true, timeout: 15_000 }).then(
			() => true,
			() => false,
		);
	}
	return false;
}

async function closeNode(page: Page): Promise<void> {
	const close = await page.$('[data-test-id="ndv-close-button"]');
	if (close) await close.click().catch(() => undefined);
	else await page.keyboard.press('Escape');
	await page.waitForSelector('[data-test-id="node-parameters"]', { hidden: true, timeout: 10_000 }).catch(() => undefined);
}

async function login(page: Page, email: string, password: string): Promise<void> {
	await page.goto(`${BASE}/signin`, { waitUntil: 'networkidle2' });
	await (await waitFor(page, '[data-test-id="emailOrLdapLoginId"] input')).type(email);
	await (await waitFor(page, '[data-test-id="password"] input')).type(password);
	await page.click('[data-test-id="form-submit-button"]');
	await page.waitForFunction(() => !location.pathname.startsWith('/signin'), { timeout: 30_000 });
	await shot(page, 'logged-in');
	check(!page.url().includes('/signin'), 'log in with the local owner account npm start prints');
}

/** How many contacts the sample reads: the sandbox's contacts active on Newsletter, as its API counts them. */
async function activeContacts(): Promise<number> {
	const headers = { 'Api-Token': AC_TEST_KEY };
	const lists = (await (await fetch(`http://127.0.0.1:${SANDBOX_PORT}/api/3/lists?limit=100`, { headers })).json()) as { lists: Array<{ id: string; name: string }> };
	const newsletter = lists.lists.find((l) => l.name === 'Newsletter');
	if (!newsletter) throw new Error('the sandbox has no list named Newsletter');
	const res = await fetch(`http://127.0.0.1:${SANDBOX_PORT}/api/3/contacts?listid=${newsletter.id}&status=1&limit=1`, { headers });
	return Number(((await res.json()) as { meta: { total: string } }).meta.total);
}

async function runSample(page: Page): Promise<void> {
	const expected = `${await activeContacts()} items`;
	await page.goto(`${BASE}/workflow/${SAMPLE_WORKFLOW}`, { waitUntil: 'networkidle2' });
	await (await waitFor(page, '[data-test-id="execute-workflow-button"]')).click();
	// The canvas labels each connection with the items that went through it once the run ends.
	let labels: string[] = [];
	const deadline = Date.now() + 120_000;
	while (Date.now() < deadline) {
		const counts = await texts(page, '[data-test-id="canvas-node"]');
		if (counts.some((n) => n.includes('Upsert Mailchimp members') && n.includes(expected)) || (await page.$('[data-test-id="canvas-node-status-error"]'))) break;
		await sleep(1000);
	}
	await sleep(1500);
	labels = await texts(page, '[data-test-id="edge-label"]');
	const nodes = await texts(page, '[data-test-id="canvas-node"]');
	await shot(page, 'sample-workflow-run');
	check(labels.includes(expected), `sample workflow: the ${expected} the sandbox's API counts as active on Newsletter reach Mailchimp (connections show ${JSON.stringify(labels)})`);
	check(
		nodes.some((n) => n.includes('Upsert Mailchimp members') && n.includes(expected)),
		`sample workflow: the Mailchimp node puts out ${expected}, one per contact (${JSON.stringify(nodes.map((n) => n.replace(/\n/g, ' | ')))})`,
	);
}

const isTrigger = (n: Built) => n.node!.group.includes('trigger');
/** The events a trigger lists under Triggers in the nodes panel: its "Event(s)" property's options, as n8n reads them. */
function triggerEvents(n: Built): string[] {
	const property = n.node!.properties.find((p) => ['event', 'events', 'trigger on'].includes(p.displayName.toLowerCase()));
	// Without such a property n8n lists one placeholder, "On new <name without Trigger> event".
	if (!property?.options) return [`on new ${n.displayName.replace('Trigger', '').trimEnd()} event`.toLowerCase()];
	return (property.options as INodePropertyOptions[]).map((o) => `On ${o.name}`.toLowerCase());
}
const iconFile = (n: Built) => {
	const icon = n.node!.icon as { light: string } | string;
	return path.basename((typeof icon === 'string' ? icon : icon.light).replace(/^file:/, ''));
};

/**
 * n8n's nodes panel files a trigger under the app whose type name is the trigger's minus
 * "Trigger"; any other trigger gets an entry of its own, shown without a trailing "Trigger" when it
 * lists events. Every node must be found with its icon, and every trigger's events under Triggers.
 */
async function nodesPanel(page: Page, nodes: Built[]): Promise<void> {
	const actionTypes = new Set(nodes.filter((n) => !isTrigger(n)).map((n) => n.type));
	const entries = new Map<string, { search: string; names: string[]; icon: string; triggers: string[] }>();
	for (const n of nodes) {
		const app = isTrigger(n) && actionTypes.has(n.type.replace('Trigger', '')) ? nodes.find((a) => a.type === n.type.replace('Trigger', ''))! : n;
		const entry = entries.get(app.type) ?? { search: app.displayName, names: [app.displayName, app.displayName.replace(/ Trigger$/, '')], icon: iconFile(app), triggers: [] };
		if (isTrigger(n)) entry.triggers.push(...triggerEvents(n));
		entries.set(app.type, entry);
	}
	for (const [type, entry] of entries) {
		await page.goto(`${BASE}/workflow/${SAMPLE_WORKFLOW}`, { waitUntil: 'networkidle2' });
		await (await waitFor(page, '[data-test-id="node-creator-plus-button"]')).click();
		await waitFor(page, '[data-test-id="node-creator-search-bar"]');
		await sleep(800); // the panel slides in; its search bar has the focus
		await page.type('[data-test-id="node-creator-search-bar"]', entry.search);
		await sleep(1200);
		const items = await page.$$('[data-test-id="node-creator"] [data-test-id="item-iterator-item"]');
		let found: ElementHandle | undefined;
		let icon = '';
		for (const item of items) {
			const name = await item.$eval('[data-test-id="node-creator-item-name"]', (e) => (e as HTMLElement).innerText.trim()).catch(() => '');
			if (entry.names.includes(name)) {
				found = item;
				icon = await item.$eval('img', (e) => (e as HTMLImageElement).src).catch(() => '');
				break;
			}
		}
		await shot(page, `search-${entry.search}`);
		check(!!found, `nodes panel: searching "${entry.search}" finds ${type}`);
		check(icon.endsWith(`/${entry.icon}`), `nodes panel: ${entry.search} shows its icon ${entry.icon} (${icon || 'none'})`);
		if (found) {
			await found.click();
			await sleep(1200);
			let panel = (await texts(page, '[data-test-id="node-creator"]')).join('\n').toLowerCase();
			if (entry.triggers.some((t) => !panel.includes(t))) {
				// With a trigger on the canvas already, n8n folds an entry's Triggers: unfold it.
				await page.evaluate(() => {
					const headers = Array.from(document.querySelectorAll('[data-test-id="node-creator"] *')).filter((e) => /^Triggers \(\d+\)$/.test((e as HTMLElement).innerText?.trim() ?? ''));
					(headers[headers.length - 1] as HTMLElement | undefined)?.click();
				});
				await sleep(1000);
				panel += (await texts(page, '[data-test-id="node-creator"]')).join('\n').toLowerCase();
			}
			await shot(page, `entry-${entry.search}`);
			const missing = entry.triggers.filter((t) => !panel.includes(t));
			if (entry.triggers.length) check(panel.includes('triggers') && missing.length === 0, `nodes panel: ${entry.search} lists its triggers' events under Triggers${missing.length ? ` (missing: ${missing.join(', ')})` : ''}`);
		}
	}
}

/** One node per operation (resource × operation) of every action node, with credentials of its type; one node for a node without resources. */
function operationsWorkflow(nodes: Built[], credentialIds: Map<string, { id: string; name: string }>): { nodes: unknown[]; connections: object } {
	const out: unknown[] = [];
	for (const n of nodes.filter((x) => !isTrigger(x))) {
		const props = n.node!.properties;
		const resources = ((props.find((p) => p.name === 'resource')?.options ?? []) as INodePropertyOptions[]).map((o) => String(o.value));
		const credentials: Record<string, { id: string; name: string }> = {};
		for (const c of n.node!.credentials ?? []) {
			const found = credentialIds.get(c.name);
			if (found && !c.displayOptions) credentials[c.name] = found;
		}
		const apiKeyCredential = (n.node!.credentials ?? []).find((c) => c.displayOptions?.show?.authentication?.includes('apiKey'));
		if (apiKeyCredential && credentialIds.get(apiKeyCredential.name)) credentials[apiKeyCredential.name] = credentialIds.get(apiKeyCredential.name)!;
		// A node without resources (Audience Sync) is opened once, as it is added.
		if (!resources.length) {
			out.push({ id: `editor-${out.length}`, name: n.displayName, type: n.type, typeVersion: 1, position: [(out.length % 6) * 200, Math.floor(out.length / 6) * 180], parameters: {}, credentials });
		}
		for (const resource of resources) {
			const operation = props.find((p: INodeProperties) => p.name === 'operation' && (p.displayOptions?.show?.resource ?? []).includes(resource));
			for (const op of (operation?.options ?? []) as INodePropertyOptions[]) {
				out.push({
					id: `editor-${out.length}`,
					name: `${n.displayName}: ${resource} ${String(op.value)}`,
					type: n.type,
					typeVersion: 1,
					position: [(out.length % 6) * 200, Math.floor(out.length / 6) * 180],
					parameters: { resource, operation: op.value },
					credentials,
				});
			}
		}
	}
	return { nodes: out, connections: {} };
}

/** Opens every operation's node and reads what its parameters panel shows. */
async function operations(page: Page, nodes: Built[], credentialIds: Map<string, { id: string; name: string }>): Promise<void> {
	const workflow = operationsWorkflow(nodes, credentialIds);
	const file = path.join(os.tmpdir(), `audsync-editor-operations-${process.pid}.json`);
	writeFileSync(file, JSON.stringify({ name: 'Every operation (test:editor)', ...workflow }));
	try {
		await page.goto(`${BASE}/workflow/new`, { waitUntil: 'networkidle2' });
		const input = (await page.waitForSelector('[data-test-id="workflow-import-input"]', { timeout: 30_000 })) as ElementHandle<HTMLInputElement>;
		await input.uploadFile(file);
		await page.waitForFunction((n) => document.querySelectorAll('[data-test-id="canvas-node"]').length >= n, { timeout: 30_000 }, workflow.nodes.length);
	} finally {
		rmSync(file, { force: true });
	}
	await page.click('[data-test-id="zoom-to-fit"]').catch(() => undefined);
	await sleep(1000);
	await shot(page, 'every-operation-imported');
	const names = (workflow.nodes as Array<{ name: string }>).map((n) => n.name);
	const repeated: string[] = [];
	const cut: string[] = [];
	let opened = 0;
	let labelsSeen = 0;
	for (const name of names) {
		// Open the node from the canvas, as a user does (double click), found by its name.
		if (!(await openNode(page, name))) {
			repeated.push(`${name}: its parameters did not open`);
			continue;
		}
		await sleep(800);
		opened++;
		const seen = await page.$$eval('[data-test-id="node-parameters"] [data-test-id="parameter-item"], [data-test-id="node-parameters"] .n8n-notice', (els) =>
			els.map((e) => (e as HTMLElement).innerText),
		);
		for (const block of seen) for (const r of repeatedSentences(block.split('\n'))) repeated.push(`${name}: ${r}`);
		// A label cut off with an ellipsis: its text is wider than its box.
		const labels = await page.$$eval('[data-test-id="parameter-item"] label, [data-test-id="parameter-item"] label *', (els) =>
			els
				.filter((e) => (e as HTMLElement).innerText?.trim())
				.map((e) => {
					const s = getComputedStyle(e);
					return { text: (e as HTMLElement).innerText.trim(), clipped: (s.textOverflow === 'ellipsis' || s.overflow === 'hidden') && e.scrollWidth > e.clientWidth + 1 };
				}),
		);
		labelsSeen += labels.length;
		for (const c of labels.filter((l) => l.clipped)) cut.push(`${name}: "${c.text}"`);
		if (opened <= 3 || opened === names.length) await shot(page, `operation-${name}`);
		await closeNode(page);
	}
	check(opened === names.length, `operations: opened all ${names.length} operations of ${nodes.filter((n) => !isTrigger(n)).length} action nodes (${opened})`);
	check(repeated.length === 0, `operations: no parameter says a sentence twice${repeated.length ? `:\n        ${repeated.join('\n        ')}` : ''}`);
	check(labelsSeen > 0 && cut.length === 0, `operations: none of the ${labelsSeen} labels shown is cut off${cut.length ? `:\n        ${cut.join('\n        ')}` : ''}`);
}

async function credentials(page: Page, credentialIds: Map<string, { id: string; name: string }>): Promise<void> {
	for (const [type, { id, name }] of credentialIds) {
		await page.goto(`${BASE}/home/credentials/${id}`, { waitUntil: 'networkidle2' });
		const modal = await waitFor(page, '[data-test-id="editCredential-modal"]');
		// Opening a saved credential runs its connection test.
		const passed = await page.waitForSelector('[data-test-id="credentials-config-container-test-success"]', { visible: true, timeout: 60_000 }).then(
			() => true,
			() => false,
		);
		await shot(page, `credential-${name}`);
		check(passed, `credentials: "${name}" (${type}) passes its connection test`);
		void modal;
		await page.keyboard.press('Escape');
		await sleep(500);
	}
}

/** The Mailchimp OAuth2 form, reached as the README says: Create new credential, then the menu at the top right. */
async function oauth2Form(page: Page, nodes: Built[]): Promise<void> {
	const withOAuth2 = nodes.find((n) => !isTrigger(n) && (n.node!.credentials ?? []).some((c) => /OAuth2/i.test(c.name)));
	if (!withOAuth2) return;
	await page.goto(`${BASE}/workflow/${SAMPLE_WORKFLOW}`, { waitUntil: 'networkidle2' });
	await waitFor(page, '[data-test-id="canvas-node"]');
	// The sample's node of that type (its name on the canvas is the workflow's own).
	if (!(await openNode(page, 'Mailchimp'))) throw new Error(`could not open a ${withOAuth2.displayName} node of the sample workflow`);
	await (await waitFor(page, '[data-test-id="node-credentials-select"]')).click();
	await (await waitFor(page, '[data-test-id="node-credentials-select-item-new"]')).click();
	await (await waitFor(page, '[data-test-id="credential-mode-dropdown-trigger"]')).click();
	await sleep(800);
	const choices = await page.$$('[role="menuitem"], [role="option"], .el-dropdown-menu__item, [data-test-id*="credential-mode"] li');
	let picked = false;
	for (const c of choices) {
		const text = await c.evaluate((e) => (e as HTMLElement).innerText.trim());
		if (/^OAuth2/i.test(text)) {
			await c.click();
			picked = true;
			break;
		}
	}
	await sleep(1500);
	const modal = (await texts(page, '[data-test-id="editCredential-modal"]')).join('\n');
	await shot(page, 'credential-oauth2-form');
	check(picked, 'credentials: the menu at the top right of Create new credential offers OAuth2');
	check(/Registered apps/.test(modal) && /OAuth Redirect URL/i.test(modal), 'credentials: the OAuth2 form says where to register the app and shows the redirect URL');
	await page.keyboard.press('Escape');
	await sleep(500);
}

async function webhooks(page: Page): Promise<void> {
	for (const file of WEBHOOK_EXAMPLES) {
		const service = file.replace(/-webhook\.json$/, '');
		const example = { id: exampleWorkflowId(file), service, event: EVENTS[service] };
		await page.goto(`${BASE}/workflow/${example.id}`, { waitUntil: 'networkidle2' });
		await waitFor(page, '[data-test-id="canvas-node"]');
		const isActive = async () => !!(await page.$('[data-test-id="workflow-active-version-indicator"]'));
		check(await isActive(), `webhooks: npm start has the ${example.service} webhook example active (published)`);
		// The trigger's notice tells the user that n8n registers the URL, with its secret, by itself.
		const trigger = await waitFor(page, '[data-test-id="canvas-trigger-node"]');
		const box = await trigger.boundingBox();
		if (box) await page.mouse.click(box.x + box.width / 2, box.y + box.height / 2, { clickCount: 2 });
		await waitFor(page, '[data-test-id="node-parameters"]', 15_000);
		await sleep(800);
		const notice = (await texts(page, '[data-test-id="node-parameters"]')).join(' ').replace(/\s+/g, ' ');
		await shot(page, `webhook-trigger-${example.service}`);
		check(/registers this webhook .* itself/.test(notice) && /Do not paste the URL shown here/.test(notice), `webhooks: the ${example.service} trigger's notice says n8n registers the URL itself and not to paste it by hand`);
		await closeNode(page);
		await sleep(1000);
		// Deactivate and activate it again as a user does in n8n 2.x: Unpublish, then Publish.
		await (await waitFor(page, '[data-test-id="version-menu-button"]')).click();
		await (await waitFor(page, '[data-test-id="version-menu-item-unpublish"]')).click();
		await waitFor(page, '[data-test-id="workflow-history-version-unpublish-modal"]');
		await page.evaluate(() => {
			const modal = document.querySelector('[data-test-id="workflow-history-version-unpublish-modal"]');
			(Array.from(modal?.querySelectorAll('button') ?? []).find((b) => b.innerText.trim() === 'Unpublish') as HTMLElement | undefined)?.click();
		});
		await page.waitForSelector('[data-test-id="workflow-active-version-indicator"]', { hidden: true, timeout: 30_000 }).catch(() => undefined);
		check(!(await isActive()), `webhooks: Unpublish deactivates the ${example.service} webhook example`);
		await (await waitFor(page, '[data-test-id="workflow-open-publish-modal-button"]')).click();
		await (await waitFor(page, '[data-test-id="workflow-publish-button"]')).click();
		await page.waitForSelector('[data-test-id="workflow-active-version-indicator"]', { visible: true, timeout: 60_000 }).catch(() => undefined);
		await sleep(500);
		await shot(page, `webhook-example-${example.service}-published`);
		check(await isActive(), `webhooks: Publish activates the ${example.service} webhook example again (n8n registers its webhook with the sandbox)`);
		const succeeded = async () => {
			await page.goto(`${BASE}/workflow/${example.id}/executions`, { waitUntil: 'networkidle2' });
			await sleep(1500);
			return ((await texts(page, '[data-test-id="current-executions-list"]')).join('\n').match(/Succeeded/g) ?? []).length;
		};
		const before = await succeeded();
		const fired = await fetch(`http://127.0.0.1:${SANDBOX_PORT}/_sandbox/fire/${example.service}/${example.event}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
		const body = (await fired.json()) as { deliveries?: Array<{ status: number }> };
		check(fired.ok && body.deliveries?.length === 1 && body.deliveries[0].status === 200, `webhooks: the sandbox delivered a ${example.service} ${example.event} event (answers: ${JSON.stringify(body.deliveries?.map((d) => d.status))})`);
		let after = before;
		const deadline = Date.now() + 60_000;
		while (after <= before && Date.now() < deadline) after = await succeeded();
		await shot(page, `webhook-executions-${example.service}`);
		check(after === before + 1, `webhooks: the ${example.service} event started one more execution that succeeded (Executions list: ${before} before, ${after} after)`);
	}
}

async function main(): Promise<number> {
	const started = Date.now();
	if (!existsSync(CHROMIUM)) throw new Error(`No Chromium at ${CHROMIUM}: apt-get install -y chromium (or set CHROMIUM)`);
	rmSync(SHOTS, { recursive: true, force: true });
	mkdirSync(SHOTS, { recursive: true });
	const nodes = builtNodes();
	console.log('Starting n8n and the sandbox (npm start)...');
	const n8n = await startN8nAndSandbox();
	const profile = mkdtempSync(path.join(os.tmpdir(), 'audsync-chromium-'));
	let browser: Browser | undefined;
	try {
		console.log(`n8n is up after ${((Date.now() - started) / 1000).toFixed(0)} s; Chromium drives the editor at ${BASE}:`);
		browser = await puppeteer.launch({
			executablePath: CHROMIUM,
			headless: true,
			args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', `--user-data-dir=${profile}`],
		});
		const page = await browser.newPage();
		page.setDefaultTimeout(30_000);
		await page.setViewport({ width: 1400, height: 900 });
		const only = process.env.EDITOR_STEPS?.split(',').map((s) => s.trim());
		const step = async (name: string, run: () => Promise<void>) => {
			if (only && name !== 'login' && !only.includes(name)) return;
			try {
				await run();
			} catch (error) {
				await shot(page, `error-${name}`).catch(() => undefined);
				check(false, `${name}: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`);
			}
		};
		await step('login', () => login(page, n8n.email, n8n.password));
		// The credentials npm start imports (tools/start.ts importSandboxData).
		const credentialIds = new Map<string, { id: string; name: string }>([
			['activeCampaignSyncApi', { id: SANDBOX_CREDENTIALS.activeCampaign, name: 'ActiveCampaign sandbox' }],
			['mailchimpSyncApi', { id: SANDBOX_CREDENTIALS.mailchimp, name: 'Mailchimp sandbox' }],
		]);
		await step('sample workflow', () => runSample(page));
		await step('nodes panel', () => nodesPanel(page, nodes));
		await step('operations', () => operations(page, nodes, credentialIds));
		await step('credentials', () => credentials(page, credentialIds));
		await step('OAuth2 form', () => oauth2Form(page, nodes));
		await step('webhooks', () => webhooks(page));
	} finally {
		await browser?.close().catch(() => undefined);
		await stop(n8n.child);
		rmSync(profile, { recursive: true, force: true });
	}
	const seconds = ((Date.now() - started) / 1000).toFixed(0);
	console.log(
		problems.length
			? `\ntest:editor FAILED after ${seconds} s (${problems.length} problems); screenshots in ${path.relative(PACKAGE_DIR, SHOTS)}/`
			: `\ntest:editor passed in ${seconds} s; screenshots in ${path.relative(PACKAGE_DIR, SHOTS)}/`,
	);
	return problems.length ? 1 : 0;
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
