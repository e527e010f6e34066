import type { IDataObject } from 'n8n-workflow';

import { subscriberHash } from '../emulator/mailchimp';
import { type Emulator, MC_TEST_OAUTH_TOKEN, startEmulator } from '../emulator/server';
import { loadNodeOptions, poller, runWorkflow, testCredential } from '../harness/n8n';
import { mailchimpOAuthCredential, NODE_TYPES, runNode } from './workflow';

/** The Mailchimp Sync OAuth2 credential: datacenter from the metadata, every member operation, the test. */
let emulator: Emulator;
const AUD = 'audOAuth01';
const audience = { __rl: true, mode: 'id', value: AUD };
const mc = (parameters: IDataObject, input?: IDataObject[], token = MC_TEST_OAUTH_TOKEN) =>
	runNode(emulator, 'mailchimp', { audience, ...parameters } as never, input, { oauthToken: token });
const members = () => emulator.mc.lists.get(AUD)!.members;
const metadataReads = () => emulator.count('GET /oauth2/metadata');

beforeAll(async () => {
	emulator = await startEmulator();
	emulator.mc.addList(AUD, 'OAuth Audience');
});
afterAll(() => emulator.stop());
beforeEach(() => emulator.resetCounts());

describe('Mailchimp Sync OAuth2 credential', () => {
	test('the connection test: a connected credential passes, one never connected is told to connect', async () => {
		expect(await testCredential('mailchimpSyncOAuth2Api', mailchimpOAuthCredential(emulator))).toEqual({ status: 'OK', message: expect.stringMatching(/success/i) });
		const neverConnected = mailchimpOAuthCredential(emulator);
		delete neverConnected.oauthTokenData;
		const result = await testCredential('mailchimpSyncOAuth2Api', neverConnected);
		expect(result.status).toBe('Error');
		// n8n signs every request of an OAuth2 credential, its test request too, `Bearer`: none goes to the metadata.
		expect(metadataReads()).toBe(0);
	});

	test('the datacenter is read with Authorization: OAuth <token>, as Mailchimp documents; Bearer is refused there', async () => {
		const metadata = `${emulator.url}/oauth2/metadata`;
		expect((await fetch(metadata, { headers: { Authorization: `Bearer ${MC_TEST_OAUTH_TOKEN}` } })).status).toBe(401);
		expect((await fetch(metadata, { headers: { Authorization: `OAuth ${MC_TEST_OAUTH_TOKEN}` } })).status).toBe(200);
		emulator.resetCounts();
		emulator.mc.addMember(AUD, 'scheme@example.com', 'subscribed');
		const run = await mc({ resource: 'member', operation: 'get', email: 'scheme@example.com' });
		expect(run.error).toBeUndefined();
		expect(run.json[0]).toMatchObject({ email_address: 'scheme@example.com' });
		expect(metadataReads()).toBe(1);
	});

	test('a metadata answer that echoes the Authorization header never shows the token', async () => {
		emulator.faults.push({ kind: 'echo-secret', path: /^\/oauth2\/metadata$/ });
		// runNode fails the test if the token reaches the output or the error.
		const run = await mc({ resource: 'member', operation: 'get', email: 'x@example.com' });
		expect(run.error?.message).toMatch(/Mailchimp/);
		expect(emulator.faults).toEqual([]);
	});

	test('every member operation works with the token; the datacenter is read once per execution', async () => {
		const email = 'oauth.member@example.com';
		const hash = subscriberHash(email);
		const steps: Array<[IDataObject, (json: IDataObject[]) => void]> = [
			[{ resource: 'member', operation: 'create', email, status: 'subscribed', additionalFields: { mergeFields: { field: [{ field: 'FNAME', value: 'Oa' }] } } }, (j) => expect(j[0]).toMatchObject({ id: hash, status: 'subscribed' })],
			[{ resource: 'member', operation: 'upsert', email, statusIfNew: 'subscribed', additionalFields: { mergeFields: { field: [{ field: 'name:Last Name', value: 'Uth' }] } } }, (j) => expect(j[0]).toMatchObject({ merge_fields: { FNAME: 'Oa', LNAME: 'Uth' } })],
			[{ resource: 'member', operation: 'get', email }, (j) => expect(j[0].email_address).toBe(email)],
			[{ resource: 'member', operation: 'getAll', returnAll: true }, (j) => expect(j.map((m) => m.email_address)).toContain(email)],
			[{ resource: 'member', operation: 'update', email, updateFields: { status: 'unsubscribed' } }, (j) => expect(j[0].status).toBe('unsubscribed')],
			[{ resource: 'memberTag', operation: 'add', email, tags: 'oauth' }, (j) => expect(j[0]).toMatchObject({ added: true })],
			[{ resource: 'memberTag', operation: 'remove', email, tags: 'oauth' }, () => expect(members().get(hash)?.tags).toEqual([])],
			[{ resource: 'mergeField', operation: 'getAll', returnAll: true }, (j) => expect(j.map((f) => f.tag)).toContain('FNAME')],
			[{ resource: 'audience', operation: 'get' }, (j) => expect(j[0]).toMatchObject({ id: AUD })],
			[{ resource: 'member', operation: 'archive', email }, (j) => expect(j).toEqual([{ archived: true, email }])],
			[{ resource: 'member', operation: 'deletePermanently', email }, (j) => expect(j).toEqual([{ deleted: true, email }])],
		];
		for (const [parameters, check] of steps) {
			emulator.resetCounts();
			const run = await mc(parameters);
			expect(run.error).toBeUndefined();
			check(run.json);
			expect(metadataReads()).toBe(1);
		}
		expect(members().has(hash)).toBe(false);

		emulator.resetCounts();
		const many = await mc({ resource: 'member', operation: 'upsertMany', email: '={{ $json.email }}', status: 'subscribed' }, [
			{ email: 'many1@example.com' },
			{ email: 'many2@example.com' },
		]);
		expect(many.json.map((j) => j.status)).toEqual(['created', 'created']);
		expect(metadataReads()).toBe(1);
		// Every API request carried the token as a Bearer token (the emulator accepts nothing else for it).
		expect(emulator.log.filter((l) => l.path.startsWith('/3.0')).every((l) => l.status < 400)).toBe(true);
	});

	test('two Mailchimp nodes in one execution share one metadata read', async () => {
		const node = (name: string, parameters: IDataObject) => ({
			id: name,
			name,
			type: NODE_TYPES.mailchimp,
			typeVersion: 1,
			position: [0, 0] as [number, number],
			parameters: { authentication: 'oAuth2', audience, ...parameters },
			credentials: { mailchimpSyncOAuth2Api: { id: '1', name: 'OAuth' } },
		});
		const result = await runWorkflow(
			{
				nodes: [node('Upsert', { resource: 'member', operation: 'upsert', email: 'shared@example.com', statusIfNew: 'subscribed' }), node('Get', { resource: 'member', operation: 'get', email: 'shared@example.com' })],
				connections: { Upsert: { main: [[{ node: 'Get', type: 'main', index: 0 }]] } },
			},
			{ mailchimpSyncOAuth2Api: mailchimpOAuthCredential(emulator) },
		);
		expect(result.output('Get')[0].json.email_address).toBe('shared@example.com');
		expect(metadataReads()).toBe(1);
	});

	test('a revoked token is named, with the reconnect advice, and never shown', async () => {
		const revoked = 'mc-oauth-token-revoked-111111111111111111111';
		const run = await mc({ resource: 'member', operation: 'get', email: 'x@example.com' }, undefined, revoked);
		expect(run.error?.message).toMatch(/Mailchimp rejected the OAuth2 token.*Connect my account again/);
		expect(JSON.stringify({ e: run.error, d: run.error?.description })).not.toContain(revoked);
		const notConnected = await runNode(emulator, 'mailchimp', { audience, resource: 'member', operation: 'get', email: 'x@example.com', authentication: 'oAuth2' } as never, undefined, { oauthToken: '' });
		expect(notConnected.error?.message).toMatch(/OAuth2 credential is not connected/);
	});

	test('an explicit base URL override skips the metadata; dropdowns and the polling trigger work with OAuth2', async () => {
		const direct = mailchimpOAuthCredential(emulator, MC_TEST_OAUTH_TOKEN, { baseUrl: emulator.mcBaseUrl, loginUrl: 'http://127.0.0.1:9/unused' });
		const found = (await loadNodeOptions('mailchimpSync', 'listSearch', 'searchAudiences', { mailchimpSyncOAuth2Api: direct }, 'oauth', { authentication: 'oAuth2' })) as { results: Array<{ value: string }> };
		expect(found.results.map((r) => r.value)).toEqual([AUD]);
		expect(metadataReads()).toBe(0);
		const trigger = await poller('mailchimpSyncTrigger', { authentication: 'oAuth2', audience, status: '' }, { mailchimpSyncOAuth2Api: mailchimpOAuthCredential(emulator) });
		expect(await trigger.poll('manual')).toHaveLength(1);
		expect(metadataReads()).toBe(1);
	});
});
