import { type Emulator, startEmulator } from '../emulator/server';
import { of, scenario } from './run';

/**
 * A tag narrows what the sync sees of the ActiveCampaign list (review of issue 19): a contact on the
 * list without the tag looks new to it. Written, it must stay as it is on the list when it
 * unsubscribed there (API-NOTES.md: `POST /contactLists` status 1 subscribes again, so the writer
 * reads the memberships first), and its item must not claim it was created.
 */
let emulator: Emulator;

beforeAll(async () => {
	emulator = await startEmulator({ acRatePerSecond: 1000 });
});
afterAll(() => emulator.stop());

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
