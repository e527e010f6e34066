/* eslint-disable @n8n/community-nodes/no-restricted-imports -- test code, never shipped: Node modules are fine here */
import { readFileSync } from 'node:fs';
import path from 'node:path';

import type { INode, IWorkflowBase } from 'n8n-workflow';

import { subscriberHash } from '../emulator/mailchimp';
import { SANDBOX_AUDIENCE_ID, sampleSyncProblems, seedSandbox } from '../emulator/seed';
import { AC_TEST_KEY, type Emulator, MC_TEST_KEY, startEmulator } from '../emulator/server';
import { PACKAGE_DIR, runWorkflow } from '../harness/n8n';

/**
 * The sample workflow `npm start` opens and `npm run demo` runs (examples/activecampaign-to-mailchimp.json),
 * through n8n's engine against the sandbox: a contact who unsubscribed from Newsletter in
 * ActiveCampaign never becomes a subscribed Mailchimp member, even when active on another list.
 */
let emulator: Emulator;
afterEach(async () => {
	await emulator?.stop();
});

test('the sample sync subscribes only contacts active on Newsletter, never one who unsubscribed from it', async () => {
	emulator = await startEmulator();
	seedSandbox(emulator, 30);
	const { ac, mc } = emulator;
	const newsletter = [...ac.lists.values()].find((l) => l.name === 'Newsletter')!;
	const status = (contact: string, list: string) => [...ac.contactLists.values()].find((r) => r.contact === contact && r.list === list)?.status;
	// Someone who unsubscribed from Newsletter and is a customer (active on Customers).
	const unsubscribed = [...ac.contacts.values()].filter((c) => status(c.id, newsletter.id) === '2');
	const alsoActiveElsewhere = unsubscribed.filter((c) => [...ac.contactLists.values()].some((r) => r.contact === c.id && r.status === '1'));
	expect(alsoActiveElsewhere.length).toBeGreaterThan(0);

	const workflow = JSON.parse(readFileSync(path.join(PACKAGE_DIR, 'examples', 'activecampaign-to-mailchimp.json'), 'utf8')) as IWorkflowBase;
	const nodes = workflow.nodes.filter((n: INode) => n.type.startsWith('n8n-nodes-audience-sync.'));
	const names = new Set(nodes.map((n) => n.name));
	const connections = Object.fromEntries(Object.entries(workflow.connections).filter(([from]) => names.has(from)));
	const result = await runWorkflow({ nodes, connections }, {
		activeCampaignSyncApi: { apiUrl: emulator.url, apiKey: AC_TEST_KEY },
		mailchimpSyncApi: { apiKey: MC_TEST_KEY, useCustomBaseUrl: true, baseUrl: emulator.mcBaseUrl },
	});
	for (const n of nodes) expect(result.error(n.name)).toBeUndefined();

	const members = mc.lists.get(SANDBOX_AUDIENCE_ID)!.members;
	const subscribedAgainstTheirWish = unsubscribed.filter((c) => members.get(subscriberHash(c.email))?.status === 'subscribed').map((c) => c.email);
	expect(subscribedAgainstTheirWish).toEqual([]);
	// And the demo's own check agrees.
	expect(sampleSyncProblems(emulator).problems).toEqual([]);
});
