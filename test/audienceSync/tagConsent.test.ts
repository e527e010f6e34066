import { of, scenario, testEmulator } from './run';

/**
 * A tag narrows what the sync sees of the ActiveCampaign list (review of issue 19): a contact on the
 * list without the tag looks new to it. Written, it must stay as it is on the list when it
 * unsubscribed there (API-NOTES.md: `POST /contactLists` status 1 subscribes again, so the writer
 * reads the memberships first), and its item must not claim it was created.
 */
const emulator = testEmulator();

test('a contact unsubscribed on the list but outside the tag stays unsubscribed, and its item says so', async () => {
	const s = scenario(emulator);
	const tag = emulator.ac.addTag(`narrow-${s.list.id}`);
	const contact = s.ac('outside@example.com', '2');
	s.mc('outside@example.com', 'subscribed');
	const apply = await s.run({ tag: { __rl: true, mode: 'name', value: tag.tag }, direction: 'mailchimpToActiveCampaign', mode: 'apply', maxChanges: '100%' });
	expect(apply.error).toBeUndefined();
	expect(emulator.ac.contactLists.get(`${contact.id}:${s.list.id}`)?.status).toBe('2');
	const item = of(apply, 'outside@example.com')!;
	expect(item.outcome).not.toBe('created');
	expect(String(item.note)).toMatch(/unsubscribed/i);
});

describe('a tag-narrowed list and unconfirmed contacts (ActiveCampaign list status 0)', () => {
	test.each([
		['few writes (contact/sync)', 0],
		['bulk import', 12],
	])('%s: unconfirmed on the list outside the tag, subscribed in Mailchimp: stays unconfirmed, not claimed created; the next Plan holds it', async (_, fillers) => {
		const s = scenario(emulator);
		const tag = emulator.ac.addTag(`unconfirmed-${s.list.id}`);
		s.ac('unconfirmed@example.com', '0', { firstName: 'Una' });
		s.mc('unconfirmed@example.com', 'subscribed', { FNAME: 'Una' });
		for (let i = 0; i < fillers; i++) s.mc(`unc-fill${i}@example.com`, 'subscribed', { FNAME: `U${i}` });
		const parameters = { direction: 'both', tag: { __rl: true, mode: 'id', value: tag.id } };
		const apply = await s.run({ ...parameters, mode: 'apply', maxChanges: '100' });
		expect(apply.error).toBeUndefined();
		expect(s.acStatus('unconfirmed@example.com')).toBe('0');
		expect(of(apply, 'unconfirmed@example.com')!.outcome).not.toBe('created');
		for (let i = 0; i < fillers; i++) expect(s.acStatus(`unc-fill${i}@example.com`)).toBe('1');
		const again = await s.run(parameters);
		expect(again.summary.changes).toBe(0);
		expect(of(again, 'unconfirmed@example.com')).toMatchObject({ kind: 'statusDiffers', action: 'none' });
	});

	test('tagged and unconfirmed: held against a subscribed member; an unsubscribe in Mailchimp is carried', async () => {
		const s = scenario(emulator);
		const tag = emulator.ac.addTag(`tagged-unconfirmed-${s.list.id}`);
		for (const email of ['held@example.com', 'left@example.com']) emulator.ac.tagContact(s.ac(email, '0').id, tag.id);
		s.mc('held@example.com', 'subscribed');
		s.mc('left@example.com', 'unsubscribed');
		const apply = await s.run({ direction: 'both', tag: { __rl: true, mode: 'id', value: tag.id }, mode: 'apply', maxChanges: '100' });
		expect(of(apply, 'held@example.com')).toMatchObject({ action: 'none' });
		expect(s.acStatus('held@example.com')).toBe('0');
		expect(s.member('held@example.com')!.status).toBe('subscribed');
		expect(of(apply, 'left@example.com')).toMatchObject({ action: 'unsubscribe', outcome: 'unsubscribed' });
		expect(s.acStatus('left@example.com')).toBe('2');
	});
});

test('Mailchimp → ActiveCampaign: a contact unsubscribed on the list outside the tag gets its unsubscribe carried to Mailchimp in the same run, and the next Plan finds nothing to do', async () => {
	const s = scenario(emulator);
	const tag = emulator.ac.addTag(`one-way-${s.list.id}`);
	s.ac('gone-one-way@example.com', '2', { firstName: 'Gus' });
	s.mc('gone-one-way@example.com', 'subscribed', { FNAME: 'Gus' });
	const parameters = { tag: { __rl: true, mode: 'name', value: tag.tag }, direction: 'mailchimpToActiveCampaign' };
	const apply = await s.run({ ...parameters, mode: 'apply', maxChanges: '100%' });
	expect(apply.error).toBeUndefined();
	expect(s.acStatus('gone-one-way@example.com')).toBe('2');
	// Consent is carried whatever the direction: unsubscribed in ActiveCampaign, so unsubscribed in Mailchimp.
	expect(s.member('gone-one-way@example.com')!.status).toBe('unsubscribed');
	const again = await s.run(parameters);
	expect(again.summary.changes).toBe(0);
});
