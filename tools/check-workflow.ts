/* eslint-disable @n8n/community-nodes/no-restricted-imports -- a developer tool, never shipped: Node modules are fine here */
/**
 * The workflow `npm start -- --check` runs in real n8n: every operation of both action nodes,
 * once each, in one chain against the sandbox, then what the sandbox must hold afterwards.
 * Every node runs once (Execute Once) with fixed values and always passes an item on, so one
 * operation never decides how often the next runs. The operations are read from the built nodes:
 * an operation added without a step here makes the check fail.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';

import { subscriberHash } from '../test/emulator/mailchimp';
import { SANDBOX_AUDIENCE_ID } from '../test/emulator/seed';
import type { Emulator } from '../test/emulator/server';
import { PACKAGE_DIR } from '../test/harness/n8n';

export const CHECK_WORKFLOW_ID = 'audsyncCheckAllOps';

const AC_TYPE = 'n8n-nodes-audience-sync.activeCampaignSync';
const MC_TYPE = 'n8n-nodes-audience-sync.mailchimpSync';

const LIST_NAME = 'Audience Sync check';
const TAG_NAME = 'audience-sync-check';
const EMAIL = { created: 'check.create@example.com', upserted: 'check.upsert@example.com', bulk: 'check.bulk@example.com' };

interface Step {
	type: typeof AC_TYPE | typeof MC_TYPE;
	resource: string;
	operation: string;
	parameters?: Record<string, unknown>;
}

const byEmail = (email: string) => ({ __rl: true, mode: 'email', value: email });
const byName = (name: string) => ({ __rl: true, mode: 'name', value: name });
const audience = { __rl: true, mode: 'id', value: SANDBOX_AUDIENCE_ID };

/** In order: what a later step reads or changes is created by an earlier one. */
export const CHECK_STEPS: Step[] = [
	// ActiveCampaign Sync
	{ type: AC_TYPE, resource: 'list', operation: 'create', parameters: { name: LIST_NAME, senderUrl: 'https://example.com', senderReminder: 'You signed up on example.com.' } },
	{ type: AC_TYPE, resource: 'list', operation: 'get', parameters: { list: byName(LIST_NAME) } },
	{ type: AC_TYPE, resource: 'list', operation: 'getAll', parameters: { returnAll: false, limit: 5 } },
	{ type: AC_TYPE, resource: 'contact', operation: 'create', parameters: { email: EMAIL.created, additionalFields: { firstName: 'Check', lastName: 'Created' } } },
	{ type: AC_TYPE, resource: 'contact', operation: 'upsert', parameters: { email: EMAIL.upserted, additionalFields: { firstName: 'Check' } } },
	{ type: AC_TYPE, resource: 'contact', operation: 'upsertMany', parameters: { email: EMAIL.bulk, additionalFields: { firstName: 'Bulk' } } },
	{ type: AC_TYPE, resource: 'contact', operation: 'get', parameters: { contact: byEmail(EMAIL.created) } },
	{ type: AC_TYPE, resource: 'contact', operation: 'getAll', parameters: { returnAll: false, limit: 5 } },
	{ type: AC_TYPE, resource: 'contact', operation: 'update', parameters: { contact: byEmail(EMAIL.created), updateFields: { lastName: 'Updated' } } },
	{ type: AC_TYPE, resource: 'list', operation: 'subscribe', parameters: { list: byName(LIST_NAME), contact: byEmail(EMAIL.created) } },
	{ type: AC_TYPE, resource: 'list', operation: 'unsubscribe', parameters: { list: byName(LIST_NAME), contact: byEmail(EMAIL.created) } },
	{ type: AC_TYPE, resource: 'tag', operation: 'create', parameters: { name: TAG_NAME, description: 'Created by npm start -- --check' } },
	{ type: AC_TYPE, resource: 'tag', operation: 'getAll', parameters: { returnAll: false, limit: 5 } },
	{ type: AC_TYPE, resource: 'tag', operation: 'addToContact', parameters: { contact: byEmail(EMAIL.created), tag: byName(TAG_NAME) } },
	{ type: AC_TYPE, resource: 'tag', operation: 'removeFromContact', parameters: { contact: byEmail(EMAIL.created), tag: byName(TAG_NAME) } },
	{ type: AC_TYPE, resource: 'customField', operation: 'getAll', parameters: { returnAll: true } },
	{ type: AC_TYPE, resource: 'contact', operation: 'delete', parameters: { contact: byEmail(EMAIL.upserted) } },
	// Mailchimp Sync
	{ type: MC_TYPE, resource: 'audience', operation: 'getAll', parameters: { returnAll: false, limit: 5 } },
	{ type: MC_TYPE, resource: 'audience', operation: 'get', parameters: { audience } },
	{ type: MC_TYPE, resource: 'mergeField', operation: 'getAll', parameters: { audience, returnAll: true } },
	{ type: MC_TYPE, resource: 'member', operation: 'create', parameters: { audience, email: EMAIL.created, status: 'subscribed', additionalFields: {} } },
	{ type: MC_TYPE, resource: 'member', operation: 'upsert', parameters: { audience, email: EMAIL.upserted, statusIfNew: 'subscribed', additionalFields: {} } },
	{ type: MC_TYPE, resource: 'member', operation: 'upsertMany', parameters: { audience, email: EMAIL.bulk, status: 'subscribed', additionalFields: {} } },
	{ type: MC_TYPE, resource: 'member', operation: 'get', parameters: { audience, email: EMAIL.created } },
	{ type: MC_TYPE, resource: 'member', operation: 'getAll', parameters: { audience, returnAll: false, limit: 5 } },
	{
		type: MC_TYPE,
		resource: 'member',
		operation: 'update',
		parameters: { audience, email: EMAIL.created, updateFields: { mergeFields: { field: [{ field: 'FNAME', value: 'Checked' }] } } },
	},
	{ type: MC_TYPE, resource: 'memberTag', operation: 'add', parameters: { audience, email: EMAIL.created, tags: TAG_NAME } },
	{ type: MC_TYPE, resource: 'memberTag', operation: 'remove', parameters: { audience, email: EMAIL.created, tags: TAG_NAME } },
	{ type: MC_TYPE, resource: 'member', operation: 'archive', parameters: { audience, email: EMAIL.upserted } },
	{ type: MC_TYPE, resource: 'member', operation: 'deletePermanently', parameters: { audience, email: EMAIL.bulk } },
];

const stepName = (step: Step) => `${step.type === AC_TYPE ? 'ActiveCampaign' : 'Mailchimp'} ${step.resource} ${step.operation}`;

/** Every resource/operation pair the built node offers (what users can pick in the editor). */
export function builtOperations(type: typeof AC_TYPE | typeof MC_TYPE): string[] {
	const file = type === AC_TYPE ? 'ActiveCampaignSync/ActiveCampaignSync.node.js' : 'MailchimpSync/MailchimpSync.node.js';
	const className = path.basename(file, '.node.js');
	// eslint-disable-next-line @typescript-eslint/no-require-imports
	const NodeClass = (require(path.join(PACKAGE_DIR, 'dist', 'nodes', file)) as Record<string, new () => { description: { properties: Property[] } }>)[className];
	const pairs: string[] = [];
	for (const property of new NodeClass().description.properties) {
		if (property.name !== 'operation') continue;
		for (const resource of property.displayOptions?.show?.resource ?? []) {
			for (const option of property.options ?? []) pairs.push(`${resource}.${option.value}`);
		}
	}
	return pairs;
}
interface Property {
	name: string;
	options?: Array<{ value: string }>;
	displayOptions?: { show?: { resource?: string[] } };
}

/** Operations of the built nodes that CHECK_STEPS does not run, or runs twice. */
export function coverageProblems(): string[] {
	const problems: string[] = [];
	for (const type of [AC_TYPE, MC_TYPE] as const) {
		const planned = CHECK_STEPS.filter((s) => s.type === type).map((s) => `${s.resource}.${s.operation}`);
		for (const op of builtOperations(type)) {
			const times = planned.filter((p) => p === op).length;
			if (times !== 1) problems.push(`${type} ${op} is run ${times} times by the check workflow (expected once)`);
		}
		for (const op of planned) if (!builtOperations(type).includes(op)) problems.push(`${type} has no operation ${op}`);
	}
	return problems;
}

/** The workflow, with the sandbox credentials' ids. */
export function checkWorkflow(credentials: { activeCampaign: string; mailchimp: string }) {
	const trigger = { id: 'audsync-check-00', name: 'Start', type: 'n8n-nodes-base.manualTrigger', typeVersion: 1, position: [0, 0], parameters: {} };
	const nodes = CHECK_STEPS.map((step, i) => ({
		id: `audsync-check-${String(i + 1).padStart(2, '0')}`,
		name: stepName(step),
		type: step.type,
		typeVersion: 1,
		position: [220 * (i + 1), 0],
		executeOnce: true,
		alwaysOutputData: true,
		parameters: { resource: step.resource, operation: step.operation, ...step.parameters },
		credentials:
			step.type === AC_TYPE
				? { activeCampaignSyncApi: { id: credentials.activeCampaign, name: 'ActiveCampaign sandbox' } }
				: { mailchimpSyncApi: { id: credentials.mailchimp, name: 'Mailchimp sandbox' } },
	}));
	const chain = [trigger, ...nodes];
	const connections = Object.fromEntries(
		chain.slice(0, -1).map((node, i) => [node.name, { main: [[{ node: chain[i + 1].name, type: 'main', index: 0 }]] }]),
	);
	return {
		id: CHECK_WORKFLOW_ID,
		name: 'npm start --check: every operation of both nodes once',
		nodes: chain,
		connections,
		settings: { executionOrder: 'v1' },
		pinData: {},
		active: false,
	};
}

interface RunData {
	data: { resultData: { error?: { message?: string }; runData: Record<string, Array<{ error?: { message?: string }; data?: { main?: Array<Array<{ json: Record<string, unknown> }> | null> } }>> } };
}

/** Reads `n8n execute --rawOutput`: the run's JSON, after any log lines n8n printed first. */
export function parseRawOutput(output: string): RunData {
	const start = output.search(/^\{$/m);
	if (start < 0) throw new Error(`n8n execute printed no run data:\n${output.slice(-2000)}`);
	return JSON.parse(output.slice(start)) as RunData;
}

/** What must be true after one run: each step ran once without error, and the sandbox changed accordingly. */
export function checkProblems(run: RunData, emulator: Emulator): string[] {
	const problems: string[] = [];
	const { runData, error } = run.data.resultData;
	if (error) problems.push(`the run failed: ${error.message}`);
	for (const step of CHECK_STEPS) {
		const tasks = runData[stepName(step)] ?? [];
		if (tasks.length !== 1) problems.push(`${stepName(step)} ran ${tasks.length} times`);
		else if (tasks[0].error) problems.push(`${stepName(step)} failed: ${tasks[0].error.message}`);
		else if (!(tasks[0].data?.main?.[0]?.length ?? 0)) problems.push(`${stepName(step)} returned no item`);
	}
	const { ac, mc } = emulator;
	const contact = (email: string) => [...ac.contacts.values()].find((c) => c.email === email);
	const created = contact(EMAIL.created);
	const list = [...ac.lists.values()].find((l) => l.name === LIST_NAME);
	const tag = [...ac.tags.values()].find((t) => t.tag === TAG_NAME);
	if (!list) problems.push(`ActiveCampaign: no list "${LIST_NAME}"`);
	if (!tag) problems.push(`ActiveCampaign: no tag "${TAG_NAME}"`);
	if (created?.lastName !== 'Updated') problems.push(`ActiveCampaign: ${EMAIL.created} was not created and updated`);
	if (contact(EMAIL.upserted)) problems.push(`ActiveCampaign: ${EMAIL.upserted} was not deleted`);
	if (contact(EMAIL.bulk)?.firstName !== 'Bulk') problems.push(`ActiveCampaign: ${EMAIL.bulk} was not upserted`);
	if (created && list && ac.contactLists.get(`${created.id}:${list.id}`)?.status !== '2') problems.push(`ActiveCampaign: ${EMAIL.created} is not unsubscribed from "${LIST_NAME}"`);
	if (created && tag && [...ac.contactTags.values()].some((t) => t.contact === created.id && t.tag === tag.id)) problems.push(`ActiveCampaign: tag "${TAG_NAME}" is still on ${EMAIL.created}`);

	const audienceState = mc.lists.get(SANDBOX_AUDIENCE_ID)!;
	const member = (email: string) => audienceState.members.get(subscriberHash(email));
	const mcCreated = member(EMAIL.created);
	if (mcCreated?.status !== 'subscribed' || mcCreated.merge_fields.FNAME !== 'Checked') problems.push(`Mailchimp: ${EMAIL.created} was not created and updated`);
	if (mcCreated?.tags.some((t) => t.name === TAG_NAME)) problems.push(`Mailchimp: tag "${TAG_NAME}" is still on ${EMAIL.created}`);
	if (member(EMAIL.upserted)?.status !== 'archived') problems.push(`Mailchimp: ${EMAIL.upserted} was not upserted and archived`);
	if (member(EMAIL.bulk) || !audienceState.forgotten.has(subscriberHash(EMAIL.bulk))) problems.push(`Mailchimp: ${EMAIL.bulk} was not upserted and deleted permanently`);
	return problems;
}

/** Node type names and codex categories as the running n8n serves them to the editor. */
export function readCodexProblems(types: Array<{ name: string; codex?: { categories?: string[] } }>): string[] {
	const pkg = JSON.parse(readFileSync(path.join(PACKAGE_DIR, 'package.json'), 'utf8')) as { n8n: { nodes: string[] } };
	const problems: string[] = [];
	for (const entry of pkg.n8n.nodes) {
		const codex = JSON.parse(readFileSync(path.join(PACKAGE_DIR, entry.replace(/\.js$/, '.json')), 'utf8')) as { node: string; categories: string[] };
		const served = types.find((t) => t.name === codex.node);
		if (!served) problems.push(`n8n does not list ${codex.node}`);
		else if (!codex.categories.every((c) => served.codex?.categories?.includes(c))) problems.push(`n8n serves ${codex.node} without its codex categories`);
	}
	return problems;
}
