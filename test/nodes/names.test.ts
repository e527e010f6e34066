import type { IDataObject } from 'n8n-workflow';

import { AC_TEST_KEY, type Emulator, startEmulator } from '../emulator/server';
import { loadNodeOptions } from '../harness/n8n';
import { runNode } from './workflow';

/**
 * Issue 17 §1: a name is a name and an ID is an ID, whatever the value looks like. Every object
 * here has a twin whose name is the other's ID (a tag named "7" beside the tag whose ID is 7),
 * as happens with years, cohorts and store numbers. Rules (README, operations): resource locators
 * By Name / By ID mean what they say; tag names (Tags fields, bulk rows) are names only; a field
 * with a dropdown holds an ID (Mailchimp: a merge tag), or `name:` and a name.
 */
let emulator: Emulator;
const fast = { limits: { requestsPerSecond: 1000 } };
const ac = (parameters: IDataObject, input?: IDataObject[], options?: { continueOnFail?: boolean }) =>
	runNode(emulator, 'activeCampaign', { ...fast, ...parameters } as never, input, options);
const byEmail = (value: string) => ({ __rl: true, mode: 'email', value });
const byName = (value: string) => ({ __rl: true, mode: 'name', value });
const byId = (value: string) => ({ __rl: true, mode: 'id', value });

/** The names of a contact's tags. */
function tagsOf(email: string): string[] {
	const contact = emulator.ac.findByEmail(email);
	if (!contact) return [];
	return [...emulator.ac.contactTags.values()].filter((r) => r.contact === contact.id).map((r) => emulator.ac.tags.get(r.tag)!.tag).sort();
}
const tagsNamed = (name: string) => [...emulator.ac.tags.values()].filter((t) => t.tag === name);
const listStatus = (email: string, list: string) => emulator.ac.contactLists.get(`${emulator.ac.findByEmail(email)?.id}:${list}`)?.status;

beforeAll(async () => {
	emulator = await startEmulator({ acRatePerSecond: 1000 });
});
afterAll(() => emulator.stop());
beforeEach(() => emulator.resetCounts());

describe('ActiveCampaign tags', () => {
	test('Add to Contact, By Name with Create Tag If Missing: a name that is another tag\'s ID creates the tag of that name', async () => {
		const trial = emulator.ac.addTag('trial');
		emulator.ac.addContact({ email: 'tag-create@example.com' });
		const run = await ac({ resource: 'tag', operation: 'addToContact', contact: byEmail('tag-create@example.com'), tag: byName(trial.id), createIfMissing: true });
		expect(run.error).toBeUndefined();
		expect(tagsNamed(trial.id)).toHaveLength(1);
		expect(tagsOf('tag-create@example.com')).toEqual([trial.id]);
	});

	test('Add to Contact, By Name without Create Tag If Missing: the tag of that name, or an error when none has it', async () => {
		const trial = emulator.ac.addTag('trial-off');
		emulator.ac.addContact({ email: 'tag-off@example.com' });
		const missing = await ac({ resource: 'tag', operation: 'addToContact', contact: byEmail('tag-off@example.com'), tag: byName(trial.id) });
		expect(missing.error?.message).toMatch(new RegExp(`tag is named "${trial.id}"`));
		// A workflow from a version that took this for an ID is told how to keep meaning that tag.
		expect(missing.error?.description).toMatch(new RegExp(`ID ${trial.id} is named "trial-off".*By ID`));
		expect(tagsOf('tag-off@example.com')).toEqual([]);

		const twin = emulator.ac.addTag(trial.id);
		const named = await ac({ resource: 'tag', operation: 'addToContact', contact: byEmail('tag-off@example.com'), tag: byName(trial.id) });
		expect(named.error).toBeUndefined();
		expect(named.json[0]).toMatchObject({ tag: twin.id });
		expect(tagsOf('tag-off@example.com')).toEqual([trial.id]);

		const removed = await ac({ resource: 'tag', operation: 'removeFromContact', contact: byEmail('tag-off@example.com'), tag: byName(trial.id) });
		expect(removed.error).toBeUndefined();
		expect(tagsOf('tag-off@example.com')).toEqual([]);
	});

	test('Add to Contact, By ID: the tag with that ID, even when another tag is named so', async () => {
		const trial = emulator.ac.addTag('trial-id');
		emulator.ac.addTag(trial.id);
		emulator.ac.addContact({ email: 'tag-id@example.com' });
		const run = await ac({ resource: 'tag', operation: 'addToContact', contact: byEmail('tag-id@example.com'), tag: byId(trial.id), createIfMissing: true });
		expect(run.error).toBeUndefined();
		expect(tagsOf('tag-id@example.com')).toEqual(['trial-id']);
	});

	test('Get Many contacts, tag filter: a bare value is an ID, name: a name', async () => {
		const a = emulator.ac.addTag('filter-a');
		const b = emulator.ac.addTag(a.id);
		const withA = emulator.ac.addContact({ email: 'filter-a@example.com' });
		const withB = emulator.ac.addContact({ email: 'filter-b@example.com' });
		emulator.ac.tagContact(withA.id, a.id);
		emulator.ac.tagContact(withB.id, b.id);
		const viaId = await ac({ resource: 'contact', operation: 'getAll', returnAll: true, filters: { tag: a.id } });
		expect(viaId.json.map((j) => j.email)).toEqual(['filter-a@example.com']);
		const viaName = await ac({ resource: 'contact', operation: 'getAll', returnAll: true, filters: { tag: `name:${a.id}` } });
		expect(viaName.json.map((j) => j.email)).toEqual(['filter-b@example.com']);
		const bareName = await ac({ resource: 'contact', operation: 'getAll', returnAll: true, filters: { tag: 'filter-a' } });
		expect(bareName.error?.message).toMatch(/name:filter-a/);
	});
});

describe('ActiveCampaign dropdowns', () => {
	test('searching tags and lists by a name made of digits finds the ones named so, not the one with that ID', async () => {
		const creds = { activeCampaignSyncApi: { apiUrl: emulator.url, apiKey: AC_TEST_KEY } };
		const tag = emulator.ac.addTag('search-tag');
		const tagTwin = emulator.ac.addTag(`${tag.id}`);
		const tags = (await loadNodeOptions('activeCampaignSync', 'listSearch', 'searchTags', creds, tag.id)) as { results: Array<{ name: string; value: string }> };
		expect(tags.results).toContainEqual({ name: tagTwin.tag, value: tagTwin.id });
		expect(tags.results.map((r) => r.value)).not.toContain(tag.id);
		const list = emulator.ac.addList('Search List');
		const lists = (await loadNodeOptions('activeCampaignSync', 'listSearch', 'searchLists', creds, list.id)) as { results: Array<{ name: string }> };
		expect(lists.results.map((r) => r.name)).not.toContain('Search List');
	});
});

describe('ActiveCampaign lists', () => {
	test('Subscribe, list By Name that is another list\'s ID: the list of that name', async () => {
		const news = emulator.ac.addList('News');
		const twin = emulator.ac.addList(news.id);
		emulator.ac.addContact({ email: 'list-name@example.com' });
		const none = await ac({ resource: 'list', operation: 'subscribe', list: byName('9999'), contact: byEmail('list-name@example.com') });
		expect(none.error?.message).toMatch(/No list is named "9999" \(item 0\)/);
		expect(none.error?.description).not.toMatch(/By ID/);
		const run = await ac({ resource: 'list', operation: 'subscribe', list: byName(news.id), contact: byEmail('list-name@example.com') });
		expect(run.error).toBeUndefined();
		expect(listStatus('list-name@example.com', twin.id)).toBe('1');
		expect(listStatus('list-name@example.com', news.id)).toBeUndefined();
	});

	test('Get Many contacts, list filter: a bare value is an ID, name: a name', async () => {
		const a = emulator.ac.addList('Filter A');
		const b = emulator.ac.addList(a.id);
		const onA = emulator.ac.addContact({ email: 'lf-a@example.com' });
		const onB = emulator.ac.addContact({ email: 'lf-b@example.com' });
		emulator.ac.subscribe(onA.id, a.id, '1');
		emulator.ac.subscribe(onB.id, b.id, '1');
		const viaId = await ac({ resource: 'contact', operation: 'getAll', returnAll: true, filters: { list: a.id } });
		expect(viaId.json.map((j) => j.email)).toEqual(['lf-a@example.com']);
		const viaName = await ac({ resource: 'contact', operation: 'getAll', returnAll: true, filters: { list: `name:${a.id}` } });
		expect(viaName.json.map((j) => j.email)).toEqual(['lf-b@example.com']);
	});
});

describe('ActiveCampaign custom fields', () => {
	test('Create or Update: a bare value is the field with that ID, name: the field with that title', async () => {
		const company = emulator.ac.addField('Company Name');
		const twin = emulator.ac.addField(company.id);
		const run = await ac({
			resource: 'contact',
			operation: 'upsert',
			email: 'cf-name@example.com',
			additionalFields: { customFields: { field: [{ field: company.id, value: 'by id' }, { field: `name:${company.id}`, value: 'by name' }] } },
		});
		expect(run.error).toBeUndefined();
		const id = emulator.ac.findByEmail('cf-name@example.com')!.id;
		expect(emulator.ac.fieldValues.get(`${id}:${company.id}`)?.value).toBe('by id');
		expect(emulator.ac.fieldValues.get(`${id}:${twin.id}`)?.value).toBe('by name');
	});

	test('name: also takes a personalisation tag, with or without its percent signs', async () => {
		const field = emulator.ac.addField('Loyalty Tier');
		const run = await ac({
			resource: 'contact',
			operation: 'upsert',
			email: 'cf-perstag@example.com',
			additionalFields: { customFields: { field: [{ field: `name:%${field.perstag}%`, value: 'gold' }] } },
		});
		expect(run.error).toBeUndefined();
		expect(emulator.ac.fieldValues.get(`${emulator.ac.findByEmail('cf-perstag@example.com')!.id}:${field.id}`)?.value).toBe('gold');
	});

	test('a title without name: is refused with the form to use, and nothing is written', async () => {
		emulator.ac.addField('Plan');
		const run = await ac({ resource: 'contact', operation: 'upsert', email: 'cf-bare@example.com', additionalFields: { customFields: { field: [{ field: 'Plan', value: 'x' }] } } });
		expect(run.error?.message).toMatch(/name:Plan/);
		expect(emulator.ac.findByEmail('cf-bare@example.com')).toBeUndefined();
	});
});

describe('ActiveCampaign Create or Update Many: the same result with 3 items (per item) and 12 (bulk import)', () => {
	test.each([3, 12])('%i items: tags are names, lists and custom fields by name: or ID', async (count) => {
		const tag = emulator.ac.addTag(`cohort-${count}`);
		const list = emulator.ac.addList(`Members ${count}`);
		const listTwin = emulator.ac.addList(list.id);
		const field = emulator.ac.addField(`Store ${count}`);
		const fieldTwin = emulator.ac.addField(field.id);
		const input = Array.from({ length: count }, (_, i) => ({ email: `many${count}-${i}@example.com` }));
		const run = await ac(
			{
				resource: 'contact',
				operation: 'upsertMany',
				email: '={{ $json.email }}',
				tags: tag.id,
				lists: [`name:${list.id}`],
				additionalFields: { customFields: { field: [{ field: `name:${field.id}`, value: 'named' }, { field: field.id, value: 'by id' }] } },
			},
			input,
		);
		expect(run.error).toBeUndefined();
		expect(run.json.every((j) => j.status === 'succeeded')).toBe(true);
		expect(tagsNamed(tag.id)).toHaveLength(1);
		for (const { email } of input) {
			const id = emulator.ac.findByEmail(email)!.id;
			expect(tagsOf(email)).toEqual([tag.id]);
			expect(listStatus(email, listTwin.id)).toBe('1');
			expect(listStatus(email, list.id)).toBeUndefined();
			expect(emulator.ac.fieldValues.get(`${id}:${fieldTwin.id}`)?.value).toBe('named');
			expect(emulator.ac.fieldValues.get(`${id}:${field.id}`)?.value).toBe('by id');
		}
	});
});

describe('Mailchimp merge fields', () => {
	const AUD = 'audNames001';
	const audience = { __rl: true, mode: 'id', value: AUD };
	const mc = (parameters: IDataObject, input?: IDataObject[]) => runNode(emulator, 'mailchimp', { audience, ...parameters } as never, input);
	beforeAll(() => {
		emulator.mc.addList(AUD, 'Names Audience');
		// A field whose name is another field's tag.
		emulator.mc.addMergeField(AUD, 'NICK', 'FNAME');
	});

	test('a bare value is a merge tag, name: a field\'s name, even when it is another field\'s tag', async () => {
		const fields = { field: [{ field: 'FNAME', value: 'Tag' }, { field: 'name:FNAME', value: 'Name' }] };
		const one = await mc({ resource: 'member', operation: 'upsert', email: 'mf1@example.com', statusIfNew: 'subscribed', additionalFields: { mergeFields: fields } });
		expect(one.error).toBeUndefined();
		expect(one.json[0]).toMatchObject({ merge_fields: { FNAME: 'Tag', NICK: 'Name' } });
	});

	test('a name without name: is refused with the form to use', async () => {
		const run = await mc({ resource: 'member', operation: 'upsert', email: 'mf2@example.com', statusIfNew: 'subscribed', additionalFields: { mergeFields: { field: [{ field: 'First Name', value: 'x' }] } } });
		expect(run.error?.message).toMatch(/name:First Name/);
	});

	test.each([3, 12])('Create or Update Many with %i items: name: and tags resolve alike', async (count) => {
		const input = Array.from({ length: count }, (_, i) => ({ email: `mfmany${count}-${i}@example.com` }));
		const fields = { field: [{ field: 'FNAME', value: 'Tag' }, { field: 'name:FNAME', value: 'Name' }] };
		const run = await mc({ resource: 'member', operation: 'upsertMany', email: '={{ $json.email }}', status: 'subscribed', additionalFields: { mergeFields: fields } }, input);
		expect(run.error).toBeUndefined();
		for (const j of run.json) expect(j.status).toBe('created');
		const members = emulator.mc.lists.get(AUD)!.members;
		for (const m of [...members.values()].filter((x) => x.email_address.startsWith(`mfmany${count}-`))) expect(m.merge_fields).toMatchObject({ FNAME: 'Tag', NICK: 'Name' });
	});
});

describe('Create Tag If Missing when the tag appears meanwhile (another execution, a user in ActiveCampaign)', () => {
	/**
	 * ActiveCampaign refuses a second tag with a name it already has (API-NOTES.md: tags are matched
	 * without regard to case, and a second tag differing only in case is refused). A workflow
	 * started twice at once (two webhook deliveries) reads the tags, finds none, and both create
	 * it: one of them is refused. The tag the user asked for exists then, and is the one to use.
	 */
	const createdMeanwhile = (name: string) => {
		emulator.beforeAnswer = ({ method, path }) => {
			if (method === 'POST' && path === '/api/3/tags' && !tagsNamed(name).length) emulator.ac.addTag(name);
		};
	};
	afterEach(() => (emulator.beforeAnswer = undefined));

	test('Add to Contact: the tag created meanwhile is put on the contact, and no second one is made', async () => {
		emulator.ac.addContact({ email: 'race-add@example.com' });
		createdMeanwhile('Race 2025');
		const run = await ac({ resource: 'tag', operation: 'addToContact', contact: byEmail('race-add@example.com'), tag: byName('Race 2025'), createIfMissing: true });
		expect(run.error).toBeUndefined();
		expect(tagsNamed('Race 2025')).toHaveLength(1);
		expect(tagsOf('race-add@example.com')).toEqual(['Race 2025']);
	});

	test.each([3, 12])('Create or Update Many with %i items: every contact gets the tag created meanwhile', async (count) => {
		const name = `race-many-${count}`;
		createdMeanwhile(name);
		const input = Array.from({ length: count }, (_, i) => ({ email: `racemany${count}-${i}@example.com` }));
		const run = await ac({ resource: 'contact', operation: 'upsertMany', email: '={{ $json.email }}', tags: name }, input);
		expect(run.error).toBeUndefined();
		expect(run.json.map((j) => j.status)).toEqual(input.map(() => 'succeeded'));
		expect(tagsNamed(name)).toHaveLength(1);
		for (const { email } of input) expect(tagsOf(email)).toEqual([name]);
	});
});
