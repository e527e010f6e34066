import { of, scenario, testEmulator, writesSince } from './run';

/**
 * Many people through n8n's engine (issue 19's compact store, kept off the JavaScript heap): every
 * address found again whatever its script and whichever side spells it in capitals, exactly the
 * differences there are, and after Apply nothing left. The store's own edge cases (hash collisions,
 * records across chunks, odd records) are in diff.test.ts.
 */
const emulator = testEmulator();

// Both providers refuse non-ASCII addresses on writes (API-NOTES.md, "Email addresses"), but lists
// imported long ago may hold them: read and matched like any other address.
const LOCALS = ['zoë', '山田', '😀', 'åsa', 'plain', 'o.brien'];
const DOMAINS = ['example.com', 'exämple.org', '例え.jp'];

describe('Audience Sync: 1,500 people, Unicode addresses among them', () => {
	test('Plan finds exactly the people who differ; Apply writes them; the next Plan finds nothing', async () => {
		const s = scenario(emulator);
		const expected = new Map<string, string>();
		for (let i = 0; i < 1500; i++) {
			const unicode = i % 2 === 0;
			const email = unicode ? `${LOCALS[i % LOCALS.length]}.${i}@${DOMAINS[i % DOMAINS.length]}` : `person.${i}@example.com`;
			// Mailchimp spells every third address in capitals: the same address for both providers.
			const mcEmail = i % 3 === 0 ? email.toUpperCase() : email;
			const first = `Name ${i} ${unicode ? 'Zoë 山田 👩‍👩‍👧' : 'Plain'}`;
			const kind = unicode ? 'same' : ['onlyInActiveCampaign', 'onlyInMailchimp', 'fieldsDiffer', 'statusDiffers', 'same', 'same', 'same', 'same', 'same', 'same'][Math.floor(i / 2) % 10];
			if (kind !== 'onlyInMailchimp') s.ac(email, kind === 'statusDiffers' ? '2' : '1', { firstName: first });
			if (kind !== 'onlyInActiveCampaign') s.mc(mcEmail, 'subscribed', { FNAME: kind === 'fieldsDiffer' ? `${first} (old)` : first });
			if (kind !== 'same') expected.set(email, kind);
		}
		const from = emulator.log.length;
		const plan = await s.run({ direction: 'activeCampaignToMailchimp' });
		expect(plan.error).toBeUndefined();
		expect(writesSince(emulator, from)).toEqual([]);
		expect(plan.summary.activeCampaign).toMatchObject({ size: 1500 - 75 });
		expect(plan.summary.mailchimp).toMatchObject({ size: 1500 - 75 });
		expect(new Map(plan.differences.map((d) => [String(d.email).toLowerCase(), d.kind]))).toEqual(expected);
		for (let i = 0; i < 1500; i += 2) expect(of(plan, `${LOCALS[i % LOCALS.length]}.${i}@${DOMAINS[i % DOMAINS.length]}`)).toBeUndefined();

		const apply = await s.run({ direction: 'both', mode: 'apply', maxChanges: '300' });
		expect(apply.error).toBeUndefined();
		expect(apply.summary.written).toMatchObject({ created: 150, updated: 75, unsubscribed: 75, failed: 0 });
		expect((await s.run({ direction: 'both' })).differences).toEqual([]);
	});
});
