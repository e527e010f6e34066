import { type Emulator, startEmulator } from '../emulator/server';
import { scenario, writesSince } from './run';

/**
 * A mapping that points at a field Audience Sync cannot compare (review of issue 19): a Mailchimp
 * address merge field is an object of parts (API-NOTES.md: "address values are objects
 * `{addr1, city, state, zip, country}`"), never one value. Read as one value it looked empty on every
 * member, so a filled address was "filled" from ActiveCampaign: one wrong pair rewrote every address.
 */
let emulator: Emulator;

beforeAll(async () => {
	emulator = await startEmulator({ acRatePerSecond: 1000 });
});
afterAll(() => emulator.stop());

describe('Audience Sync mapping', () => {
	test.each(['plan', 'apply'])('an address merge field in a pair is refused before any write, naming the pair (%s)', async (mode) => {
		const s = scenario(emulator);
		const field = emulator.ac.addField(`Street ${s.list.id}`);
		const contact = s.ac('home@example.com', '1');
		emulator.ac.setFieldValue(contact.id, field.id, '1 Main St');
		const address = { addr1: '9 Elm Rd', addr2: '', city: 'Springfield', state: 'IL', zip: '62701', country: 'US' };
		s.mc('home@example.com', 'subscribed', { ADDRESS: address });
		const from = emulator.log.length;
		const run = await s.run({
			mode,
			direction: 'both',
			maxChanges: '100%',
			fieldPairs: { pairs: [{ activeCampaignField: field.id, mailchimpField: 'ADDRESS' }] },
		});
		expect(run.error?.message).toMatch(/pair 1.*ADDRESS.*address/i);
		expect(writesSince(emulator, from)).toEqual([]);
		expect((s.member('home@example.com')!.merge_fields as Record<string, unknown>).ADDRESS).toEqual(address);
	});
});
