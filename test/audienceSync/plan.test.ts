import { seedAudiences } from '../emulator/audiences';
import { of, runSeeded, scenario, testEmulator, writesSince } from './run';

/**
 * Audience Sync in Plan mode, through n8n's engine against the emulator (issue 19): every kind of
 * difference, each direction and conflict policy, consent, email equality, and reads that fail.
 * Plan never writes: every test checks that no request but GET was sent.
 */
const emulator = testEmulator();

describe('Plan', () => {
	test('a seeded pair of audiences: the differences of each kind, counted, and nothing written', async () => {
		const seeded = seedAudiences(emulator, { contacts: 450, members: 420, differences: 0.1, seed: 7, audienceId: 'audseed0001', listName: 'Seeded' });
		const from = emulator.log.length;
		const run = await runSeeded(emulator, seeded, { direction: 'both' });
		expect(run.error).toBeUndefined();
		const byKind = run.summary.byKind as Record<string, number>;
		expect(byKind).toMatchObject({
			onlyInActiveCampaign: seeded.expected.onlyInActiveCampaign,
			onlyInMailchimp: seeded.expected.onlyInMailchimp,
			fieldsDiffer: seeded.expected.fieldsDiffer,
			statusDiffers: seeded.expected.statusDiffers,
			duplicate: 0,
			invalidEmail: 0,
		});
		expect(run.differences).toHaveLength(seeded.expected.total);
		expect(run.summary).toMatchObject({ mode: 'plan', changes: seeded.expected.total, safetyValve: { stopped: false }, written: null });
		expect(run.summary.activeCampaign).toMatchObject({ size: 450, listId: seeded.listId });
		expect(run.summary.mailchimp).toMatchObject({ size: 420, audienceId: seeded.audienceId });
		expect((run.summary.activeCampaign as { requests: number }).requests).toBeGreaterThanOrEqual(5);
		expect((run.summary.mailchimp as { requests: number }).requests).toBeGreaterThanOrEqual(1);
		// Mailchimp was read with a projection, a page of up to 1,000 at a time.
		const memberReads = emulator.log.slice(from).filter((l) => l.path.endsWith(`/lists/${seeded.audienceId}/members`));
		expect(memberReads.length).toBeGreaterThanOrEqual(1);
		expect(memberReads.every((l) => /fields=members\./.test(decodeURIComponent(l.rawUrl)) && /count=1000/.test(l.rawUrl))).toBe(true);
		for (const email of seeded.samples.same) expect(of(run, email)).toBeUndefined();
		for (const email of seeded.samples.fieldsDiffer) expect(of(run, email)).toMatchObject({ kind: 'fieldsDiffer', differs: ['firstName ↔ FNAME'], action: 'update' });
		expect(writesSince(emulator, from)).toEqual([]);
	});

	const acToMc = 'activeCampaignToMailchimp';
	const mcToAc = 'mailchimpToActiveCampaign';

	test.each([acToMc, mcToAc, 'both'])('every kind, direction %s: the action the policy picks, or none with the reason', async (direction) => {
		const s = scenario(emulator);
		s.ac('only-ac@example.com', '1', { firstName: 'Ann' });
		s.mc('only-mc@example.com', 'subscribed', { FNAME: 'Bob' });
		s.mc('fields@example.com', 'subscribed', { FNAME: 'Cy' });
		s.ac('fields@example.com', '1', { firstName: 'Cyrus' }); // ActiveCampaign changed last
		s.ac('status@example.com', '2');
		s.mc('status@example.com', 'subscribed');
		const from = emulator.log.length;
		const run = await s.run({ direction, conflictPolicy: 'newerWins' });
		expect(run.error).toBeUndefined();
		expect(run.differences).toHaveLength(4);
		const onlyAc = of(run, 'only-ac@example.com')!;
		const onlyMc = of(run, 'only-mc@example.com')!;
		const fields = of(run, 'fields@example.com')!;
		const status = of(run, 'status@example.com')!;
		expect(onlyAc).toMatchObject({ kind: 'onlyInActiveCampaign', activeCampaign: { status: 'subscribed', firstName: 'Ann' }, mailchimp: null });
		expect(onlyMc).toMatchObject({ kind: 'onlyInMailchimp', mailchimp: { status: 'subscribed', FNAME: 'Bob' }, activeCampaign: null });
		expect(fields).toMatchObject({ kind: 'fieldsDiffer', activeCampaign: { firstName: 'Cyrus' }, mailchimp: { FNAME: 'Cy' } });
		// Consent travels both ways whatever the direction.
		expect(status).toMatchObject({ kind: 'statusDiffers', differs: ['status'], action: 'unsubscribe', target: 'Mailchimp' });
		if (direction === acToMc) {
			expect(onlyAc).toMatchObject({ action: 'create', target: 'Mailchimp', writes: [{ on: 'Mailchimp', action: 'create', status: 'subscribed', fields: { FNAME: 'Ann' } }] });
			expect(onlyMc).toMatchObject({ action: 'none', target: null });
			expect(onlyMc.reason).toMatch(/direction/);
			expect(fields).toMatchObject({ action: 'update', target: 'Mailchimp', writes: [{ fields: { FNAME: 'Cyrus' } }] });
		} else if (direction === mcToAc) {
			expect(onlyAc).toMatchObject({ action: 'none' });
			expect(onlyMc).toMatchObject({ action: 'create', target: 'ActiveCampaign', writes: [{ on: 'ActiveCampaign', fields: { firstName: 'Bob' } }] });
			expect(fields).toMatchObject({ action: 'update', target: 'ActiveCampaign', writes: [{ fields: { firstName: 'Cy' } }] });
		} else {
			expect(onlyAc).toMatchObject({ action: 'create', target: 'Mailchimp' });
			expect(onlyMc).toMatchObject({ action: 'create', target: 'ActiveCampaign' });
			expect(fields).toMatchObject({ action: 'update', target: 'Mailchimp', writes: [{ fields: { FNAME: 'Cyrus' } }] });
		}
		expect(run.summary.byAction).toEqual(
			direction === 'both' ? { create: 2, update: 1, unsubscribe: 1, none: 0 } : { create: 1, update: 1, unsubscribe: 1, none: 1 },
		);
		expect(writesSince(emulator, from)).toEqual([]);
	});

	test.each([
		['newerWins', 'ActiveCampaign', 'Mailchimp changed last'],
		['activeCampaignWins', 'Mailchimp', ''],
		['mailchimpWins', 'ActiveCampaign', ''],
	])('both ways, field conflicts %s: written to %s', async (conflictPolicy, target) => {
		const s = scenario(emulator);
		s.ac('conflict@example.com', '1', { firstName: 'Dana', lastName: 'Old' });
		s.mc('conflict@example.com', 'subscribed', { FNAME: 'Danielle', LNAME: 'Old' }); // Mailchimp changed last
		const run = await s.run({ direction: 'both', conflictPolicy });
		expect(of(run, 'conflict@example.com')).toMatchObject({
			kind: 'fieldsDiffer',
			differs: ['firstName ↔ FNAME'],
			target,
			writes: [{ on: target, action: 'update', fields: target === 'Mailchimp' ? { FNAME: 'Dana' } : { firstName: 'Danielle' } }],
		});
	});

	test('consent: unsubscribed, bounced and cleaned are carried, never subscribed; pending is not subscribed', async () => {
		const s = scenario(emulator);
		s.ac('ac-unsub@example.com', '2');
		s.mc('ac-unsub@example.com', 'subscribed');
		s.ac('mc-cleaned@example.com', '1');
		s.mc('mc-cleaned@example.com', 'cleaned');
		s.ac('both-out@example.com', '3');
		s.mc('both-out@example.com', 'cleaned');
		s.ac('bounced-only@example.com', '3');
		s.mc('pending-only@example.com', 'pending');
		s.ac('pending-vs-sub@example.com', '1');
		s.mc('pending-vs-sub@example.com', 'pending');
		s.ac('unconfirmed@example.com', '0');
		const run = await s.run({ direction: 'mailchimpToActiveCampaign' });
		expect(of(run, 'ac-unsub@example.com')).toMatchObject({ kind: 'statusDiffers', action: 'unsubscribe', target: 'Mailchimp', activeCampaign: { status: 'unsubscribed' }, mailchimp: { status: 'subscribed' } });
		expect(of(run, 'mc-cleaned@example.com')).toMatchObject({ kind: 'statusDiffers', action: 'unsubscribe', target: 'ActiveCampaign', mailchimp: { status: 'cleaned' } });
		expect(of(run, 'both-out@example.com')).toBeUndefined();
		// Only on one side and the direction does not go there: reported, not written.
		expect(of(run, 'bounced-only@example.com')).toMatchObject({ kind: 'onlyInActiveCampaign', action: 'none', activeCampaign: { status: 'bounced' } });
		expect(of(run, 'pending-only@example.com')).toMatchObject({ kind: 'onlyInMailchimp', action: 'none' });
		expect(String(of(run, 'pending-only@example.com')!.reason)).toMatch(/Pending in Mailchimp/);
		expect(of(run, 'pending-vs-sub@example.com')).toMatchObject({ kind: 'statusDiffers', action: 'none', mailchimp: { status: 'pending' } });
		expect(of(run, 'unconfirmed@example.com')).toMatchObject({ kind: 'onlyInActiveCampaign', action: 'none', activeCampaign: { status: 'pending' } });
		for (const d of run.differences) for (const w of d.writes as Array<{ status?: string }>) expect(w.status === 'subscribed' || w.status === 'pending').toBe(false);
		const both = await s.run({ direction: 'both' });
		expect(of(both, 'bounced-only@example.com')).toMatchObject({ action: 'create', target: 'Mailchimp', writes: [{ status: 'unsubscribed' }] });
		expect(of(both, 'pending-only@example.com')).toMatchObject({ action: 'none' });
	});

	test('email equality: another case is the same person; a duplicate and invalid addresses are reported, never written', async () => {
		const s = scenario(emulator);
		s.ac('Mixed.Case@Example.COM', '1');
		s.mc('mixed.case@example.com', 'subscribed');
		s.ac('twice@example.com', '1', { firstName: 'One' });
		s.ac('TWICE@example.com', '2', { firstName: 'Two' });
		s.mc('twice@example.com', 'subscribed');
		s.ac('no-dot@localhost', '1');
		s.mc('broken@@example.com', 'subscribed');
		const run = await s.run({ direction: 'both' });
		expect(of(run, 'mixed.case@example.com')).toBeUndefined();
		const twice = of(run, 'twice@example.com')!;
		// Left alone but for consent: one of the two records is unsubscribed, so Mailchimp and the other record are unsubscribed too.
		expect(twice).toMatchObject({ kind: 'duplicate', action: 'unsubscribe', target: 'both' });
		expect(twice.duplicates).toHaveLength(2);
		expect(String(twice.reason)).toMatch(/2 ActiveCampaign records share this address/);
		expect(of(run, 'no-dot@localhost')).toMatchObject({ kind: 'invalidEmail', action: 'none', mailchimp: null });
		expect(of(run, 'broken@@example.com')).toMatchObject({ kind: 'invalidEmail', action: 'none', activeCampaign: null });
		expect(run.summary.byKind).toMatchObject({ duplicate: 1, invalidEmail: 2 });
	});

	test('By Name means by name, By ID means by ID', async () => {
		const s = scenario(emulator);
		s.ac('by-id@example.com', '1');
		const other = emulator.ac.addList(s.list.id); // a list whose NAME is the first list's ID
		const byName = emulator.ac.addContact({ email: 'by-name@example.com' });
		emulator.ac.subscribe(byName.id, other.id, '1');
		const idRun = await s.run({ list: { __rl: true, mode: 'id', value: s.list.id } });
		expect(idRun.summary.activeCampaign).toMatchObject({ listId: s.list.id });
		expect(of(idRun, 'by-id@example.com')).toBeDefined();
		const nameRun = await s.run({ list: { __rl: true, mode: 'name', value: s.list.id } });
		expect(nameRun.summary.activeCampaign).toMatchObject({ listId: other.id });
		expect(of(nameRun, 'by-name@example.com')).toBeDefined();
		expect(of(nameRun, 'by-id@example.com')).toBeUndefined();
		const missing = await s.run({ list: { __rl: true, mode: 'name', value: 'No such list' } });
		expect(missing.error?.message).toMatch(/No list is named "No such list"/);
	});

	test('a tag narrows the ActiveCampaign side; custom field pairs are compared', async () => {
		const s = scenario(emulator);
		const tag = emulator.ac.addTag(`vip-${s.list.id}`);
		const field = emulator.ac.addField(`Company ${s.list.id}`);
		emulator.mc.addMergeField(s.audienceId, 'COMPANY', 'Company');
		const tagged = s.ac('tagged@example.com', '1');
		emulator.ac.tagContact(tagged.id, tag.id);
		emulator.ac.setFieldValue(tagged.id, field.id, 'Acme');
		s.mc('tagged@example.com', 'subscribed', { COMPANY: 'Acme Inc' });
		s.ac('untagged@example.com', '1');
		const run = await s.run({
			tag: { __rl: true, mode: 'name', value: tag.tag },
			direction: 'activeCampaignToMailchimp',
			fieldPairs: { pairs: [{ activeCampaignField: field.id, mailchimpField: 'COMPANY' }] },
		});
		expect(run.error).toBeUndefined();
		expect(of(run, 'untagged@example.com')).toBeUndefined();
		expect(of(run, 'tagged@example.com')).toMatchObject({ kind: 'fieldsDiffer', differs: [`${field.title} ↔ COMPANY`], writes: [{ on: 'Mailchimp', fields: { COMPANY: 'Acme' } }] });
		expect(run.summary.activeCampaign).toMatchObject({ size: 1, tagId: tag.id });
	});

	test.each([false, true])('a read that fails partway writes nothing (Continue On Fail %s)', async (continueOnFail) => {
		const seeded = seedAudiences(emulator, { contacts: 350, members: 2500, differences: 0.05, seed: 3, audienceId: `audfail000${continueOnFail ? 1 : 2}`, listName: `Fail ${continueOnFail}` });
		emulator.faults = [{ kind: 500, method: 'GET', path: new RegExp(`/lists/${seeded.audienceId}/members$`), query: /offset=1000/, times: 100 }];
		const from = emulator.log.length;
		const run = await runSeeded(emulator, seeded, { direction: 'both', mode: 'apply', maxChanges: '100%', limits: { requestsPerSecond: 1000, maxAttempts: 2, maxWaitSeconds: 1 } }, { continueOnFail });
		expect(writesSince(emulator, from)).toEqual([]);
		expect(run.differences).toEqual([]);
		if (continueOnFail) {
			expect(run.error).toBeUndefined();
			expect(String(run.summary.error)).toMatch(/500|server/i);
		} else {
			expect(run.error).toBeDefined();
			expect(String(run.error!.description)).toMatch(/Nothing was written/);
		}
	});

	// Review of issue 19: the other side, other failures (a key rotated mid-read answers 401; a page cut short).
	const acPage = { method: 'GET', path: /\/contacts$/, query: /status=1.*offset=100|offset=100.*status=1/ };
	const mcPage = { method: 'GET', query: /offset=1000/ };
	test.each([
		['ActiveCampaign page 2 answers 401', false, { ...acPage, kind: 'reply' as const, reply: { status: 401, body: { message: 'An invalid API key was provided' } }, times: 100 }],
		['ActiveCampaign page 2 answers 401', true, { ...acPage, kind: 'reply' as const, reply: { status: 401, body: { message: 'An invalid API key was provided' } }, times: 100 }],
		['ActiveCampaign page 2 is cut short', true, { ...acPage, kind: 'truncated' as const, times: 100 }],
		['Mailchimp page 2 answers 401', true, { ...mcPage, kind: 'reply' as const, reply: { status: 401, headers: { 'content-type': 'application/problem+json' }, body: { type: 'https://mailchimp.com/developer/marketing/docs/errors/', title: 'API Key Invalid', status: 401, detail: 'Your API key may be invalid, or you\'ve attempted to access the wrong datacenter.', instance: '' } }, times: 100 }],
	])('%s: nothing is written (Continue On Fail %s)', async (_, continueOnFail, fault) => {
		const n = emulator.log.length;
		const seeded = seedAudiences(emulator, { contacts: 350, members: 2500, differences: 0.05, seed: 5, audienceId: `audfailx${String(n).padStart(6, '0')}`, listName: `Fail x ${n}` });
		const path = 'path' in fault ? fault.path : new RegExp(`/lists/${seeded.audienceId}/members$`);
		emulator.faults = [{ ...fault, path }];
		const from = emulator.log.length;
		const run = await runSeeded(emulator, seeded, { direction: 'both', mode: 'apply', maxChanges: '100%', limits: { requestsPerSecond: 1000, maxAttempts: 2, maxWaitSeconds: 1 } }, { continueOnFail });
		emulator.faults = [];
		// The fault hit a page past the first one, and the error says what failed.
		expect(emulator.log.slice(from).some((r) => /offset=(100|1000)\b/.test(r.rawUrl) && r.status !== 200)).toBe(true);
		if (fault.kind === 'reply') expect(JSON.stringify(run.error ?? run.summary.error)).toMatch(/401|API key/);
		expect(writesSince(emulator, from)).toEqual([]);
		expect(run.differences).toEqual([]);
		if (continueOnFail) expect(run.summary.error).toBeDefined();
		else expect(String(run.error!.description)).toMatch(/Nothing was written/);
	});
});
