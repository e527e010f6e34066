import { of, scenario, testEmulator } from './run';

/**
 * Audience Sync with names made of digits (issue 17 §1): its list and tag By Name find names only,
 * and a field pair takes, like every dropdown of IDs in both nodes, what the dropdown gives (a
 * custom field's ID, a merge tag) or `name:` and a name (README, Operations).
 */
const emulator = testEmulator();

describe('Audience Sync: a name is a name', () => {
	test('tag By Name, and field pairs given as name: with titles and merge field names made of digits', async () => {
		const s = scenario(emulator);
		const decoyTag = emulator.ac.addTag(`decoy-${s.list.id}`);
		const tag = emulator.ac.addTag(decoyTag.id); // its name is the other tag's ID
		const decoyField = emulator.ac.addField(`Decoy ${s.list.id}`);
		const field = emulator.ac.addField(decoyField.id); // its title is the other field's ID
		emulator.mc.addMergeField(s.audienceId, 'MMERGE9', '2024');
		emulator.mc.addMergeField(s.audienceId, 'MMERGE8', 'Other');
		const tagged = s.ac('numeric-tagged@example.com', '1');
		emulator.ac.tagContact(tagged.id, tag.id);
		emulator.ac.setFieldValue(tagged.id, field.id, 'by name');
		emulator.ac.setFieldValue(tagged.id, decoyField.id, 'decoy');
		const decoy = s.ac('decoy-tagged@example.com', '1');
		emulator.ac.tagContact(decoy.id, decoyTag.id);
		s.mc('numeric-tagged@example.com', 'subscribed', { MMERGE9: 'old', MMERGE8: 'old' });
		const run = await s.run({
			tag: { __rl: true, mode: 'name', value: decoyTag.id },
			direction: 'activeCampaignToMailchimp',
			fieldPairs: { pairs: [{ activeCampaignField: `name:${decoyField.id}`, mailchimpField: 'name:2024' }] },
		});
		expect(run.error).toBeUndefined();
		expect(run.summary.activeCampaign).toMatchObject({ size: 1, tagId: tag.id });
		expect(of(run, 'decoy-tagged@example.com')).toBeUndefined();
		expect(of(run, 'numeric-tagged@example.com')).toMatchObject({ kind: 'fieldsDiffer', writes: [{ on: 'Mailchimp', fields: { MMERGE9: 'by name' } }] });
	});

	test('a merge field name without name: is refused, naming the pair and the form to use', async () => {
		const s = scenario(emulator);
		emulator.mc.addMergeField(s.audienceId, 'MMERGE7', 'Store');
		const run = await s.run({ fieldPairs: { pairs: [{ activeCampaignField: 'firstName', mailchimpField: 'Store' }] } });
		expect(run.error?.message).toMatch(/More Fields pair 1/);
		expect(run.error?.message).toMatch(/MMERGE7.*name:Store/);
	});

	test('a custom field title without name: is refused naming the pair, and no message speaks of items', async () => {
		const s = scenario(emulator);
		emulator.ac.addField(`Plan ${s.list.id}`);
		const run = await s.run({ fieldPairs: { pairs: [{ activeCampaignField: `Plan ${s.list.id}`, mailchimpField: 'FNAME' }] } });
		expect(run.error?.message).toMatch(new RegExp(`^More Fields pair 1: Custom field "Plan ${s.list.id}" is not an ID: .*name:Plan ${s.list.id}`));
		const tag = await s.run({ tag: { __rl: true, mode: 'name', value: 'no such tag' } });
		expect(tag.error?.message).toBe('No tag is named "no such tag"');
	});

	test.each([3, 12])('Apply: %i people created in ActiveCampaign get the tag named so, not the tag with that ID', async (count) => {
		const s = scenario(emulator);
		const decoyTag = emulator.ac.addTag(`apply-decoy-${s.list.id}-${count}`);
		const tag = emulator.ac.addTag(decoyTag.id);
		const emails = Array.from({ length: count }, (_, i) => `numeric-apply${count}-${i}@example.com`);
		for (const email of emails) s.mc(email, 'subscribed');
		const run = await s.run({ tag: { __rl: true, mode: 'name', value: decoyTag.id }, direction: 'mailchimpToActiveCampaign', mode: 'apply', maxChanges: '100%' });
		expect(run.error).toBeUndefined();
		expect(run.differences.map((d) => d.outcome)).toEqual(emails.map(() => 'created'));
		const byTag = emulator.ac.tagIndex().byTag;
		for (const email of emails) {
			const id = emulator.ac.findByEmail(email)!.id;
			expect(byTag.get(tag.id)?.has(id)).toBe(true);
			expect(byTag.get(decoyTag.id)?.has(id) ?? false).toBe(false);
		}
	});
});
