import { of, scenario, testEmulator, writesSince } from './run';

/**
 * A mapping that points at a field Audience Sync cannot compare (review of issue 19): a Mailchimp
 * address merge field is an object of parts (API-NOTES.md: "address values are objects
 * `{addr1, city, state, zip, country}`"), never one value. Read as one value it looked empty on every
 * member, so a filled address was "filled" from ActiveCampaign: one wrong pair rewrote every address.
 */
const emulator = testEmulator();

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

describe('Audience Sync: number and date merge fields compare by value', () => {
	/**
	 * A merge field's type "defines how its content will be validated and formatted" (Mailchimp's
	 * Merge Fields guide; API-NOTES.md): Mailchimp holds a number as a number and a date in its
	 * field's format, so the text ActiveCampaign holds for the same value can differ. Compared as
	 * text, such a pair differs forever: every Apply rewrites it and no Plan finds 0 differences.
	 */
	test('the same number or date written differently is no difference; a different one still is', async () => {
		const s = scenario(emulator);
		emulator.mc.addMergeField(s.audienceId, 'AGE', 'Age', 'number');
		emulator.mc.addMergeField(s.audienceId, 'JOINED', 'Joined', 'date', { date_format: 'MM/DD/YYYY' });
		const age = emulator.ac.addField(`Age ${s.list.id}`, 'text');
		const joined = emulator.ac.addField(`Joined ${s.list.id}`, 'date');
		const same = s.ac('same@example.com', '1');
		emulator.ac.setFieldValue(same.id, age.id, '42.0');
		emulator.ac.setFieldValue(same.id, joined.id, '2024-03-05');
		s.mc('same@example.com', 'subscribed', { AGE: 42, JOINED: '03/05/2024' });
		const other = s.ac('other@example.com', '1');
		emulator.ac.setFieldValue(other.id, age.id, '43');
		emulator.ac.setFieldValue(other.id, joined.id, '2024-05-03');
		s.mc('other@example.com', 'subscribed', { AGE: 42, JOINED: '03/05/2024' });
		const parameters = {
			direction: 'activeCampaignToMailchimp',
			fieldPairs: {
				pairs: [
					{ activeCampaignField: age.id, mailchimpField: 'AGE' },
					{ activeCampaignField: joined.id, mailchimpField: 'JOINED' },
				],
			},
		};
		const plan = await s.run(parameters);
		expect(plan.error).toBeUndefined();
		expect(plan.differences.map((d) => d.email)).toEqual(['other@example.com']);
		expect(plan.differences[0]).toMatchObject({ kind: 'fieldsDiffer', differs: [`Age ${s.list.id} ↔ AGE`, `Joined ${s.list.id} ↔ JOINED`] });
		const from = emulator.log.length;
		const apply = await s.run({ ...parameters, mode: 'apply', maxChanges: '100' });
		expect(apply.summary.changes).toBe(1);
		expect(writesSince(emulator, from).length).toBeGreaterThan(0);
	});
});

describe('Audience Sync: Map Names and Phone given by an expression', () => {
	test('"false" from an expression maps no default field: a first name that differs is no difference', async () => {
		const s = scenario(emulator);
		s.ac('named@example.com', '1', { firstName: 'Ada' });
		s.mc('named@example.com', 'subscribed', { FNAME: 'Grace' });
		expect(of(await s.run({ mode: 'plan', direction: 'both' }), 'named@example.com')).toBeDefined();
		const off = await s.run({ mode: 'plan', direction: 'both', mapDefaultFields: '={{ "false" }}' });
		expect(off.error).toBeUndefined();
		expect(of(off, 'named@example.com')).toBeUndefined();
	});
});
