import { of, scenario, testEmulator } from './run';

/**
 * Idempotence (issue 19: "after Apply, a second Plan finds 0 differences, unless someone changed the
 * data in between") where the plan cannot see everything it writes to: an ActiveCampaign contact that
 * exists outside the list (or outside the tag the list is narrowed to) looks new, and is "created"
 * from Mailchimp. Writing it keeps the values it already holds where Mailchimp's are empty (an empty
 * value never erases a filled one), so those must reach Mailchimp in the same run.
 */
const emulator = testEmulator();

describe('Audience Sync: a contact that exists outside the list', () => {
	test.each([
		['few writes (contact/sync)', 0],
		['bulk import', 12],
	])('%s: created from Mailchimp, its own filled values reach Mailchimp in the same run; the next Plan finds nothing', async (_, fillers) => {
		const s = scenario(emulator);
		// On no list: a phone and a last name Mailchimp does not have, a first name Mailchimp has otherwise.
		emulator.ac.addContact({ email: 'outside@example.com', firstName: 'Olga', lastName: 'Ode', phone: '+15550100' });
		s.mc('outside@example.com', 'subscribed', { FNAME: 'Olly' });
		for (let i = 0; i < fillers; i++) s.mc(`filler${i}@example.com`, 'subscribed', { FNAME: `F${i}` });
		const apply = await s.run({ direction: 'both', mode: 'apply', maxChanges: '100' });
		expect(apply.error).toBeUndefined();
		expect(apply.summary.written).toMatchObject({ failed: 0 });
		expect(s.acStatus('outside@example.com')).toBe('1');
		expect(emulator.ac.findByEmail('outside@example.com')).toMatchObject({ firstName: 'Olly', lastName: 'Ode', phone: '+15550100' });
		expect(s.member('outside@example.com')!.merge_fields).toMatchObject({ FNAME: 'Olly', LNAME: 'Ode', PHONE: '+15550100' });
		// It existed: not claimed as created.
		expect(of(apply, 'outside@example.com')!.outcome).not.toBe('created');
		const again = await s.run({ direction: 'both' });
		expect(again.differences).toEqual([]);
	});

	test.each([
		['few writes (contact/sync)', 0],
		['bulk import', 12],
	])('%s: outside the tag the list is narrowed to, active on the list: updated, not created; the next Plan finds nothing', async (_, fillers) => {
		const s = scenario(emulator);
		const tag = emulator.ac.addTag(`outside-tag-${s.list.id}`);
		s.ac('untagged@example.com', '1', { lastName: 'Ung', phone: '+15550101' });
		s.mc('untagged@example.com', 'subscribed', { FNAME: 'Uma' });
		for (let i = 0; i < fillers; i++) s.mc(`untagged-fill${i}@example.com`, 'subscribed', { FNAME: `V${i}` });
		const parameters = { direction: 'both', tag: { __rl: true, mode: 'id', value: tag.id } };
		const apply = await s.run({ ...parameters, mode: 'apply', maxChanges: '100' });
		expect(apply.error).toBeUndefined();
		expect(of(apply, 'untagged@example.com')!.outcome).toBe('updated');
		expect(s.acStatus('untagged@example.com')).toBe('1');
		for (let i = 0; i < fillers; i++) expect([i, s.acStatus(`untagged-fill${i}@example.com`)]).toEqual([i, '1']);
		expect(s.member('untagged@example.com')!.merge_fields).toMatchObject({ FNAME: 'Uma', LNAME: 'Ung', PHONE: '+15550101' });
		expect((await s.run(parameters)).differences).toEqual([]);
	});

	test.each([
		['few writes (contact/sync)', 0],
		['bulk import', 12],
	])('%s: unsubscribed on the list outside the tag, subscribed in Mailchimp: unsubscribed in Mailchimp in the same run, not claimed created', async (_, fillers) => {
		const s = scenario(emulator);
		const tag = emulator.ac.addTag(`gone-tag-${s.list.id}`);
		s.ac('gone@example.com', '2', { firstName: 'Gus' });
		s.mc('gone@example.com', 'subscribed', { FNAME: 'Gus' });
		for (let i = 0; i < fillers; i++) s.mc(`tagfill${i}@example.com`, 'subscribed', { FNAME: `T${i}` });
		const parameters = { direction: 'both', tag: { __rl: true, mode: 'id', value: tag.id } };
		const apply = await s.run({ ...parameters, mode: 'apply', maxChanges: '100' });
		expect(apply.error).toBeUndefined();
		expect(s.acStatus('gone@example.com')).toBe('2');
		expect(s.member('gone@example.com')!.status).toBe('unsubscribed');
		expect(String(of(apply, 'gone@example.com')!.outcomes && (of(apply, 'gone@example.com')!.outcomes as Record<string, { note?: string }>).activeCampaign.note)).toMatch(/unsubscribed/);
		expect(of(apply, 'gone@example.com')).toMatchObject({ target: 'both', outcomes: { activeCampaign: { status: 'updated' }, mailchimp: { status: 'unsubscribed' } } });
		expect((await s.run(parameters)).differences).toEqual([]);
	});
});

describe('Audience Sync: odd values travel whole and keep to their own field and person', () => {
	test('values holding control characters, newlines, odd Unicode or a long text: Apply writes them as they are, nobody else is touched, and the next Plan finds nothing', async () => {
		const s = scenario(emulator);
		const odd = {
			sep: 'Ann\u0001Lee',
			pair: 'Bo\u0002b',
			same: '\u0003',
			newline: 'Line\nTwo',
			unicode: 'Zoë 👩‍👩‍👧 Ω',
			long: 'L'.repeat(200),
		};
		// ActiveCampaign → Mailchimp: first names with odd values, last names plain.
		for (const [name, value] of Object.entries(odd)) s.ac(`odd-${name}@example.com`, '1', { firstName: value, lastName: `Plain-${name}` });
		// Mailchimp → ActiveCampaign: one with odd values on both sides, the same as ActiveCampaign's except the last name.
		s.ac('both-odd@example.com', '1', { firstName: 'A\u0001B', lastName: '' });
		s.mc('both-odd@example.com', 'subscribed', { FNAME: 'A\u0001B', LNAME: 'C\u0002D' });
		s.mc('neighbour@example.com', 'unsubscribed', { FNAME: 'Nia' });
		const apply = await s.run({ direction: 'both', mode: 'apply', maxChanges: '100' });
		expect(apply.error).toBeUndefined();
		for (const [name, value] of Object.entries(odd)) {
			expect([name, s.member(`odd-${name}@example.com`)?.merge_fields]).toEqual([name, expect.objectContaining({ FNAME: value, LNAME: `Plain-${name}` })]);
		}
		expect(emulator.ac.findByEmail('both-odd@example.com')).toMatchObject({ firstName: 'A\u0001B', lastName: 'C\u0002D' });
		expect(s.member('both-odd@example.com')!.merge_fields).toMatchObject({ FNAME: 'A\u0001B', LNAME: 'C\u0002D' });
		expect(s.member('neighbour@example.com')).toMatchObject({ status: 'unsubscribed', merge_fields: { FNAME: 'Nia' } });
		expect(['2', undefined]).toContain(s.acStatus('neighbour@example.com'));
		const again = await s.run({ direction: 'both' });
		expect(again.differences).toEqual([]);
	});
});
