/* eslint-disable @n8n/community-nodes/no-restricted-imports -- a developer tool, never shipped: Node modules are fine here */
/**
 * `npm start -- --check`: the scheduled sync example (examples/scheduled-sync.json) carries
 * consent. Its polling trigger cannot be run on demand (a first poll only sets its starting
 * point), so the check runs the example's own nodes after that trigger, unchanged, fed by a manual
 * trigger and a Get Many that reads two changed contacts: one unsubscribed from Newsletter, one
 * active on it. Afterwards the unsubscribed one must be an unsubscribed member (or none), never a
 * subscribed one, and the active one a subscribed member with its names.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';

import { subscriberHash } from '../test/emulator/mailchimp';
import { SANDBOX_AUDIENCE_ID } from '../test/emulator/seed';
import type { Emulator } from '../test/emulator/server';
import { PACKAGE_DIR } from '../test/harness/n8n';
import { consentContact } from './webhooks';

export const CONSENT_WORKFLOW_ID = 'audsyncConsentCheck';
const TRIGGER_TYPE = 'n8n-nodes-audience-sync.activeCampaignSyncTrigger';
const EMAILS = { unsubscribed: 'consent.unsubscribed@example.com', active: 'consent.active@example.com' };

interface Node {
	name: string;
	type: string;
	credentials?: Record<string, unknown>;
	[key: string]: unknown;
}
interface Workflow {
	name: string;
	nodes: Node[];
	connections: Record<string, unknown>;
	[key: string]: unknown;
}

/** The two changed contacts, in the sandbox. */
export function seedConsentContacts(emulator: Emulator): void {
	consentContact(emulator, EMAILS.unsubscribed);
	const active = emulator.ac.addContact({ email: EMAILS.active, firstName: 'Given', lastName: 'Consent' });
	emulator.ac.subscribe(active.id, [...emulator.ac.lists.values()][0].id, '1');
}

/** The scheduled sync example with its ActiveCampaign trigger replaced by a manual run over the two contacts. */
export function consentWorkflow(): Workflow & { id: string } {
	const example = JSON.parse(readFileSync(path.join(PACKAGE_DIR, 'examples', 'scheduled-sync.json'), 'utf8')) as Workflow;
	const trigger = example.nodes.find((n) => n.type === TRIGGER_TYPE);
	if (!trigger) throw new Error('examples/scheduled-sync.json has no ActiveCampaign Sync Trigger');
	const run: Node = { name: 'Run the consent check', type: 'n8n-nodes-base.manualTrigger', typeVersion: 1, position: [-440, 0], parameters: {}, id: 'c0a5e17c-0000-4000-8000-000000000001' };
	const changed: Node = {
		name: 'Two changed contacts',
		type: 'n8n-nodes-audience-sync.activeCampaignSync',
		typeVersion: 1,
		position: [-220, 0],
		id: 'c0a5e17c-0000-4000-8000-000000000002',
		parameters: { resource: 'contact', operation: 'getAll', returnAll: true, filters: { search: 'consent.' } },
		credentials: trigger.credentials,
	};
	const downstream = example.connections[trigger.name];
	return {
		...example,
		id: CONSENT_WORKFLOW_ID,
		name: `Consent check: ${example.name}`,
		nodes: [run, changed, ...example.nodes.filter((n) => n !== trigger)],
		connections: {
			...Object.fromEntries(Object.entries(example.connections).filter(([from]) => from !== trigger.name)),
			[run.name]: { main: [[{ node: changed.name, type: 'main', index: 0 }]] },
			[changed.name]: downstream,
		},
	};
}

/** What the run must leave in the sandbox's Mailchimp audience; a line for the report, or problems. */
export function consentProblems(emulator: Emulator): { report: string; problems: string[] } {
	const members = emulator.mc.lists.get(SANDBOX_AUDIENCE_ID)!.members;
	const withdrawn = members.get(subscriberHash(EMAILS.unsubscribed));
	const given = members.get(subscriberHash(EMAILS.active));
	const problems: string[] = [];
	if (withdrawn && withdrawn.status !== 'unsubscribed') problems.push(`${EMAILS.unsubscribed} is unsubscribed from Newsletter in ActiveCampaign but became a Mailchimp member with status ${withdrawn.status}`);
	if (given?.status !== 'subscribed' || given.merge_fields.FNAME !== 'Given') problems.push(`${EMAILS.active} is active on Newsletter but is not a subscribed member with its names (${given ? given.status : 'no member'})`);
	return {
		report: `scheduled sync example: ${EMAILS.unsubscribed} (unsubscribed from Newsletter) → ${withdrawn ? `${withdrawn.status} member` : 'skipped'}; ${EMAILS.active} (active) → ${given ? `${given.status} member` : 'no member'}.`,
		problems,
	};
}
