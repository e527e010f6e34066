/* eslint-disable @n8n/community-nodes/no-restricted-imports -- test code, never shipped: Node modules are fine here */
import { readFileSync } from 'node:fs';
import path from 'node:path';

import type { INode, IWorkflowBase } from 'n8n-workflow';

import { subscriberHash } from '../emulator/mailchimp';
import { SANDBOX_AUDIENCE_ID, seedSandbox } from '../emulator/seed';
import { type Emulator, MC_TEST_KEY, startEmulator } from '../emulator/server';
import { PACKAGE_DIR, runWorkflow } from '../harness/n8n';

/**
 * The AI agent example (examples/ai-agent-tools.json): whatever address a chat asks its Mailchimp
 * tool to add, nobody becomes a subscribed member without their own consent. Its tool node is run
 * through n8n's engine as the plain node, with the values the model would fill in for $fromAI.
 */
let emulator: Emulator;
afterEach(async () => {
	await emulator?.stop();
});

test('the agent\'s Mailchimp tool never subscribes someone who unsubscribed: a new member must confirm (pending)', async () => {
	emulator = await startEmulator();
	seedSandbox(emulator, 30);
	const { ac, mc } = emulator;
	const newsletter = [...ac.lists.values()].find((l) => l.name === 'Newsletter')!;
	const gone = [...ac.contacts.values()].find((c) => [...ac.contactLists.values()].some((r) => r.contact === c.id && r.list === newsletter.id && r.status === '2'))!;
	const members = mc.lists.get(SANDBOX_AUDIENCE_ID)!.members;
	expect(members.has(subscriberHash(gone.email))).toBe(false);

	const workflow = JSON.parse(readFileSync(path.join(PACKAGE_DIR, 'examples', 'ai-agent-tools.json'), 'utf8')) as IWorkflowBase;
	const tool = workflow.nodes.find((n: INode) => n.type === 'n8n-nodes-audience-sync.mailchimpSyncTool')!;
	// What the model fills in: the address a chat message named, and a first name.
	const filled = JSON.parse(
		JSON.stringify(tool.parameters).replace(/\$fromAI\('(\w+)'[^)]*\)/g, (_, key: string) => JSON.stringify(key === 'email' ? gone.email : gone.firstName).replace(/"/g, "'")),
	) as INode['parameters'];
	const node: INode = { ...tool, type: 'n8n-nodes-audience-sync.mailchimpSync', parameters: filled };
	const result = await runWorkflow({ nodes: [node], connections: {} }, { mailchimpSyncApi: { apiKey: MC_TEST_KEY, useCustomBaseUrl: true, baseUrl: emulator.mcBaseUrl } });
	expect(result.error(node.name)).toBeUndefined();
	const member = members.get(subscriberHash(gone.email));
	expect(member?.status).not.toBe('subscribed');
	expect(member?.status).toBe('pending');
});
