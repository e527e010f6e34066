/* eslint-disable @n8n/community-nodes/no-restricted-globals, @n8n/community-nodes/no-restricted-imports, no-console -- a developer tool, never shipped: Node globals, Node modules, console output are fine here */
/**
 * `npm run demo`: the sample workflow examples/activecampaign-to-mailchimp.json, run headless
 * through n8n's real execution engine (n8n-core's WorkflowExecute) against the offline sandbox.
 * It syncs twice (the second run must only update), prints a summary, and exits 0 only if the
 * sandbox's Mailchimp audience really holds every ActiveCampaign contact afterwards.
 */
import '../../test/setup-env';

import { readFileSync } from 'node:fs';
import path from 'node:path';

import type { IDataObject, INode, IWorkflowBase } from 'n8n-workflow';

import { SANDBOX_AUDIENCE_ID, sampleSyncProblems, seedSandbox } from '../../test/emulator/seed';
import { AC_TEST_KEY, MC_TEST_KEY, startEmulator } from '../../test/emulator/server';
import { PACKAGE_DIR, runWorkflow, shutdownEngine } from '../../test/harness/n8n';

const WORKFLOW = path.join(PACKAGE_DIR, 'examples', 'activecampaign-to-mailchimp.json');
const OUR_NODES = 'n8n-nodes-audience-sync.';

async function main(): Promise<number> {
	const emulator = await startEmulator({ latencyMs: Number(process.env.DEMO_LATENCY_MS ?? 20) });
	seedSandbox(emulator);
	const workflow = JSON.parse(readFileSync(WORKFLOW, 'utf8')) as IWorkflowBase;
	// The manual trigger only starts the run: begin at the first node of this package.
	const nodes = workflow.nodes.filter((n: INode) => n.type.startsWith(OUR_NODES));
	const names = new Set(nodes.map((n) => n.name));
	const connections = Object.fromEntries(Object.entries(workflow.connections).filter(([from]) => names.has(from)));
	const [reader, writer] = nodes.map((n) => n.name);
	const credentials = {
		activeCampaignSyncApi: { apiUrl: emulator.url, apiKey: AC_TEST_KEY },
		mailchimpSyncApi: { apiKey: MC_TEST_KEY, useCustomBaseUrl: true, baseUrl: emulator.mcBaseUrl },
	};

	console.log(`Sandbox on ${emulator.url}: ${emulator.ac.contacts.size} ActiveCampaign contacts, Mailchimp audience ${SANDBOX_AUDIENCE_ID} with ${emulator.mc.lists.get(SANDBOX_AUDIENCE_ID)!.members.size} members.`);
	console.log(`Workflow: "${workflow.name}" (${path.relative(PACKAGE_DIR, WORKFLOW)})\n`);

	let ok = true;
	for (const pass of [1, 2]) {
		emulator.resetCounts();
		const started = Date.now();
		const result = await runWorkflow({ nodes, connections, settings: workflow.settings }, credentials);
		const seconds = (Date.now() - started) / 1000;
		const failed = result.error(reader) ?? result.error(writer);
		const read = result.output(reader).length;
		const outcomes = result.output(writer).map((i) => i.json as IDataObject);
		const count = (status: string) => outcomes.filter((o) => o.status === status).length;
		const errors = outcomes.filter((o) => o.error).length + (failed ? 1 : 0);
		console.log(`Run ${pass}: contacts read ${read}, members created ${count('created')}, updated ${count('updated')}, errors ${errors}, requests ${emulator.log.length} (ActiveCampaign ${emulator.log.filter((l) => l.path.startsWith('/api/3')).length}, Mailchimp ${emulator.log.filter((l) => l.path.startsWith('/3.0')).length}), ${seconds.toFixed(2)} s`);
		if (failed) console.log(`  failed: ${failed.message}`);
		const expected = pass === 1 ? { created: read, updated: 0 } : { created: 0, updated: read };
		if (failed || errors || count('created') !== expected.created || count('updated') !== expected.updated) ok = false;
	}

	// The sync really happened: every contact active on Newsletter is now a member, with its name, and
	// nobody who is not active on Newsletter (who unsubscribed from it) was subscribed.
	const check = sampleSyncProblems(emulator);
	console.log(`\nSandbox check: ${check.synced} of ${check.expected} contacts active on Newsletter are members with matching names (${emulator.ac.contacts.size - check.expected} contacts are not active on Newsletter and must not be subscribed); audience now has ${emulator.mc.lists.get(SANDBOX_AUDIENCE_ID)!.members.size} members.`);
	if (check.problems.length) {
		ok = false;
		console.log(`  ${check.problems.slice(0, 5).join('\n  ')}`);
	}
	console.log(ok ? 'Demo passed.' : 'Demo FAILED.');
	await emulator.stop();
	shutdownEngine();
	return ok ? 0 : 1;
}

main().then(
	(code) => process.exit(code),
	(error: unknown) => {
		console.error(error);
		process.exit(1);
	},
);
