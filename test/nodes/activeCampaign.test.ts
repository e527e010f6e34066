/* eslint-disable @n8n/community-nodes/no-hardcoded-secrets -- test code, never shipped: made-up test keys are fine here */
import type { IDataObject } from 'n8n-workflow';

import { AC_TEST_KEY, type Emulator, startEmulator } from '../emulator/server';
import { credentialReads, loadNodeOptions } from '../harness/n8n';
import { runNode } from './workflow';

/** The ActiveCampaign Sync node, run through n8n-core's WorkflowExecute against the emulator. */
let emulator: Emulator;
const fast = { limits: { requestsPerSecond: 1000 } };
const ac = (parameters: Record<string, unknown>, input?: IDataObject[], options?: { continueOnFail?: boolean; apiKey?: string }) =>
	runNode(emulator, 'activeCampaign', { ...fast, ...parameters } as never, input, options);
const byEmail = (value: string) => ({ __rl: true, mode: 'email', value });
const byName = (value: string) => ({ __rl: true, mode: 'name', value });

beforeAll(async () => {
	emulator = await startEmulator({ acRatePerSecond: 1000 });
});
afterAll(() => emulator.stop());
beforeEach(() => emulator.resetCounts());

describe('Contact', () => {
	test('Create, with a custom field given by its name', async () => {
		const company = emulator.ac.addField('Company');
		const run = await ac({
			resource: 'contact',
			operation: 'create',
			email: 'new.person@example.com',
			additionalFields: { firstName: 'New', lastName: 'Person', customFields: { field: [{ field: 'name:Company', value: 'Acme' }] } },
		});
		expect(run.error).toBeUndefined();
		expect(run.json).toHaveLength(1);
		expect(run.json[0]).toMatchObject({ email: 'new.person@example.com', firstName: 'New', lastName: 'Person' });
		const id = String(run.json[0].id);
		expect(emulator.ac.fieldValues.get(`${id}:${company.id}`)?.value).toBe('Acme');
	});

	test('Create on an existing email fails with the field error, and nothing is created twice', async () => {
		emulator.ac.addContact({ email: 'taken@example.com' });
		const run = await ac({ resource: 'contact', operation: 'create', email: 'taken@example.com' });
		expect(run.error?.message).toBe('ActiveCampaign rejected the contact taken@example.com: email: Email address already exists in the system');
		expect([...emulator.ac.contacts.values()].filter((c) => c.email === 'taken@example.com')).toHaveLength(1);
	});

	test('Create or Update is idempotent: twice gives one contact, updated', async () => {
		const params = { resource: 'contact', operation: 'upsert', email: 'Idem@Example.com', additionalFields: { firstName: 'One' } };
		const first = await ac(params);
		const second = await ac({ ...params, additionalFields: { firstName: 'Two' } });
		expect(second.json[0].id).toBe(first.json[0].id);
		const matching = [...emulator.ac.contacts.values()].filter((c) => c.email.toLowerCase() === 'idem@example.com');
		expect(matching).toHaveLength(1);
		expect(matching[0].firstName).toBe('Two');
	});

	test('Get by email and by ID; a missing ID names what was not found', async () => {
		const c = emulator.ac.addContact({ email: 'findme@example.com', firstName: 'Find' });
		const viaEmail = await ac({ resource: 'contact', operation: 'get', contact: byEmail('FINDME@example.com') });
		expect(viaEmail.json[0]).toEqual({ id: c.id, email: 'findme@example.com', firstName: 'Find', lastName: '', phone: '', cdate: c.cdate, udate: c.udate });
		const viaId = await ac({ resource: 'contact', operation: 'get', contact: { __rl: true, mode: 'id', value: c.id } });
		expect(viaId.json[0].email).toBe('findme@example.com');
		const missing = await ac({ resource: 'contact', operation: 'get', contact: { __rl: true, mode: 'id', value: '999999' } });
		expect(missing.error?.message).toBe('ActiveCampaign could not find contact 999999');
	});

	test('Update and Delete', async () => {
		const c = emulator.ac.addContact({ email: 'change@example.com' });
		const updated = await ac({ resource: 'contact', operation: 'update', contact: byEmail('change@example.com'), updateFields: { lastName: 'Changed', email: 'changed@example.com' } });
		expect(updated.json[0]).toMatchObject({ id: c.id, lastName: 'Changed', email: 'changed@example.com' });
		const deleted = await ac({ resource: 'contact', operation: 'delete', contact: { __rl: true, mode: 'id', value: c.id } });
		expect(deleted.json).toEqual([{ deleted: true }]);
		expect(emulator.ac.contacts.has(c.id)).toBe(false);
	});

	test('Get Many with Return All pages through 2,500 contacts in 25 requests', async () => {
		emulator.ac.contacts.clear();
		for (let i = 0; i < 2500; i++) emulator.ac.addContact({ email: `all${i}@example.com` });
		emulator.resetCounts();
		const run = await ac({ resource: 'contact', operation: 'getAll', returnAll: true });
		expect(run.json).toHaveLength(2500);
		expect(new Set(run.json.map((c) => c.id)).size).toBe(2500);
		expect(emulator.count('GET /api/3/contacts')).toBe(25);
		const limited = await ac({ resource: 'contact', operation: 'getAll', returnAll: false, limit: 50 });
		expect(limited.json).toHaveLength(50);
		expect(emulator.count('GET /api/3/contacts')).toBe(26);
	});

	test('Get Many filters by list and tag names, and by updated-after date', async () => {
		emulator.ac.contacts.clear();
		const list = emulator.ac.addList('Filter List');
		const tag = emulator.ac.addTag('filter-tag');
		const a = emulator.ac.addContact({ email: 'a@filter.com' });
		const b = emulator.ac.addContact({ email: 'b@filter.com' });
		emulator.ac.subscribe(a.id, list.id, '1');
		emulator.ac.tagContact(b.id, tag.id);
		const onList = await ac({ resource: 'contact', operation: 'getAll', returnAll: true, filters: { list: 'name:Filter List' } });
		expect(onList.json.map((c) => c.email)).toEqual(['a@filter.com']);
		const tagged = await ac({ resource: 'contact', operation: 'getAll', returnAll: true, filters: { tag: 'name:filter-tag' } });
		expect(tagged.json.map((c) => c.email)).toEqual(['b@filter.com']);
		const recent = await ac({ resource: 'contact', operation: 'getAll', returnAll: true, filters: { updatedAfter: a.udate } });
		expect(recent.json.map((c) => c.email)).toEqual(['b@filter.com']);
	});

	test('input problems are caught before any request, naming the item', async () => {
		const run = await ac({ resource: 'contact', operation: 'upsert', email: '={{ $json.email }}' }, [{ email: 'ok@example.com' }, { email: 'not-an-email' }]);
		expect(run.error?.message).toBe('Email "not-an-email" is not a valid email address (item 1)');
		const limit = await ac({ resource: 'contact', operation: 'getAll', returnAll: false, limit: 0 });
		expect(limit.error?.message).toMatch(/Limit must be a whole number of at least 1 \(item 0/);
		const unknown = await ac({ resource: 'contact', operation: 'create', email: 'x@example.com', additionalFields: { customFields: { field: [{ field: 'name:No Such Field', value: '1' }] } } });
		expect(unknown.error?.message).toBe('No custom field is named "No Such Field" (item 0)');
		expect(emulator.log.filter((l) => l.method !== 'GET')).toHaveLength(0);
	});

	test('Continue On Fail: the failing item yields one error item, the others go on', async () => {
		const run = await ac(
			{ resource: 'contact', operation: 'upsert', email: '={{ $json.email }}' },
			[{ email: 'first@example.com' }, { email: '' }, { email: 'third@example.com' }],
			{ continueOnFail: true },
		);
		expect(run.error).toBeUndefined();
		expect(run.items.map((i) => i.pairedItem)).toEqual([{ item: 0 }, { item: 1 }, { item: 2 }]);
		expect(run.json[0].email).toBe('first@example.com');
		expect(run.json[1]).toEqual({ error: 'Email is missing (item 1)', itemIndex: 1 });
		expect(run.json[2].email).toBe('third@example.com');
	});

	test('a rejected key gives the credential message, without the key', async () => {
		const badKey = 'ac-rotated-0000111122223333444455556666777788';
		const run = await ac({ resource: 'contact', operation: 'getAll', returnAll: true }, undefined, { apiKey: badKey });
		expect(run.error?.message).toMatch(/^ActiveCampaign rejected the API key\. It may have been reset or rotated/);
		expect(JSON.stringify(run.error)).not.toContain(badKey);
		expect(JSON.stringify(run.error)).not.toContain(AC_TEST_KEY);
	});
});

describe('Contact: Create or Update Many', () => {
	const items = (n: number, start = 0) => Array.from({ length: n }, (_, i) => ({ email: `bulk${start + i}@example.com`, first: `F${start + i}` }));
	const bulk = { resource: 'contact', operation: 'upsertMany', email: '={{ $json.email }}', additionalFields: { firstName: '={{ $json.first }}' }, tags: 'imported' };

	test('1,000 items: 4 imports of at most 250, a result per item with pairedItem intact', async () => {
		const run = await ac(bulk, items(1000));
		expect(run.error).toBeUndefined();
		expect(run.json).toHaveLength(1000);
		run.items.forEach((item, i) => {
			expect(item.pairedItem).toEqual({ item: i });
			expect(item.json).toMatchObject({ email: `bulk${i}@example.com`, status: 'succeeded' });
		});
		expect(emulator.count('POST /api/3/import/bulk_import')).toBe(4);
		const sizes = emulator.log.filter((l) => l.path === '/api/3/import/bulk_import').map((l) => (l.body as { contacts: unknown[] }).contacts.length);
		expect(sizes).toEqual([250, 250, 250, 250]);
		expect(emulator.ac.findByEmail('bulk999@example.com')?.firstName).toBe('F999');
	});

	test('an invalid email among them is reported on its own item while the rest succeed (Continue On Fail)', async () => {
		const input = items(30, 2000);
		input[7] = { email: 'broken-address', first: 'X' };
		const run = await ac(bulk, input, { continueOnFail: true });
		expect(run.json).toHaveLength(30);
		expect(run.json[7]).toEqual({ error: 'Email "broken-address" is not a valid email address (item 7)', itemIndex: 7 });
		expect(run.json.filter((j) => j.status === 'succeeded')).toHaveLength(29);
		expect(run.items[7].pairedItem).toEqual({ item: 7 });
	});

	test('without Continue On Fail a bad item stops the run before anything is sent', async () => {
		const input = items(30, 3000);
		input[12] = { email: '', first: 'X' };
		const run = await ac(bulk, input);
		expect(run.error?.message).toBe('Email is missing (item 12)');
		expect(emulator.count('POST /api/3/import/bulk_import')).toBe(0);
	});

	test('a contact ActiveCampaign refuses while importing is reported failed; the others succeed', async () => {
		emulator.ac.importRejects.add('bulk4005@example.com');
		const run = await ac(bulk, items(20, 4000));
		expect(run.json[5]).toMatchObject({ email: 'bulk4005@example.com', status: 'failed', error: 'ActiveCampaign did not import this contact' });
		expect(run.json.filter((j) => j.status === 'succeeded')).toHaveLength(19);
	});

	test('without Wait for Completion each item reports queued with its batch ID', async () => {
		const run = await ac({ ...bulk, options: { waitForCompletion: false } }, items(12, 5000));
		expect(new Set(run.json.map((j) => j.status))).toEqual(new Set(['queued']));
		expect(run.json[0].batchId).toEqual(expect.any(String));
		expect(emulator.count('GET /api/3/import/info')).toBe(0);
	});

	test('a run asks n8n for the credential once, not once per request (a real n8n reads it from its database and decrypts it each time)', async () => {
		credentialReads.clear();
		const run = await ac({ resource: 'contact', operation: 'upsertMany', email: '={{ $json.email }}' }, Array.from({ length: 1000 }, (_, i) => ({ email: `onecredential${i}@example.com` })));
		expect(run.error).toBeUndefined();
		expect(run.json.filter((j) => j.status === 'succeeded')).toHaveLength(1000);
		// 4 imports and their 4 status reads, each sent with the key.
		expect(emulator.log.filter((l) => l.status === 200).length).toBeGreaterThanOrEqual(8);
		expect(credentialReads.get('activeCampaignSyncApi')).toBe(1);
	});

	test('below 10 items it uses contact/sync per item, with tags and lists', async () => {
		const list = emulator.ac.addList('Small Batch');
		const run = await ac({ ...bulk, lists: ['name:Small Batch'] }, items(3, 6000));
		expect(run.json.map((j) => j.status)).toEqual(['succeeded', 'succeeded', 'succeeded']);
		expect(emulator.count('POST /api/3/contact/sync')).toBe(3);
		expect(emulator.count('POST /api/3/import/bulk_import')).toBe(0);
		const contact = emulator.ac.findByEmail('bulk6001@example.com')!;
		expect(emulator.ac.contactLists.get(`${contact.id}:${list.id}`)?.status).toBe('1');
		const tagged = [...emulator.ac.contactTags.values()].filter((ct) => ct.contact === contact.id);
		expect(tagged.map((ct) => emulator.ac.tags.get(ct.tag)?.tag)).toEqual(['imported']);
	});
});

describe('List', () => {
	test('Create, Get, Get Many', async () => {
		const created = await ac({ resource: 'list', operation: 'create', name: 'Product News', senderUrl: 'https://example.com', senderReminder: 'You signed up.' });
		expect(created.json[0]).toMatchObject({ name: 'Product News', stringid: 'product-news' });
		const got = await ac({ resource: 'list', operation: 'get', list: byName('product news') });
		expect(got.json[0].id).toBe(created.json[0].id);
		const many = await ac({ resource: 'list', operation: 'getAll', returnAll: true });
		expect(many.json.map((l) => l.name)).toContain('Product News');
	});

	test('Subscribe and Unsubscribe by list name and contact email', async () => {
		const list = emulator.ac.addList('Weekly');
		const c = emulator.ac.addContact({ email: 'reader@example.com' });
		const sub = await ac({ resource: 'list', operation: 'subscribe', list: byName('Weekly'), contact: byEmail('reader@example.com') });
		expect(sub.json[0]).toMatchObject({ list: list.id, contact: c.id, status: '1' });
		await ac({ resource: 'list', operation: 'unsubscribe', list: byName('Weekly'), contact: byEmail('reader@example.com') });
		expect(emulator.ac.contactLists.get(`${c.id}:${list.id}`)?.status).toBe('2');
	});

	test('an unknown list name on a later item stops the run before anything is written', async () => {
		emulator.ac.addList('Known');
		emulator.ac.addContact({ email: 'early@example.com' });
		const run = await ac({ resource: 'list', operation: 'subscribe', list: { __rl: true, mode: 'name', value: '={{ $json.list }}' }, contact: byEmail('early@example.com') }, [
			{ list: 'Known' },
			{ list: 'Unknown' },
		]);
		expect(run.error?.message).toBe('No list is named "Unknown" (item 1)');
		expect(emulator.log.filter((l) => l.method !== 'GET')).toHaveLength(0);
	});

	test('an unknown list name is an input error naming the item', async () => {
		emulator.ac.addContact({ email: 'nolist@example.com' });
		const run = await ac({ resource: 'list', operation: 'subscribe', list: byName('Nope'), contact: byEmail('nolist@example.com') });
		expect(run.error?.message).toBe('No list is named "Nope" (item 0)');
	});
});

describe('Tag and Custom Field', () => {
	test('Add to Contact by name (created when missing), Remove from Contact by name', async () => {
		const c = emulator.ac.addContact({ email: 'tagged@example.com' });
		const added = await ac({ resource: 'tag', operation: 'addToContact', contact: byEmail('tagged@example.com'), tag: byName('Brand New Tag'), createIfMissing: true });
		expect(added.error).toBeUndefined();
		const tag = [...emulator.ac.tags.values()].find((t) => t.tag === 'Brand New Tag')!;
		expect([...emulator.ac.contactTags.values()].some((ct) => ct.contact === c.id && ct.tag === tag.id)).toBe(true);
		const removed = await ac({ resource: 'tag', operation: 'removeFromContact', contact: byEmail('tagged@example.com'), tag: byName('brand new tag') });
		expect(removed.json[0]).toEqual({ removed: true, contact: c.id, tag: tag.id });
		expect([...emulator.ac.contactTags.values()].some((ct) => ct.contact === c.id && ct.tag === tag.id)).toBe(false);
	});

	test('Add to Contact with an unknown tag name and no creation fails, naming the item', async () => {
		emulator.ac.addContact({ email: 'notag@example.com' });
		const run = await ac({ resource: 'tag', operation: 'addToContact', contact: byEmail('notag@example.com'), tag: byName('ghost') });
		expect(run.error?.message).toBe('No tag is named "ghost" (item 0)');
	});

	test('Tag Create and Get Many; Custom Field Get Many loads every page', async () => {
		await ac({ resource: 'tag', operation: 'create', name: 'vip-2026', description: 'VIPs' });
		const tags = await ac({ resource: 'tag', operation: 'getAll', returnAll: true, filters: { search: 'vip-2026' } });
		expect(tags.json.map((t) => t.tag)).toEqual(['vip-2026']);
		for (let i = 0; i < 230; i++) emulator.ac.addField(`Field ${i}`);
		emulator.resetCounts();
		const fields = await ac({ resource: 'customField', operation: 'getAll', returnAll: true });
		expect(fields.json.length).toBe(emulator.ac.fields.size);
		expect(emulator.count('GET /api/3/fields')).toBe(Math.ceil(emulator.ac.fields.size / 100));
	});
});

describe('dropdowns and searchable locators', () => {
	const creds = () => ({ activeCampaignSyncApi: { apiUrl: emulator.url, apiKey: AC_TEST_KEY } });

	test('custom fields: every page of hundreds of fields, sorted by name', async () => {
		for (let i = 0; i < 120; i++) emulator.ac.addField(`Extra ${String(i).padStart(3, '0')}`);
		emulator.resetCounts();
		const options = (await loadNodeOptions('activeCampaignSync', 'loadOptions', 'getCustomFields', creds())) as Array<{ name: string; value: string }>;
		expect(options).toHaveLength(emulator.ac.fields.size);
		expect(options.map((o) => o.name)).toEqual([...options.map((o) => o.name)].sort((a, b) => a.localeCompare(b)));
		expect(emulator.count('GET /api/3/fields')).toBe(Math.ceil(emulator.ac.fields.size / 100));
	});

	test('lists: searchable by part of the name across all pages', async () => {
		for (let i = 0; i < 150; i++) emulator.ac.addList(`Segment ${i}`);
		emulator.ac.addList('Needle In The Haystack');
		const found = (await loadNodeOptions('activeCampaignSync', 'listSearch', 'searchLists', creds(), 'needle')) as { results: Array<{ name: string }> };
		expect(found.results.map((r) => r.name)).toEqual(['Needle In The Haystack']);
		const all = (await loadNodeOptions('activeCampaignSync', 'listSearch', 'searchLists', creds())) as { results: unknown[] };
		expect(all.results).toHaveLength(emulator.ac.lists.size);
	});
});

describe('Contact: Create or Update Many when ActiveCampaign refuses part of an import', () => {
	const bulk = { resource: 'contact', operation: 'upsertMany', email: '={{ $json.email }}' };

	test('contacts named in failureReasons are marked failed and the rest of the chunk is sent again', async () => {
		// A rule the node cannot check itself: the emulator refuses this address inside the import call.
		const refused = 'refused@example.com';
		emulator.ac.importRejects.clear();
		const input = Array.from({ length: 12 }, (_, i) => ({ email: i === 4 ? refused : `part${i}@example.com` }));
		emulator.faults.push({ kind: 'import-refuses', method: 'POST', path: /bulk_import$/, refuse: [4] } as never);
		const run = await ac(bulk, input);
		expect(run.error).toBeUndefined();
		expect(run.json[4]).toMatchObject({ email: refused, status: 'failed', error: 'Refused: test rule', itemIndex: 4 });
		expect(run.json.filter((j) => j.status === 'succeeded')).toHaveLength(11);
		const calls = emulator.log.filter((l) => l.path === '/api/3/import/bulk_import');
		expect(calls).toHaveLength(2);
		expect((calls[1].body as { contacts: Array<{ email: string }> }).contacts.map((c) => c.email)).not.toContain(refused);
		expect((calls[1].body as { contacts: unknown[] }).contacts).toHaveLength(11);
	});

	test('a refusal that names no contact of the chunk stops with the error instead of re-sending', async () => {
		const input = Array.from({ length: 12 }, (_, i) => ({ email: `odd${i}@example.com` }));
		emulator.faults.push({ kind: 'import-refuses', method: 'POST', path: /bulk_import$/, refuse: [400], times: 5 } as never);
		const run = await ac(bulk, input);
		expect(run.error?.message).toMatch(/^ActiveCampaign rejected a bulk import of 12 contacts/);
		expect(emulator.log.filter((l) => l.path === '/api/3/import/bulk_import')).toHaveLength(1);
	});
});
