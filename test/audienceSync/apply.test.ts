import { seedAudiences } from '../emulator/audiences';
import { subscriberHash } from '../emulator/mailchimp';
import { of, runSeeded, scenario, testEmulator, writesSince } from './run';

/**
 * Audience Sync in Apply mode, through n8n's engine against the emulator (issue 19): the writes go
 * through the services' bulk writers, each item gets its outcome, a second Plan finds nothing left
 * to do, the safety valve stops a large Apply before its first write, and consent is never undone.
 */
const emulator = testEmulator();

describe('Apply', () => {
	test.each(['both', 'activeCampaignToMailchimp', 'mailchimpToActiveCampaign'])('direction %s: each difference written once with its outcome; a second Plan finds nothing to do', async (direction) => {
		const seeded = seedAudiences(emulator, { contacts: 300, members: 320, differences: 0.1, seed: 11, audienceId: `audapply${direction.length}`, listName: `Apply ${direction}` });
		const before = emulator.log.length;
		const apply = await runSeeded(emulator, seeded, { direction, mode: 'apply', maxChanges: '50%' });
		expect(apply.error).toBeUndefined();
		// Mailchimp writes are batch calls only: the statuses the plan read keep existing members as they are, without a PUT each or a second read of the audience.
		const sent = emulator.log.slice(before);
		expect(sent.filter((l) => l.method === 'PUT')).toEqual([]);
		// From 10 writes on, ActiveCampaign's writes, unsubscribes included, are bulk imports: no request per contact.
		const acWrites = Object.values((apply.summary.writes as Record<string, Record<string, number>>).activeCampaign).reduce((a, b) => a + b, 0);
		const perContact = sent.filter((l) => l.path.endsWith('/contactLists') || l.path.endsWith('/contact/sync'));
		if (acWrites >= 10) expect(perContact).toEqual([]);
		else expect(perContact.length).toBe(acWrites);
		// Beyond the plan's read, only the members changed since it began are read (one page each here): before the first write,
		// by the writer (those changed, and those archived), and after the last write (live.ts: someone who unsubscribed meanwhile).
		const memberReads = sent.filter((l) => l.method === 'GET' && l.path.endsWith('/members') && !/members\.last_changed/.test(decodeURIComponent(l.rawUrl)));
		expect(memberReads.every((l) => /since_last_changed=/.test(l.rawUrl))).toBe(true);
		expect(memberReads.length).toBeLessThanOrEqual(4);
		expect(apply.summary.safetyValve).toEqual({ stopped: false });
		const withWrites = apply.differences.filter((d) => d.action !== 'none');
		expect(withWrites.length).toBe(apply.summary.changes);
		for (const d of withWrites) expect(['created', 'updated', 'unsubscribed']).toContain(d.outcome);
		for (const d of apply.differences.filter((x) => x.action === 'none')) expect(d.outcome).toBeUndefined();
		const written = apply.summary.written as Record<string, number>;
		expect(written.failed).toBe(0);
		expect(written.created + written.updated + written.unsubscribed).toBe(withWrites.reduce((n, d) => n + (d.writes as unknown[]).length, 0));

		// What the outcomes claim is what the providers now hold.
		for (const email of seeded.samples.statusDiffers) {
			const member = emulator.mc.lists.get(seeded.audienceId)!.members.get(subscriberHash(email))!;
			const contact = emulator.ac.findByEmail(email)!;
			expect(member.status).toBe('unsubscribed');
			expect(emulator.ac.contactLists.get(`${contact.id}:${seeded.listId}`)!.status).toBe('2');
		}
		if (direction !== 'mailchimpToActiveCampaign') {
			for (const email of seeded.samples.onlyInActiveCampaign) expect(emulator.mc.lists.get(seeded.audienceId)!.members.get(subscriberHash(email))?.status).toBe('subscribed');
		}
		if (direction !== 'activeCampaignToMailchimp') {
			for (const email of seeded.samples.onlyInMailchimp) {
				const contact = emulator.ac.findByEmail(email)!;
				expect(emulator.ac.contactLists.get(`${contact.id}:${seeded.listId}`)?.status).toBe('1');
			}
		}

		const from = emulator.log.length;
		const again = await runSeeded(emulator, seeded, { direction });
		expect(again.summary.changes).toBe(0);
		// Only what the direction holds back is still reported, and nothing was written.
		expect(again.differences.every((d) => d.action === 'none')).toBe(true);
		if (direction === 'both') expect(again.differences).toEqual([]);
		expect(writesSince(emulator, from)).toEqual([]);
	});

	test('the safety valve: past Max Changes (10% of the larger side by default), Apply writes nothing and says why', async () => {
		const seeded = seedAudiences(emulator, { contacts: 200, members: 200, differences: 0.2, seed: 5, audienceId: 'audvalve001', listName: 'Valve' });
		const from = emulator.log.length;
		const run = await runSeeded(emulator, seeded, { direction: 'both', mode: 'apply' });
		expect(run.error).toBeUndefined();
		expect(run.summary.changes).toBe(seeded.expected.total);
		expect(run.summary.maxChanges).toBe(20);
		expect(run.summary.safetyValve).toMatchObject({ stopped: true });
		expect(String((run.summary.safetyValve as { reason: string }).reason)).toMatch(/40 people would change, and Max Changes allows 20 \(10% of the larger side, 200\): nothing was written/);
		expect(run.differences).toHaveLength(seeded.expected.total);
		expect(run.differences.every((d) => d.outcome === undefined)).toBe(true);
		expect(writesSince(emulator, from)).toEqual([]);
		const count = await runSeeded(emulator, seeded, { direction: 'both', mode: 'apply', maxChanges: '39' });
		expect(count.summary.safetyValve).toMatchObject({ stopped: true });
		expect(writesSince(emulator, from)).toEqual([]);
		const bad = await runSeeded(emulator, seeded, { mode: 'apply', maxChanges: 'lots' });
		expect(bad.error?.message).toMatch(/Max Changes "lots"/);
	});

	test('consent on both sides: unsubscribes carried, the opted-out added as unsubscribed, nobody subscribed again', async () => {
		const s = scenario(emulator);
		s.ac('ac-unsub@example.com', '2');
		s.mc('ac-unsub@example.com', 'subscribed');
		s.ac('mc-unsub@example.com', '1', { firstName: 'Eve' });
		s.mc('mc-unsub@example.com', 'unsubscribed', { FNAME: 'Evelyn' });
		s.ac('bounced-only@example.com', '3');
		s.mc('cleaned-only@example.com', 'cleaned');
		s.ac('fresh@example.com', '1', { firstName: 'Fay', lastName: 'Lu', phone: '+15550001' });
		s.mc('new-in-mc@example.com', 'subscribed', { FNAME: 'Gil' });
		const run = await s.run({ direction: 'both', mode: 'apply', maxChanges: '100', conflictPolicy: 'activeCampaignWins' });
		expect(run.error).toBeUndefined();
		expect(of(run, 'ac-unsub@example.com')).toMatchObject({ action: 'unsubscribe', outcome: 'unsubscribed' });
		expect(s.member('ac-unsub@example.com')!.status).toBe('unsubscribed');
		expect(of(run, 'mc-unsub@example.com')).toMatchObject({ action: 'unsubscribe', target: 'both', outcome: 'unsubscribed' });
		expect(s.acStatus('mc-unsub@example.com')).toBe('2');
		expect(s.member('mc-unsub@example.com')!.merge_fields.FNAME).toBe('Eve');
		expect(s.member('mc-unsub@example.com')!.status).toBe('unsubscribed');
		expect(of(run, 'bounced-only@example.com')).toMatchObject({ action: 'create', outcome: 'created' });
		expect(s.member('bounced-only@example.com')!.status).toBe('unsubscribed');
		expect(of(run, 'cleaned-only@example.com')).toMatchObject({ action: 'create', outcome: 'created' });
		expect(s.acStatus('cleaned-only@example.com')).toBe('2');
		expect(of(run, 'fresh@example.com')).toMatchObject({ action: 'create', outcome: 'created' });
		expect(s.member('fresh@example.com')).toMatchObject({ status: 'subscribed', merge_fields: { FNAME: 'Fay', LNAME: 'Lu', PHONE: '+15550001' } });
		expect(of(run, 'new-in-mc@example.com')).toMatchObject({ action: 'create', outcome: 'created' });
		expect(s.acStatus('new-in-mc@example.com')).toBe('1');
		expect(emulator.ac.findByEmail('new-in-mc@example.com')!.firstName).toBe('Gil');

		const again = await s.run({ direction: 'both', conflictPolicy: 'activeCampaignWins' });
		expect(again.differences).toEqual([]);
	});

	test('new members as pending (double opt-in): pending in Mailchimp; held for ActiveCampaign, which cannot take pending', async () => {
		const s = scenario(emulator);
		s.ac('opt-in@example.com', '1');
		s.mc('mc-side@example.com', 'subscribed');
		const run = await s.run({ direction: 'both', mode: 'apply', maxChanges: '100%', newMemberStatus: 'pending' });
		expect(of(run, 'opt-in@example.com')).toMatchObject({ outcome: 'created', writes: [{ status: 'pending' }] });
		expect(s.member('opt-in@example.com')!.status).toBe('pending');
		expect(of(run, 'mc-side@example.com')).toMatchObject({ action: 'none' });
		expect(emulator.ac.findByEmail('mc-side@example.com')).toBeUndefined();
		// Pending is not subscribed: the next plan reports it, and writes nothing.
		const again = await s.run({ direction: 'both', newMemberStatus: 'pending' });
		expect(again.summary.changes).toBe(0);
		expect(of(again, 'opt-in@example.com')).toMatchObject({ kind: 'statusDiffers', action: 'none' });
	});

	test('a write Mailchimp refuses is that item\'s failed outcome; the others are written', async () => {
		const s = scenario(emulator);
		s.ac('fine@example.com', '1');
		s.ac('refused@example.com', '1');
		emulator.mc.lists.get(s.audienceId)!.forgotten.add(subscriberHash('refused@example.com'));
		const run = await s.run({ mode: 'apply', maxChanges: '100%' });
		expect(of(run, 'fine@example.com')).toMatchObject({ outcome: 'created' });
		expect(of(run, 'refused@example.com')).toMatchObject({ outcome: 'failed' });
		expect(String(of(run, 'refused@example.com')!.error)).toMatch(/permanently deleted/);
		expect(run.summary.written).toMatchObject({ created: 1, failed: 1 });
	});
});

describe('Apply, more', () => {
	test('a tag narrows the ActiveCampaign side: contacts created there get the tag, so a second Plan finds them', async () => {
		const s = scenario(emulator);
		const tag = emulator.ac.addTag(`members-${s.list.id}`);
		const tagged = s.ac('tagged@example.com', '1', { firstName: 'Tia' });
		emulator.ac.tagContact(tagged.id, tag.id);
		s.ac('untagged@example.com', '1');
		s.mc('tagged@example.com', 'subscribed', { FNAME: 'Tia' });
		s.mc('from-mc@example.com', 'subscribed', { FNAME: 'Mo' });
		const parameters = { direction: 'both', tag: { __rl: true, mode: 'id', value: tag.id } };
		const run = await s.run({ ...parameters, mode: 'apply', maxChanges: '100%' });
		expect(run.differences.map((d) => [d.email, d.outcome])).toEqual([['from-mc@example.com', 'created']]);
		const created = emulator.ac.findByEmail('from-mc@example.com')!;
		expect(emulator.ac.tagIndex().byTag.get(tag.id)?.has(created.id)).toBe(true);
		expect(s.acStatus('from-mc@example.com')).toBe('1');
		expect((await s.run(parameters)).differences).toEqual([]);
	});

	test('archived Mailchimp members are read and left alone: not unarchived, not created in ActiveCampaign', async () => {
		const s = scenario(emulator);
		s.ac('archived@example.com', '1', { firstName: 'Ari' });
		s.mc('archived@example.com', 'archived');
		s.mc('archived-only@example.com', 'archived');
		const from = emulator.log.length;
		const run = await s.run({ direction: 'both', mode: 'apply', maxChanges: '100%' });
		expect(of(run, 'archived@example.com')).toMatchObject({ kind: 'statusDiffers', action: 'none', mailchimp: { status: 'archived' } });
		expect(of(run, 'archived-only@example.com')).toMatchObject({ kind: 'onlyInMailchimp', action: 'none' });
		expect(writesSince(emulator, from)).toEqual([]);
		expect(s.member('archived@example.com')!.status).toBe('archived');
		expect(emulator.ac.findByEmail('archived-only@example.com')).toBeUndefined();
	});

	test('bulk path: a contact ActiveCampaign\'s import leaves alone is written with contact/sync and still set unsubscribed; the refused ones fail with the reason', async () => {
		const s = scenario(emulator);
		for (let i = 0; i < 11; i++) {
			s.ac(`sub${i}@example.com`, '1');
			s.mc(`sub${i}@example.com`, 'unsubscribed');
		}
		// The import refuses all but its first contact: that one is left alone, and written on its own.
		emulator.faults = [{ kind: 'import-refuses', method: 'POST', path: /bulk_import$/, refuse: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10] }];
		const run = await s.run({ direction: 'both', mode: 'apply', maxChanges: '100%' });
		expect(run.error).toBeUndefined();
		const outcomes = run.differences.map((d) => d.outcome);
		expect(outcomes.filter((o) => o === 'unsubscribed')).toHaveLength(1);
		expect(outcomes.filter((o) => o === 'failed')).toHaveLength(10);
		for (const d of run.differences) {
			const email = String(d.email);
			expect(s.acStatus(email)).toBe(d.outcome === 'unsubscribed' ? '2' : '1');
			if (d.outcome === 'failed') expect(String(d.error)).toBeTruthy();
		}
		// The next run writes the rest.
		const next = await s.run({ direction: 'both', mode: 'apply', maxChanges: '100%' });
		expect(next.differences.map((d) => d.outcome)).toEqual(Array(10).fill('unsubscribed'));
		for (let i = 0; i < 11; i++) expect(s.acStatus(`sub${i}@example.com`)).toBe('2');
	});

	test('Mailchimp by OAuth2: the same plan and apply', async () => {
		const s = scenario(emulator);
		s.ac('oauth@example.com', '1', { firstName: 'Oz' });
		const run = await s.run({ mode: 'apply', maxChanges: '100%' }, { oauth: true });
		expect(run.error).toBeUndefined();
		expect(of(run, 'oauth@example.com')).toMatchObject({ outcome: 'created' });
		expect(s.member('oauth@example.com')).toMatchObject({ status: 'subscribed', merge_fields: { FNAME: 'Oz' } });
		expect((await s.run({}, { oauth: true })).differences).toEqual([]);
	});

	test('Plan says whether Apply would be stopped by the safety valve', async () => {
		const s = scenario(emulator);
		for (let i = 0; i < 3; i++) s.ac(`p${i}@example.com`, '1');
		const run = await s.run({});
		expect(run.summary).toMatchObject({ mode: 'plan', changes: 3, maxChanges: 1, safetyValve: { stopped: false, wouldStopApply: true } });
		const allowed = await s.run({ maxChanges: '3' });
		expect(allowed.summary).toMatchObject({ maxChanges: 3, safetyValve: { stopped: false, wouldStopApply: false } });
	});
});

describe('rate limits', () => {
	// The account allows 5 requests a second; the node is told it may send 1,000.
	const busy = testEmulator({ acRatePerSecond: 5, acRetryAfterSeconds: 1 });

	test('429s while reading are waited out and counted in the summary', async () => {
		const seeded = seedAudiences(busy, { contacts: 700, members: 700, differences: 0.02, seed: 2 });
		const run = await runSeeded(busy, seeded, { direction: 'both' });
		expect(run.error).toBeUndefined();
		expect(run.differences).toHaveLength(seeded.expected.total);
		const ac = run.summary.activeCampaign as { requests: number; rateLimited: number };
		expect(ac.rateLimited).toBeGreaterThan(0);
		expect(ac.rateLimited).toBe(busy.rejected429.ac);
		expect(ac.requests).toBeGreaterThan(ac.rateLimited);
	});
});
