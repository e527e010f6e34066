import { type Emulator, startEmulator } from '../emulator/server';
import { of, scenario } from './run';

/**
 * Consent for an address held twice on one side (review of issue 19). The duplicate is left for
 * someone to merge, but an unsubscribe is carried whatever else is unsettled: "an unsubscribe, a
 * bounce or a clean on either side is carried to the other side" (issue 19). Before, the whole
 * address was left alone, so a person who unsubscribed on one of two ActiveCampaign records stayed
 * subscribed in Mailchimp run after run.
 */
let emulator: Emulator;

beforeAll(async () => {
	emulator = await startEmulator({ acRatePerSecond: 1000 });
});
afterAll(() => emulator.stop());

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
