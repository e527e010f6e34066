import type { RequestInfo } from '../emulator/server';
import { changeOnce, of, scenario, testEmulator } from './run';

/**
 * Consent for an address held twice on one side (review of issue 19). The duplicate is left for
 * someone to merge, but an unsubscribe is carried whatever else is unsettled: "an unsubscribe, a
 * bounce or a clean on either side is carried to the other side" (issue 19). Before, the whole
 * address was left alone, so a person who unsubscribed on one of two ActiveCampaign records stayed
 * subscribed in Mailchimp run after run.
 */
const emulator = testEmulator();

describe('Audience Sync: duplicates and consent', () => {
	test('one of two ActiveCampaign records unsubscribed: unsubscribed in Mailchimp and on the other record too, and nothing else written', async () => {
		const s = scenario(emulator);
		const active = s.ac('twice@example.com', '1', { firstName: 'One' });
		const gone = s.ac('TWICE@example.com', '2', { firstName: 'Two' });
		s.mc('twice@example.com', 'subscribed', { FNAME: 'Mc' });
		const apply = await s.run({ direction: 'both', mode: 'apply', maxChanges: '100%' });
		expect(apply.error).toBeUndefined();
		expect(of(apply, 'twice@example.com')).toMatchObject({ kind: 'duplicate', action: 'unsubscribe', target: 'both', outcome: 'unsubscribed' });
		expect(s.member('twice@example.com')).toMatchObject({ status: 'unsubscribed', merge_fields: expect.objectContaining({ FNAME: 'Mc' }) });
		expect(emulator.ac.contactLists.get(`${active.id}:${s.list.id}`)?.status).toBe('2');
		expect(emulator.ac.contactLists.get(`${gone.id}:${s.list.id}`)?.status).toBe('2');
		expect(emulator.ac.contacts.get(active.id)).toMatchObject({ firstName: 'One' });
		const again = await s.run({ direction: 'both', mode: 'plan' });
		expect(of(again, 'twice@example.com')).toMatchObject({ kind: 'duplicate', action: 'none', writes: [] });
	});

	test('two ActiveCampaign records, one unsubscribing while the list is read (listed as active, then as unsubscribed): the opt-out is carried', async () => {
		const s = scenario(emulator);
		const moving = s.ac('moving@example.com', '1', { firstName: 'One' });
		const other = s.ac('MOVING@example.com', '1', { firstName: 'Two' });
		s.mc('moving@example.com', 'subscribed', { FNAME: 'Mc' });
		// ActiveCampaign lists a list's contacts once per list status: the first record unsubscribes
		// after the active ones were listed, before the unsubscribed ones are.
		const unsubscribedRead = ({ method, path, query }: RequestInfo) => method === 'GET' && path.endsWith('/contacts') && query.get('status') === '2';
		const unsubscribed = changeOnce(emulator, unsubscribedRead, () => {
			emulator.ac.contactLists.get(`${moving.id}:${s.list.id}`)!.status = '2';
		});
		const apply = await s.run({ direction: 'both', mode: 'apply', maxChanges: '100%' });
		expect(apply.error).toBeUndefined();
		expect(unsubscribed()).toBe(true);
		expect(of(apply, 'moving@example.com')).toMatchObject({ kind: 'duplicate', action: 'unsubscribe' });
		expect(s.member('moving@example.com')).toMatchObject({ status: 'unsubscribed' });
		expect(emulator.ac.contactLists.get(`${other.id}:${s.list.id}`)?.status).toBe('2');
	});

	test('unsubscribed in Mailchimp, two ActiveCampaign records, one still active: that one is unsubscribed from the list', async () => {
		const s = scenario(emulator);
		const active = s.ac('pair@example.com', '1');
		const gone = s.ac('PAIR@example.com', '2');
		s.mc('pair@example.com', 'unsubscribed');
		const apply = await s.run({ direction: 'activeCampaignToMailchimp', mode: 'apply', maxChanges: '100%' });
		expect(apply.error).toBeUndefined();
		expect(of(apply, 'pair@example.com')).toMatchObject({ kind: 'duplicate', action: 'unsubscribe', target: 'ActiveCampaign', outcome: 'unsubscribed' });
		expect(emulator.ac.contactLists.get(`${active.id}:${s.list.id}`)?.status).toBe('2');
		expect(emulator.ac.contactLists.get(`${gone.id}:${s.list.id}`)?.status).toBe('2');
	});
});

describe('Audience Sync: an address held by two records both still on the list', () => {
	test.each([
		['few writes', 0],
		['bulk path', 12],
	])('%s: unsubscribed in Mailchimp: both ActiveCampaign records are unsubscribed from the list, nothing else written', async (_, fillers) => {
		const s = scenario(emulator);
		const one = s.ac('both@example.com', '1', { firstName: 'One' });
		const two = s.ac('BOTH@example.com', '1', { firstName: 'Two' });
		s.mc('both@example.com', 'unsubscribed', { FNAME: 'Mc' });
		for (let i = 0; i < fillers; i++) {
			s.ac(`dup-fill${i}@example.com`, '1');
			s.mc(`dup-fill${i}@example.com`, 'unsubscribed');
		}
		const apply = await s.run({ direction: 'both', mode: 'apply', maxChanges: '100' });
		expect(apply.error).toBeUndefined();
		expect(of(apply, 'both@example.com')).toMatchObject({ kind: 'duplicate', action: 'unsubscribe', outcome: 'unsubscribed' });
		expect(emulator.ac.contactLists.get(`${one.id}:${s.list.id}`)?.status).toBe('2');
		expect(emulator.ac.contactLists.get(`${two.id}:${s.list.id}`)?.status).toBe('2');
		expect(emulator.ac.contacts.get(one.id)).toMatchObject({ firstName: 'One' });
		expect(emulator.ac.contacts.get(two.id)).toMatchObject({ firstName: 'Two' });
		expect(s.member('both@example.com')).toMatchObject({ status: 'unsubscribed', merge_fields: expect.objectContaining({ FNAME: 'Mc' }) });
		const again = await s.run({ direction: 'both' });
		expect(again.summary.changes).toBe(0);
	});

	test('bulk path, one of two records still on the list: that record (by its id) is the one unsubscribed', async () => {
		const s = scenario(emulator);
		const gone = s.ac('pair2@example.com', '2');
		const active = s.ac('PAIR2@example.com', '1');
		s.mc('pair2@example.com', 'unsubscribed');
		for (let i = 0; i < 12; i++) {
			s.ac(`pair-fill${i}@example.com`, '1');
			s.mc(`pair-fill${i}@example.com`, 'unsubscribed');
		}
		const apply = await s.run({ direction: 'both', mode: 'apply', maxChanges: '100' });
		expect(apply.error).toBeUndefined();
		expect(emulator.ac.contactLists.get(`${active.id}:${s.list.id}`)?.status).toBe('2');
		expect(emulator.ac.contactLists.get(`${gone.id}:${s.list.id}`)?.status).toBe('2');
		expect(of(apply, 'pair2@example.com')).toMatchObject({ outcome: 'unsubscribed' });
	});
});

describe('Mailchimp holds one member per address', () => {
	test('a member read twice (an archived member restored while the pages are read shifts them by one) is one member, not a duplicate', async () => {
		const s = scenario(emulator);
		s.mc('restored@example.com', 'archived');
		for (let i = 0; i < 1005; i++) s.mc(`m${i}@example.com`, 'subscribed', { FNAME: `M${i}` });
		s.ac('m999@example.com', '1', { firstName: 'M999' }); // the last member of the first page, the same on both sides
		// Restored just before the second page of members is read.
		const secondPage = ({ method, path, query }: RequestInfo) => method === 'GET' && path.endsWith('/members') && query.get('offset') === '1000' && !query.get('status');
		const restored = changeOnce(emulator, secondPage, () => {
			s.member('restored@example.com')!.status = 'subscribed';
		});
		const run = await s.run({ direction: 'both' });
		expect(run.error).toBeUndefined();
		expect(restored()).toBe(true);
		// Read twice on the shifted pages, m999 is still one member who agrees with ActiveCampaign.
		expect(of(run, 'm999@example.com')).toBeUndefined();
		expect(run.summary.byKind).toMatchObject({ duplicate: 0 });
	});
});
