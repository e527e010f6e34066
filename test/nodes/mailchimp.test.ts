/* eslint-disable @n8n/community-nodes/no-hardcoded-secrets -- test code, never shipped: made-up test keys are fine here */
import type { IDataObject } from 'n8n-workflow';

import { subscriberHash } from '../emulator/mailchimp';
import { type Emulator, MC_TEST_KEY, startEmulator } from '../emulator/server';
import { loadNodeOptions } from '../harness/n8n';
import { runNode } from './workflow';

/** The Mailchimp Sync node, run through n8n-core's WorkflowExecute against the emulator. */
let emulator: Emulator;
const AUD = 'aud0000001';
const audience = { __rl: true, mode: 'id', value: AUD };
const mc = (parameters: IDataObject, input?: IDataObject[], options?: { continueOnFail?: boolean; apiKey?: string }) =>
	runNode(emulator, 'mailchimp', { audience, ...parameters } as never, input, options);
const members = () => emulator.mc.lists.get(AUD)!.members;

beforeAll(async () => {
	emulator = await startEmulator();
	emulator.mc.addList(AUD, 'Main Audience');
	emulator.mc.addMergeField(AUD, 'COMPANY', 'Company');
});
afterAll(() => emulator.stop());
beforeEach(() => emulator.resetCounts());

describe('Member', () => {
	test('Create with merge fields given by name and by tag; the node computes the subscriber hash', async () => {
		const run = await mc({
			resource: 'member',
			operation: 'create',
			email: 'Jane.Doe@Example.com',
			status: 'subscribed',
			additionalFields: { mergeFields: { field: [{ field: 'name:First Name', value: 'Jane' }, { field: 'company', value: 'Acme' }] }, tags: 'vip, 2026' },
		});
		expect(run.error).toBeUndefined();
		const hash = subscriberHash('jane.doe@example.com');
		expect(run.json[0]).toMatchObject({ id: hash, email_address: 'Jane.Doe@Example.com', status: 'subscribed', merge_fields: { FNAME: 'Jane', COMPANY: 'Acme' } });
		expect(members().get(hash)?.tags.map((t) => t.name)).toEqual(['vip', '2026']);
	});

	test('Create on an existing member says to use Create or Update', async () => {
		emulator.mc.addMember(AUD, 'exists@example.com');
		const run = await mc({ resource: 'member', operation: 'create', email: 'exists@example.com', status: 'subscribed' });
		expect(run.error?.message).toBe(`exists@example.com is already a member of audience ${AUD} (item 0): use the Create or Update operation to update existing members`);
	});

	test('Create or Update is idempotent; status_if_new leaves an existing status alone', async () => {
		const params = { resource: 'member', operation: 'upsert', email: 'idem@example.com', statusIfNew: 'pending', additionalFields: { mergeFields: { field: [{ field: 'FNAME', value: 'Idem' }] } } };
		const first = await mc(params);
		const second = await mc(params);
		expect(second.json[0].id).toBe(first.json[0].id);
		expect([...members().values()].filter((m) => m.email_address === 'idem@example.com')).toHaveLength(1);
		emulator.mc.addMember(AUD, 'keeps@example.com', 'unsubscribed');
		const existing = await mc({ resource: 'member', operation: 'upsert', email: 'keeps@example.com', statusIfNew: 'subscribed' });
		expect(existing.json[0].status).toBe('unsubscribed');
		expect(emulator.count('PUT /3.0/lists/:listId/members/:hash')).toBe(3);
	});

	test('Get, Update (PATCH), Archive, Delete Permanently', async () => {
		emulator.mc.addMember(AUD, 'life@example.com');
		const got = await mc({ resource: 'member', operation: 'get', email: 'LIFE@example.com' });
		expect(got.json[0].email_address).toBe('life@example.com');
		const updated = await mc({ resource: 'member', operation: 'update', email: 'life@example.com', updateFields: { status: 'unsubscribed', mergeFields: { field: [{ field: 'name:Last Name', value: 'Cycle' }] } } });
		expect(updated.json[0]).toMatchObject({ status: 'unsubscribed', merge_fields: { LNAME: 'Cycle' } });
		const archived = await mc({ resource: 'member', operation: 'archive', email: 'life@example.com' });
		expect(archived.json).toEqual([{ archived: true, email: 'life@example.com' }]);
		expect(members().get(subscriberHash('life@example.com'))?.status).toBe('archived');
		const deleted = await mc({ resource: 'member', operation: 'deletePermanently', email: 'life@example.com' });
		expect(deleted.json).toEqual([{ deleted: true, email: 'life@example.com' }]);
		expect(members().has(subscriberHash('life@example.com'))).toBe(false);
		// A permanently deleted address cannot come back, and the user is told why.
		const again = await mc({ resource: 'member', operation: 'upsert', email: 'life@example.com', statusIfNew: 'subscribed' });
		expect(again.error?.message).toMatch(/^Mailchimp rejected the member life@example.com: Forgotten Email Not Subscribed: life@example.com was permanently deleted/);
	});

	test('Update of an address not in the audience names it', async () => {
		const run = await mc({ resource: 'member', operation: 'update', email: 'ghost@example.com', updateFields: { vip: true } });
		expect(run.error?.message).toBe(`Mailchimp could not find the member ghost@example.com in audience ${AUD}`);
	});

	test('an Invalid Resource field error reaches the user with the field name', async () => {
		emulator.mc.addMember(AUD, 'field@example.com');
		emulator.faults.push({ kind: 'echo-secret', method: 'PATCH' });
		const run = await mc({ resource: 'member', operation: 'update', email: 'field@example.com', updateFields: { vip: true } });
		expect(run.error?.message).toMatch(/^Mailchimp rejected the member field@example.com in audience aud0000001: email_address: /);
		expect(JSON.stringify(run.error)).not.toContain(MC_TEST_KEY);
	});

	test('input problems are caught before any request: malformed email, unknown status, unknown merge field', async () => {
		const bad = await mc({ resource: 'member', operation: 'upsert', email: '={{ $json.email }}', statusIfNew: '={{ $json.status }}' }, [
			{ email: 'fine@example.com', status: 'subscribed' },
			{ email: 'fine2@example.com', status: 'subscribd' },
		]);
		expect(bad.error?.message).toBe('Status If New "subscribd" is not a Mailchimp member status (item 1); use one of subscribed, unsubscribed, cleaned, pending, transactional');
		const email = await mc({ resource: 'member', operation: 'get', email: 'nope' });
		expect(email.error?.message).toBe('Email "nope" is not a valid email address (item 0)');
		const field = await mc({ resource: 'member', operation: 'upsert', email: 'mf@example.com', statusIfNew: 'subscribed', additionalFields: { mergeFields: { field: [{ field: 'Shoe Size', value: '42' }] } } });
		expect(field.error?.message).toBe(`No merge field of audience ${AUD} has the tag "Shoe Size" (item 0)`);
		const later = await mc(
			{ resource: 'member', operation: 'upsert', email: '={{ $json.email }}', statusIfNew: 'subscribed', additionalFields: { mergeFields: { field: [{ field: '={{ $json.field }}', value: 'x' }] } } },
			[{ email: 'first@example.com', field: 'FNAME' }, { email: 'second@example.com', field: 'Shoe Size' }],
		);
		expect(later.error?.message).toBe(`No merge field of audience ${AUD} has the tag "Shoe Size" (item 1)`);
		expect(emulator.log.filter((l) => l.method !== 'GET')).toHaveLength(0);
	});

	test('Get Many: Return All over 5,000 members in at most 6 pages; a limit of 10 is one request', async () => {
		const big = 'aud5000';
		emulator.mc.addList(big, 'Big');
		for (let i = 0; i < 5000; i++) emulator.mc.addMember(big, `m${i}@example.com`);
		emulator.resetCounts();
		const all = await runNode(emulator, 'mailchimp', { resource: 'member', operation: 'getAll', audience: { __rl: true, mode: 'id', value: big }, returnAll: true } as never);
		expect(all.json).toHaveLength(5000);
		expect(new Set(all.json.map((m) => m.id)).size).toBe(5000);
		expect(emulator.count('GET /3.0/lists/:listId/members')).toBeLessThanOrEqual(6);
		emulator.resetCounts();
		const ten = await runNode(emulator, 'mailchimp', { resource: 'member', operation: 'getAll', audience: { __rl: true, mode: 'id', value: big }, returnAll: false, limit: 10 } as never);
		expect(ten.json).toHaveLength(10);
		expect(emulator.count('GET /3.0/lists/:listId/members')).toBe(1);
		expect(emulator.log[0].path).toBe(`/3.0/lists/${big}/members`);
	});

	test('Get Many filters by status and last-changed window, newest first', async () => {
		const list = 'audFilter';
		emulator.mc.addList(list, 'Filters');
		const a = emulator.mc.addMember(list, 'a@f.com', 'subscribed');
		emulator.mc.addMember(list, 'b@f.com', 'unsubscribed');
		const c = emulator.mc.addMember(list, 'c@f.com', 'subscribed');
		const loc = { __rl: true, mode: 'id', value: list };
		const subscribed = await runNode(emulator, 'mailchimp', { resource: 'member', operation: 'getAll', audience: loc, returnAll: true, filters: { status: 'subscribed', sort: 'DESC' } } as never);
		expect(subscribed.json.map((m) => m.email_address)).toEqual(['c@f.com', 'a@f.com']);
		const since = await runNode(emulator, 'mailchimp', { resource: 'member', operation: 'getAll', audience: loc, returnAll: true, filters: { changedSince: c.last_changed } } as never);
		expect(since.json.map((m) => m.email_address)).toEqual(['c@f.com']);
		const before = await runNode(emulator, 'mailchimp', { resource: 'member', operation: 'getAll', audience: loc, returnAll: true, filters: { changedBefore: a.last_changed } } as never);
		expect(before.json.map((m) => m.email_address)).toEqual(['a@f.com']);
	});

	test('a rejected key gives the credential message, without the key', async () => {
		const badKey = 'ffffeeeeddddccccbbbbaaaa99998888-us18';
		const run = await mc({ resource: 'audience', operation: 'getAll', returnAll: true }, undefined, { apiKey: badKey });
		expect(run.error?.message).toMatch(/^Mailchimp rejected the API key \(API Key Invalid\)\. It may have been disabled or rotated/);
		expect(JSON.stringify(run.error)).not.toContain(badKey);
	});
});

describe('Member: Create or Update Many', () => {
	test('1,200 items in 3 calls: new, existing, malformed and forgotten addresses each reported on their own item', async () => {
		const list = 'audBatch';
		emulator.mc.addList(list, 'Batch');
		for (let i = 0; i < 300; i++) emulator.mc.addMember(list, `b${i}@example.com`, 'subscribed', { FNAME: 'Old' });
		emulator.mc.lists.get(list)!.forgotten.add(subscriberHash('b1100@example.com'));
		emulator.resetCounts();
		const input: IDataObject[] = Array.from({ length: 1200 }, (_, i) => ({ email: `b${i}@example.com`, first: `N${i}` }));
		input[500] = { email: 'not an email', first: 'X' };
		const run = await runNode(
			emulator,
			'mailchimp',
			{
				resource: 'member',
				operation: 'upsertMany',
				audience: { __rl: true, mode: 'id', value: list },
				email: '={{ $json.email }}',
				status: 'subscribed',
				additionalFields: { mergeFields: { field: [{ field: 'name:First Name', value: '={{ $json.first }}' }] } },
			} as never,
			input,
			{ continueOnFail: true },
		);
		expect(run.error).toBeUndefined();
		expect(run.json).toHaveLength(1200);
		run.items.forEach((item, i) => expect(item.pairedItem).toEqual({ item: i }));
		expect(run.json[0]).toMatchObject({ email: 'b0@example.com', status: 'updated', id: subscriberHash('b0@example.com') });
		expect(run.json[700]).toMatchObject({ email: 'b700@example.com', status: 'created' });
		expect(run.json[500]).toEqual({ error: 'Email "not an email" is not a valid email address (item 500)', itemIndex: 500 });
		expect(run.json[1100]).toMatchObject({ email: 'b1100@example.com', status: 'failed', errorCode: 'ERROR_GENERIC', itemIndex: 1100 });
		expect(run.json[1100].error).toMatch(/permanently deleted/);
		const counts = run.json.reduce<Record<string, number>>((acc, j) => ({ ...acc, [String(j.status ?? 'error')]: (acc[String(j.status ?? 'error')] ?? 0) + 1 }), {});
		expect(counts).toEqual({ updated: 300, created: 898, failed: 1, error: 1 });
		expect(emulator.count('POST /3.0/lists/:listId')).toBe(3);
		const sizes = emulator.log.filter((l) => l.path === `/3.0/lists/${list}`).map((l) => (l.body as { members: unknown[] }).members.length);
		// The 300 existing members (read from the audience) in one call, the 899 others in two; in parallel, in any order.
		expect(sizes.sort((x, y) => x - y)).toEqual([300, 399, 500]);
		expect(emulator.mc.lists.get(list)!.members.get(subscriberHash('b0@example.com'))?.merge_fields.FNAME).toBe('N0');
	});

	test('without Continue On Fail a malformed item stops the run before anything is sent', async () => {
		const run = await mc({ resource: 'member', operation: 'upsertMany', email: '={{ $json.email }}', status: 'subscribed' }, [{ email: 'ok@example.com' }, { email: 'bad' }]);
		expect(run.error?.message).toBe('Email "bad" is not a valid email address (item 1)');
		expect(emulator.count('POST /3.0/lists/:listId')).toBe(0);
	});
});

describe('Member Tag, Merge Field, Audience', () => {
	test('Add and Remove tags by name', async () => {
		emulator.mc.addMember(AUD, 'tags@example.com');
		const added = await mc({ resource: 'memberTag', operation: 'add', email: 'tags@example.com', tags: 'customer, beta' });
		expect(added.json[0]).toEqual({ email: 'tags@example.com', tags: ['customer', 'beta'], added: true });
		const member = () => members().get(subscriberHash('tags@example.com'))!;
		expect(member().tags.map((t) => t.name)).toEqual(['customer', 'beta']);
		await mc({ resource: 'memberTag', operation: 'remove', email: 'tags@example.com', tags: 'beta' });
		expect(member().tags.map((t) => t.name)).toEqual(['customer']);
	});

	test('Merge Field Get Many, Audience Get and Get Many', async () => {
		const fields = await mc({ resource: 'mergeField', operation: 'getAll', returnAll: true });
		expect(fields.json.map((f) => f.tag)).toEqual(['FNAME', 'LNAME', 'ADDRESS', 'PHONE', 'COMPANY']);
		const one = await mc({ resource: 'audience', operation: 'get' });
		expect(one.json[0]).toMatchObject({ id: AUD, name: 'Main Audience' });
		const many = await mc({ resource: 'audience', operation: 'getAll', returnAll: true });
		expect(many.json.map((a) => a.id)).toContain(AUD);
	});

	test('the audience locator searches all audiences; merge field dropdown follows the audience', async () => {
		for (let i = 0; i < 30; i++) emulator.mc.addList(`extra${i}`, `Extra ${i}`);
		const creds = { mailchimpSyncApi: { apiKey: MC_TEST_KEY, useCustomBaseUrl: true, baseUrl: emulator.mcBaseUrl } };
		const found = (await loadNodeOptions('mailchimpSync', 'listSearch', 'searchAudiences', creds, 'main')) as { results: Array<{ value: string }> };
		expect(found.results.map((r) => r.value)).toEqual([AUD]);
		const all = (await loadNodeOptions('mailchimpSync', 'listSearch', 'searchAudiences', creds)) as { results: unknown[] };
		expect(all.results).toHaveLength(emulator.mc.lists.size);
		const fields = (await loadNodeOptions('mailchimpSync', 'loadOptions', 'getMergeFields', creds, undefined, { audience })) as Array<{ name: string; value: string }>;
		expect(fields).toContainEqual({ name: 'Company (COMPANY)', value: 'COMPANY' });
		expect(fields).toHaveLength(5);
	});
});
