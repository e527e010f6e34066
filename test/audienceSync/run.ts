/* eslint-disable @typescript-eslint/no-explicit-any -- test code, never shipped: untyped JSON from outputs is fine here */
import type { ICredentialDataDecryptedObject, IDataObject, INodeParameters } from 'n8n-workflow';

import { subscriberHash } from '../emulator/mailchimp';
import { AC_TEST_KEY, Emulator, type EmulatorOptions, MC_TEST_KEY, MC_TEST_OAUTH_TOKEN, type RequestInfo } from '../emulator/server';
import { mailchimpOAuthCredential } from '../nodes/workflow';
import { runWorkflow } from '../harness/n8n';

/** Runs the Audience Sync node through n8n's engine against the emulator, and sets up a list and an audience. */

/**
 * The emulator the tests of a file (or of a describe block) talk to: ActiveCampaign allows 1,000
 * requests a second unless `options` say otherwise (runSync's node sends up to 1,000). Started before
 * the first test and stopped after the last; no fault or answer hook a test set outlives that test.
 */
export function testEmulator(options: EmulatorOptions = {}): Emulator {
	const emulator = new Emulator({ acRatePerSecond: 1000, ...options });
	beforeAll(() => emulator.start());
	afterAll(() => emulator.stop());
	afterEach(() => {
		emulator.faults = [];
		emulator.beforeAnswer = undefined;
	});
	return emulator;
}

/**
 * Makes `change` once, just before the emulator answers the first request `when` picks, as live
 * traffic would (the emulator's answer hook, cleared after the test); `made()` says whether it did.
 */
export function changeOnce(emulator: Emulator, when: (request: RequestInfo) => boolean, change: () => void): () => boolean {
	let made = false;
	emulator.beforeAnswer = (request) => {
		if (made || !when(request)) return;
		made = true;
		change();
	};
	return () => made;
}

/** The node's list and audience parameters, both By ID. */
export const sides = (listId: string, audienceId: string): INodeParameters => ({
	list: { __rl: true, mode: 'id', value: listId },
	audience: { __rl: true, mode: 'id', value: audienceId },
});

export interface SyncRun {
	differences: IDataObject[];
	summary: IDataObject;
	error?: Error & Record<string, any>;
}

export async function runSync(emulator: Emulator, parameters: INodeParameters, options: { continueOnFail?: boolean; oauth?: boolean } = {}): Promise<SyncRun> {
	const mailchimpType = options.oauth ? 'mailchimpSyncOAuth2Api' : 'mailchimpSyncApi';
	const credentials: Record<string, ICredentialDataDecryptedObject> = {
		activeCampaignSyncApi: { apiUrl: emulator.url, apiKey: AC_TEST_KEY },
		[mailchimpType]: options.oauth ? mailchimpOAuthCredential(emulator) : { apiKey: MC_TEST_KEY, useCustomBaseUrl: true, baseUrl: emulator.mcBaseUrl },
	};
	if (options.oauth) parameters = { authentication: 'oAuth2', ...parameters };
	const workflow = {
		nodes: [
			{
				id: 'sync',
				name: 'Audience Sync',
				type: 'n8n-nodes-audience-sync.audienceSync',
				typeVersion: 1,
				position: [0, 0] as [number, number],
				parameters: { limits: { requestsPerSecond: 1000 }, ...parameters },
				credentials: { activeCampaignSyncApi: { id: '1', name: 'AC' }, [mailchimpType]: { id: '2', name: 'MC' } },
				...(options.continueOnFail ? { onError: 'continueRegularOutput' as const } : {}),
			},
		],
		connections: {},
	};
	const result = await runWorkflow(workflow, credentials);
	const run = result.run.data.resultData.runData['Audience Sync']?.[0];
	const main = run?.data?.main ?? [];
	const error = result.error('Audience Sync') as SyncRun['error'];
	const seen = JSON.stringify({ main, error, message: error?.message, description: error?.description });
	for (const key of [AC_TEST_KEY, MC_TEST_KEY, MC_TEST_OAUTH_TOKEN]) if (seen.includes(key)) throw new Error('An API key leaked into the output or error of Audience Sync');
	return { differences: (main[0] ?? []).map((i) => i.json), summary: (main[1] ?? [])[0]?.json ?? {}, error };
}

let made = 0;

/** A fresh ActiveCampaign list and Mailchimp audience, and helpers to fill and read them. */
export function scenario(emulator: Emulator) {
	const n = ++made;
	const list: { id: string; name: string } = emulator.ac.addList(`Sync list ${n}`);
	const audienceId = `audsync${String(n).padStart(4, '0')}`;
	emulator.mc.addList(audienceId, `Sync audience ${n}`);
	const base = sides(list.id, audienceId);
	return {
		list,
		audienceId,
		/** A contact on the list with a list status (1 active, 2 unsubscribed, 3 bounced, 0 unconfirmed). */
		ac(email: string, status = '1', data: { firstName?: string; lastName?: string; phone?: string } = {}) {
			const contact = emulator.ac.addContact({ email, ...data });
			emulator.ac.subscribe(contact.id, list.id, status);
			return contact;
		},
		mc(email: string, status = 'subscribed', merge: Record<string, unknown> = {}) {
			return emulator.mc.addMember(audienceId, email, status, merge);
		},
		acStatus(email: string): string | undefined {
			const contact = emulator.ac.findByEmail(email);
			return contact ? emulator.ac.contactLists.get(`${contact.id}:${list.id}`)?.status : undefined;
		},
		member(email: string) {
			return emulator.mc.lists.get(audienceId)!.members.get(subscriberHash(email));
		},
		run(parameters: INodeParameters = {}, options?: { continueOnFail?: boolean; oauth?: boolean }) {
			return runSync(emulator, { ...base, ...parameters }, options);
		},
	};
}

/** Runs the node on a list and an audience seeded by seedAudiences (test/emulator/audiences.ts). */
export const runSeeded = (emulator: Emulator, seeded: { listId: string; audienceId: string }, parameters: INodeParameters = {}, options?: { continueOnFail?: boolean }) =>
	runSync(emulator, { ...sides(seeded.listId, seeded.audienceId), ...parameters }, options);

/** The difference item of an address. */
export const of = (run: SyncRun, email: string) => run.differences.find((d) => String(d.email).toLowerCase() === email.toLowerCase());

/** Requests that could change data (anything but GET) since the log was at `from`. */
export const writesSince = (emulator: Emulator, from: number) => emulator.log.slice(from).filter((l) => l.method !== 'GET');
