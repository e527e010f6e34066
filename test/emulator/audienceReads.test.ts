/* eslint-disable @typescript-eslint/no-explicit-any -- test code, never shipped: untyped JSON answers are fine here */
import { seedAudiences } from './audiences';
import { subscriberHash } from './mailchimp';
import { AC_TEST_KEY, type Emulator, MC_TEST_KEY, startEmulator } from './server';

/**
 * The reads the Audience Sync node relies on, as the real APIs answer them (API-NOTES.md,
 * "Audience Sync reads"): ActiveCampaign contacts of a list with their status there, Mailchimp
 * members with `fields` projections. The emulator is checked against the providers' documented
 * behaviour here, independently of the node.
 */
let emulator: Emulator;
beforeEach(async () => {
	// These tests check answers, not the rate limit (checked elsewhere).
	emulator = await startEmulator({ acRatePerSecond: 1000 });
});
afterEach(async () => {
	await emulator.stop();
});

const ac = async (query: string): Promise<{ status: number; body: any }> => {
	const res = await fetch(`${emulator.url}/api/3/contacts?${query}`, { headers: { 'api-token': AC_TEST_KEY } });
	return { status: res.status, body: await res.json() };
};
const mc = async (path: string): Promise<{ status: number; body: any }> => {
	const res = await fetch(`${emulator.mcBaseUrl}${path}`, { headers: { authorization: `Basic ${Buffer.from(`any:${MC_TEST_KEY}`).toString('base64')}` } });
	return { status: res.status, body: await res.json() };
};

describe('ActiveCampaign: contacts of a list with their list status', () => {
	function listWithEveryStatus() {
		const list = emulator.ac.addList('Newsletter');
		const other = emulator.ac.addList('Other');
		const tag = emulator.ac.addTag('vip');
		const people = ['unconfirmed', 'active', 'unsubscribed', 'bounced'].map((name, status) => {
			const contact = emulator.ac.addContact({ email: `${name}@example.com`, firstName: name });
			emulator.ac.subscribe(contact.id, list.id, String(status));
			return contact;
		});
		const elsewhere = emulator.ac.addContact({ email: 'elsewhere@example.com' });
		emulator.ac.subscribe(elsewhere.id, other.id, '1');
		emulator.ac.tagContact(people[1].id, tag.id);
		emulator.ac.tagContact(people[2].id, tag.id);
		return { list, other, tag, people, elsewhere };
	}

	test('listid returns every contact on the list whatever its status there; status narrows to one; meta.total is a string', async () => {
		const { list } = listWithEveryStatus();
		const all = await ac(`listid=${list.id}&limit=100`);
		expect(all.body.contacts.map((c: any) => c.email)).toEqual(['unconfirmed@example.com', 'active@example.com', 'unsubscribed@example.com', 'bounced@example.com']);
		expect(all.body.meta.total).toBe('4');
		for (const [status, email] of [['0', 'unconfirmed'], ['1', 'active'], ['2', 'unsubscribed'], ['3', 'bounced']]) {
			const one = await ac(`listid=${list.id}&status=${status}`);
			expect(one.body.contacts.map((c: any) => c.email)).toEqual([`${email}@example.com`]);
			expect(one.body.meta.total).toBe('1');
		}
		expect((await ac(`listid=${list.id}&status=-1`)).body.meta.total).toBe('4');
		expect((await ac(`listid=${list.id}&status=7`)).status).toBe(422);
	});

	test('include=contactLists sideloads each contact’s memberships (status, sdate, udate) beside the contacts', async () => {
		const { list, other, people } = listWithEveryStatus();
		emulator.ac.subscribe(people[1].id, other.id, '2');
		const page = await ac(`listid=${list.id}&status=1&include=contactLists`);
		const [contact] = page.body.contacts;
		expect(contact.email).toBe('active@example.com');
		expect(contact.udate).toEqual(expect.any(String));
		expect(contact.contactLists).toHaveLength(2);
		const rows = page.body.contactLists.filter((row: any) => contact.contactLists.includes(row.id));
		expect(rows.map((row: any) => [row.list, row.status])).toEqual(
			expect.arrayContaining([
				[list.id, '1'],
				[other.id, '2'],
			]),
		);
		expect(rows[0]).toMatchObject({ contact: contact.id, sdate: expect.any(String), udate: expect.any(String) });
	});

	test('a status change stamps the membership’s udate; the same status again changes nothing', async () => {
		const { list, people } = listWithEveryStatus();
		const before = emulator.ac.contactLists.get(`${people[1].id}:${list.id}`)!;
		expect(emulator.ac.subscribe(people[1].id, list.id, '1')).toBe(before);
		const after = emulator.ac.subscribe(people[1].id, list.id, '2');
		expect(after.id).toBe(before.id);
		expect(after.sdate).toBe(before.sdate);
		expect(Date.parse(after.udate)).toBeGreaterThan(Date.parse(before.udate));
	});

	test('a read sees every change made since the last one (status, tag, new and deleted contacts)', async () => {
		const { list, tag, people } = listWithEveryStatus();
		const active = async () => (await ac(`listid=${list.id}&status=1&limit=100`)).body.contacts.map((c: any) => c.email);
		expect(await active()).toEqual(['active@example.com']);
		emulator.ac.subscribe(people[0].id, list.id, '1');
		expect(await active()).toEqual(['unconfirmed@example.com', 'active@example.com']);
		emulator.ac.subscribe(people[1].id, list.id, '2');
		expect(await active()).toEqual(['unconfirmed@example.com']);
		emulator.ac.subscribe(emulator.ac.addContact({ email: 'late@example.com' }).id, list.id, '1');
		expect(await active()).toEqual(['unconfirmed@example.com', 'late@example.com']);
		emulator.ac.contacts.delete(people[0].id);
		expect(await active()).toEqual(['late@example.com']);
		emulator.ac.tagContact(people[3].id, tag.id);
		expect((await ac(`listid=${list.id}&tagid=${tag.id}`)).body.meta.total).toBe('3');
	});

	test('tagid narrows a list to the contacts with that tag', async () => {
		const { list, tag } = listWithEveryStatus();
		const tagged = await ac(`listid=${list.id}&tagid=${tag.id}`);
		expect(tagged.body.contacts.map((c: any) => c.email)).toEqual(['active@example.com', 'unsubscribed@example.com']);
		expect((await ac(`listid=${list.id}&tagid=${tag.id}&status=2`)).body.meta.total).toBe('1');
	});

	test('pages hold at most 100 contacts; offset and id_greater page through in id order', async () => {
		const list = emulator.ac.addList('Big');
		for (let i = 0; i < 250; i++) emulator.ac.subscribe(emulator.ac.addContact({ email: `p${i}@example.com` }).id, list.id, '1');
		const first = await ac(`listid=${list.id}&limit=500`);
		expect(first.body.contacts).toHaveLength(100);
		expect(first.body.meta.total).toBe('250');
		const third = await ac(`listid=${list.id}&limit=100&offset=200`);
		expect(third.body.contacts.map((c: any) => c.email)).toEqual(Array.from({ length: 50 }, (_, i) => `p${200 + i}@example.com`));
		const last = first.body.contacts[99].id;
		const keyset = await ac(`listid=${list.id}&limit=100&orders[id]=ASC&id_greater=${last}`);
		expect(keyset.body.contacts[0].email).toBe('p100@example.com');
		expect(keyset.body.meta.total).toBe('150');
	});
});

describe('Mailchimp: members with fields projections', () => {
	const FIELDS = 'members.email_address,members.status,members.merge_fields,members.last_changed,total_items';

	test('fields= keeps only the named paths, in arrays too; exclude_fields= drops them', async () => {
		emulator.mc.addList('aud1', 'Audience');
		emulator.mc.addMember('aud1', 'Jane@Example.com', 'subscribed', { FNAME: 'Jane', LNAME: 'Doe' });
		const page = await mc(`/lists/aud1/members?fields=${FIELDS}`);
		expect(page.status).toBe(200);
		expect(page.body).toEqual({
			members: [{ email_address: 'Jane@Example.com', status: 'subscribed', merge_fields: { FNAME: 'Jane', LNAME: 'Doe' }, last_changed: expect.any(String) }],
			total_items: 1,
		});
		const nested = await mc('/lists/aud1/members?fields=members.merge_fields.FNAME,members.id');
		expect(nested.body).toEqual({ members: [{ merge_fields: { FNAME: 'Jane' }, id: subscriberHash('jane@example.com') }] });
		const excluded = await mc('/lists/aud1/members?exclude_fields=members.merge_fields,members.tags,_links,list_id');
		expect(Object.keys(excluded.body).sort()).toEqual(['members', 'total_items']);
		expect(excluded.body.members[0].merge_fields).toBeUndefined();
		expect(excluded.body.members[0].email_address).toBe('Jane@Example.com');
		// Other GET answers are projected the same way.
		expect((await mc('/lists/aud1?fields=id')).body).toEqual({ id: 'aud1' });
	});

	test('every status can be read; archived members only with status=archived; an unknown status is refused', async () => {
		emulator.mc.addList('aud1', 'Audience');
		const statuses = ['subscribed', 'unsubscribed', 'cleaned', 'pending', 'transactional', 'archived'];
		for (const status of statuses) emulator.mc.addMember('aud1', `${status}@example.com`, status);
		for (const status of statuses) {
			const page = await mc(`/lists/aud1/members?status=${status}&fields=members.email_address,total_items`);
			expect(page.body).toEqual({ members: [{ email_address: `${status}@example.com` }], total_items: 1 });
		}
		const all = await mc('/lists/aud1/members?count=1000&fields=members.status,total_items');
		expect(all.body.members.map((m: any) => m.status)).toEqual(statuses.slice(0, 5));
		expect(all.body.total_items).toBe(5);
		expect((await mc('/lists/aud1/members?status=bounced')).status).toBe(400);
	});

	test('count is capped at 1000; offset pages through', async () => {
		emulator.mc.addList('aud1', 'Audience');
		for (let i = 0; i < 2500; i++) emulator.mc.addMember('aud1', `m${i}@example.com`);
		const first = await mc('/lists/aud1/members?count=5000&fields=members.email_address,total_items');
		expect(first.body.members).toHaveLength(1000);
		expect(first.body.total_items).toBe(2500);
		const last = await mc('/lists/aud1/members?count=1000&offset=2000&fields=members.email_address');
		expect(last.body.members.map((m: any) => m.email_address)).toEqual(Array.from({ length: 500 }, (_, i) => `m${2000 + i}@example.com`));
	});
});

describe('seeded audiences for the Audience Sync tests and benchmarks', () => {
	test('the differences the seed reports are the differences in the data, and the same seed builds the same data', async () => {
		const seeded = seedAudiences(emulator, { contacts: 2000, members: 2100, differences: 0.02, seed: 7 });
		const { expected } = seeded;
		expect(expected).toEqual({ onlyInActiveCampaign: 10, onlyInMailchimp: 110, fieldsDiffer: 10, statusDiffers: 12, total: 142 });
		// An independent comparison of the two sides, from the emulator's state.
		const acSide = new Map<string, { first: string; status: string }>();
		for (const c of emulator.ac.contacts.values()) acSide.set(c.email.toLowerCase(), { first: c.firstName, status: emulator.ac.contactLists.get(`${c.id}:${seeded.listId}`)!.status });
		const mcSide = new Map([...emulator.mc.lists.get(seeded.audienceId)!.members.values()].map((m) => [m.email_address.toLowerCase(), m]));
		const consent: Record<string, string> = { '1': 'subscribed', '2': 'unsubscribed', '3': 'cleaned' };
		const counted = { onlyInActiveCampaign: 0, onlyInMailchimp: 0, fieldsDiffer: 0, statusDiffers: 0 };
		for (const [email, a] of acSide) {
			const m = mcSide.get(email);
			if (!m) counted.onlyInActiveCampaign++;
			else if (consent[a.status] !== m.status) counted.statusDiffers++;
			else if (a.first !== m.merge_fields.FNAME) counted.fieldsDiffer++;
		}
		for (const email of mcSide.keys()) if (!acSide.has(email)) counted.onlyInMailchimp++;
		expect(counted).toEqual({ onlyInActiveCampaign: 10, onlyInMailchimp: 110, fieldsDiffer: 10, statusDiffers: 12 });
		expect(emulator.ac.contacts.size).toBe(2000);
		expect(mcSide.size).toBe(2100);
		// Some Mailchimp addresses differ only in case: the same people.
		expect([...emulator.mc.lists.get(seeded.audienceId)!.members.values()].some((m) => m.email_address !== m.email_address.toLowerCase())).toBe(true);

		const again = await startEmulator();
		try {
			const other = seedAudiences(again, { contacts: 2000, members: 2100, differences: 0.02, seed: 7 });
			expect(other.samples).toEqual(seeded.samples);
		} finally {
			await again.stop();
		}
	});
});

describe('ActiveCampaign: custom field values', () => {
	test('GET /fieldValues lists the values of one field (filters[fieldid]) or one value (filters[val]), 100 a page, meta.total a string', async () => {
		const company = emulator.ac.addField('Company');
		const plan = emulator.ac.addField('Plan');
		for (let i = 0; i < 150; i++) {
			const contact = emulator.ac.addContact({ email: `v${i}@example.com` });
			emulator.ac.setFieldValue(contact.id, company.id, `Company ${i % 3}`);
			if (i < 10) emulator.ac.setFieldValue(contact.id, plan.id, 'Pro');
		}
		const get = async (query: string) => (await fetch(`${emulator.url}/api/3/fieldValues?${query}`, { headers: { 'api-token': AC_TEST_KEY } })).json() as Promise<any>;
		const first = await get(`filters[fieldid]=${company.id}&limit=500`);
		expect(first.fieldValues).toHaveLength(100);
		expect(first.meta.total).toBe('150');
		expect(first.fieldValues[0]).toMatchObject({ field: company.id, value: 'Company 0', contact: expect.any(String), id: expect.any(String) });
		expect((await get(`filters[fieldid]=${company.id}&limit=100&offset=100`)).fieldValues).toHaveLength(50);
		expect((await get(`filters[fieldid]=${plan.id}`)).meta.total).toBe('10');
		expect((await get(`filters[fieldid]=${company.id}&filters[val]=Company 1`)).meta.total).toBe('50');
		// A value changed since the last read is read as it is now.
		const [row] = (await get(`filters[fieldid]=${plan.id}&limit=1`)).fieldValues;
		emulator.ac.setFieldValue(row.contact, plan.id, 'Enterprise');
		expect((await get(`filters[fieldid]=${plan.id}&filters[val]=Enterprise`)).meta.total).toBe('1');
	});
});
