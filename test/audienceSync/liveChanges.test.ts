import type { RequestInfo } from '../emulator/server';
import { changeOnce, of, scenario, testEmulator } from './run';

/**
 * Live changes during Apply (issue 19: "a member who unsubscribes on one side while the run is under
 * way stays unsubscribed on both"). The providers stamp changes with their own clock (`wall`), as the
 * real APIs do, so a read of the members changed since the run began finds them. A careful operator
 * expects the unsubscribe to stay where it was made, never to be answered by a subscribe on the other
 * side in the same run, and to reach the other side in that run.
 */
const emulator = testEmulator({ clock: 'wall' });

type Scenario = ReturnType<typeof scenario>;

function unsubscribeInMailchimp(s: Scenario, email: string) {
	const member = s.member(email)!;
	member.status = 'unsubscribed';
	member.last_changed = emulator.mc.now();
}

function unsubscribeInActiveCampaign(s: Scenario, email: string) {
	emulator.ac.subscribe(emulator.ac.findByEmail(email)!.id, s.list.id, '2');
}

/** The first request that writes: the run's first write. */
const atFirstWrite = ({ method }: RequestInfo) => method !== 'GET';
/** True for the requests that read a side in full (the plan's reads), whatever comes after them. */
const isPlanRead = (method: string, path: string, query: URLSearchParams) =>
	method === 'GET' &&
	((path.endsWith('/contacts') && query.get('listid') !== null && !query.getAll('ids[]').length && !query.get('ids')) ||
		(path.endsWith('/members') && /merge_fields/.test(query.get('fields') ?? '')) ||
		/\/(lists|tags|merge-fields|fields)(\/\w+)?$/.test(path));
/** The first request after both sides were read in full, whatever it is. */
const afterPlanReads = ({ method, path, query }: RequestInfo) => !isPlanRead(method, path, query);

describe('Audience Sync Apply: someone who unsubscribes while the run is under way', () => {
	test('unsubscribed on each side during the writes: stays unsubscribed there, and is unsubscribed on the other side in the same run', async () => {
		const s = scenario(emulator);
		// Fields differ both ways on both people, so Apply writes to both sides for each of them.
		for (const email of ['leaves-mc@example.com', 'leaves-ac@example.com']) {
			s.mc(email, 'subscribed', { FNAME: '', LNAME: 'Mc' });
			s.ac(email, '1', { firstName: 'Ac', lastName: '' });
		}
		for (let i = 0; i < 12; i++) s.ac(`filler${i}@example.com`, '1', { firstName: `F${i}` }); // enough for a bulk import
		const done = changeOnce(emulator, atFirstWrite, () => {
			// At the first write of the run: one person unsubscribes in each service.
			unsubscribeInMailchimp(s, 'leaves-mc@example.com');
			unsubscribeInActiveCampaign(s, 'leaves-ac@example.com');
		});
		const run = await s.run({ direction: 'both', mode: 'apply', maxChanges: '100' });
		expect(run.error).toBeUndefined();
		expect(done()).toBe(true);
		for (const email of ['leaves-mc@example.com', 'leaves-ac@example.com']) {
			expect([email, s.member(email)!.status]).toEqual([email, 'unsubscribed']);
			expect([email, s.acStatus(email)]).toEqual([email, '2']);
		}
		// Their fields were still written.
		expect(s.member('leaves-ac@example.com')!.merge_fields.FNAME).toBe('Ac');
		expect(emulator.ac.findByEmail('leaves-mc@example.com')!.lastName).toBe('Mc');
		// The items say what happened.
		expect(String(JSON.stringify(of(run, 'leaves-mc@example.com')))).toMatch(/while this run was under way/);
		expect(String(JSON.stringify(of(run, 'leaves-ac@example.com')))).toMatch(/while this run was under way/);
		expect(run.summary.written).toMatchObject({ failed: 0 });

		const next = await s.run({ direction: 'both' });
		expect(next.differences).toEqual([]);
	});

	test('unsubscribed after being read, before any write: never added to the other side as subscribed', async () => {
		const s = scenario(emulator);
		s.mc('mc-new@example.com', 'subscribed', { FNAME: 'Mia' });
		s.ac('ac-new@example.com', '1', { firstName: 'Abe' });
		s.ac('stays@example.com', '1', { firstName: 'Sue' });
		let changed = false;
		let subscribedSomewhere = false;
		emulator.beforeAnswer = ({ method, path, query }) => {
			if (s.acStatus('mc-new@example.com') === '1' || ['subscribed', 'pending'].includes(String(s.member('ac-new@example.com')?.status))) subscribedSomewhere = true;
			if (changed || isPlanRead(method, path, query)) return;
			// Both sides were read: the first request after the reads, whatever it is.
			changed = true;
			unsubscribeInMailchimp(s, 'mc-new@example.com');
			unsubscribeInActiveCampaign(s, 'ac-new@example.com');
		};
		const run = await s.run({ direction: 'both', mode: 'apply', maxChanges: '100' });
		emulator.beforeAnswer = undefined;
		expect(run.error).toBeUndefined();
		expect(changed).toBe(true);
		expect(subscribedSomewhere).toBe(false);
		expect(s.member('mc-new@example.com')!.status).toBe('unsubscribed');
		expect(s.acStatus('ac-new@example.com')).toBe('2');
		// Not subscribed on the other side; added there as unsubscribed (as the policy adds the opted-out), or not at all.
		expect(['2', undefined]).toContain(s.acStatus('mc-new@example.com'));
		expect(['unsubscribed', undefined]).toContain(s.member('ac-new@example.com')?.status);
		expect(s.member('stays@example.com')).toMatchObject({ status: 'subscribed', merge_fields: { FNAME: 'Sue' } });
		expect(of(run, 'stays@example.com')).toMatchObject({ outcome: 'created' });
		for (const email of ['mc-new@example.com', 'ac-new@example.com']) expect(JSON.stringify(of(run, email))).toMatch(/while this run was under way/);
	});

	test('someone the plan found in agreement who unsubscribes in Mailchimp during the writes is unsubscribed in ActiveCampaign in the same run', async () => {
		const s = scenario(emulator);
		s.mc('agreed@example.com', 'subscribed', { FNAME: 'Al' });
		s.ac('agreed@example.com', '1', { firstName: 'Al' });
		s.ac('other@example.com', '1', { firstName: 'Oli' });
		const done = changeOnce(emulator, atFirstWrite, () => {
			unsubscribeInMailchimp(s, 'agreed@example.com');
		});
		const run = await s.run({ direction: 'both', mode: 'apply', maxChanges: '100' });
		expect(run.error).toBeUndefined();
		expect(done()).toBe(true);
		expect(s.acStatus('agreed@example.com')).toBe('2');
		expect(of(run, 'agreed@example.com')).toMatchObject({ kind: 'statusDiffers', action: 'unsubscribe', target: 'ActiveCampaign', outcome: 'unsubscribed' });
		expect((await s.run({ direction: 'both' })).differences).toEqual([]);
	});

	test('read as unsubscribed in Mailchimp, signed up again before the writes: not unsubscribed in ActiveCampaign on the old reading', async () => {
		const s = scenario(emulator);
		s.mc('back@example.com', 'unsubscribed');
		s.ac('back@example.com', '1');
		s.ac('filler-back@example.com', '1'); // a write, so Apply runs
		const changed = changeOnce(emulator, afterPlanReads, () => {
			const member = s.member('back@example.com')!;
			member.status = 'subscribed';
			member.last_changed = emulator.mc.now();
		});
		const run = await s.run({ direction: 'both', mode: 'apply', maxChanges: '100' });
		expect(run.error).toBeUndefined();
		expect(changed()).toBe(true);
		expect(s.acStatus('back@example.com')).toBe('1');
		expect(s.member('back@example.com')!.status).toBe('subscribed');
		expect(JSON.stringify(of(run, 'back@example.com'))).toMatch(/while this run was under way/);
		expect((await s.run({ direction: 'both' })).differences).toEqual([]);
	});
});

describe('Audience Sync Apply: Max Changes holds for the changes found during the run', () => {
	test('people the plan held without a write (pending) who unsubscribe after the read are not written past Max Changes', async () => {
		const s = scenario(emulator);
		s.ac('only-write@example.com', '1', { firstName: 'Wes' }); // the plan's one change
		const held = ['held-a@example.com', 'held-b@example.com', 'held-c@example.com'];
		for (const email of held) s.mc(email, 'pending', { FNAME: 'Pat' }); // in the plan, written nowhere
		const changed = changeOnce(emulator, afterPlanReads, () => {
			for (const email of held) unsubscribeInMailchimp(s, email);
		});
		const run = await s.run({ direction: 'both', mode: 'apply', maxChanges: '1' });
		expect(run.error).toBeUndefined();
		expect(changed()).toBe(true);
		expect(run.summary.safetyValve).toMatchObject({ stopped: false });
		// One person at most is written: Max Changes is 1.
		const written = held.filter((email) => emulator.ac.findByEmail(email) !== undefined);
		const writtenCount = written.length + (s.member('only-write@example.com') ? 1 : 0);
		expect(writtenCount).toBeLessThanOrEqual(1);
		expect(Number(run.summary.changes)).toBeLessThanOrEqual(1);
		expect(run.summary.duringRun).toMatchObject({ leftForNextRun: 3 });
	});
});

describe('Audience Sync Apply: Max Changes holds after the writes too', () => {
	test('people the plan held without a write (pending in Mailchimp) who unsubscribe during the writes are left for the next run past Max Changes', async () => {
		const s = scenario(emulator);
		s.ac('the-write@example.com', '1', { firstName: 'Wes' }); // the plan's one change
		const held = ['held-late-a@example.com', 'held-late-b@example.com'];
		for (const email of held) {
			s.ac(email, '1', { firstName: 'Pat' });
			s.mc(email, 'pending', { FNAME: 'Pat' }); // status differs, held: pending is not subscribed
		}
		const done = changeOnce(emulator, atFirstWrite, () => {
			for (const email of held) unsubscribeInMailchimp(s, email);
		});
		const run = await s.run({ direction: 'both', mode: 'apply', maxChanges: '1' });
		expect(run.error).toBeUndefined();
		expect(done()).toBe(true);
		expect(s.member('the-write@example.com')).toMatchObject({ status: 'subscribed' });
		// Max Changes is 1, and the plan's one change took it: the two unsubscribes wait for the next run.
		for (const email of held) expect([email, s.acStatus(email)]).toEqual([email, '1']);
		expect(run.summary.duringRun).toMatchObject({ leftForNextRun: 2 });
		expect(Number(run.summary.changes)).toBeLessThanOrEqual(1);
		for (const email of held) expect(String(of(run, email)?.duringRun)).toMatch(/next run/);
		// The next run carries them.
		const next = await s.run({ direction: 'both', mode: 'apply', maxChanges: '10' });
		for (const email of held) expect([email, s.acStatus(email)]).toEqual([email, '2']);
		expect(next.summary.safetyValve).toMatchObject({ stopped: false });
	});
});

describe('Audience Sync Apply: pending is not subscribed, also during the run', () => {
	test('read as unsubscribed in Mailchimp, pending there before the writes (a signup form, not confirmed): still unsubscribed in ActiveCampaign', async () => {
		const s = scenario(emulator);
		s.mc('unconfirmed-back@example.com', 'unsubscribed');
		s.ac('unconfirmed-back@example.com', '1');
		const changed = changeOnce(emulator, afterPlanReads, () => {
			const member = s.member('unconfirmed-back@example.com')!;
			member.status = 'pending';
			member.last_changed = emulator.mc.now();
		});
		const run = await s.run({ direction: 'both', mode: 'apply', maxChanges: '100' });
		expect(run.error).toBeUndefined();
		expect(changed()).toBe(true);
		// The unsubscribe stands: a signup nobody confirmed is not consent.
		expect(s.acStatus('unconfirmed-back@example.com')).toBe('2');
		expect(of(run, 'unconfirmed-back@example.com')).toMatchObject({ action: 'unsubscribe', outcome: 'unsubscribed' });
	});
});

describe('Audience Sync Apply: the second look after the writes fails', () => {
	test.each([false, true])('what was written is still reported, item by item (Continue On Fail %s)', async (continueOnFail) => {
		const s = scenario(emulator);
		s.ac(`written-${continueOnFail}@example.com`, '1', { firstName: 'Wyn' }); // created in Mailchimp as subscribed: watched
		// Let the look before the writes through; the one after them fails (a server error, retries spent).
		emulator.faults = [{ kind: 500, method: 'GET', path: /\/contacts$/, query: /ids.*status=1|status=1.*ids/, after: 1, times: 100 }];
		const run = await s.run({ direction: 'both', mode: 'apply', maxChanges: '100', limits: { requestsPerSecond: 1000, maxAttempts: 2, maxWaitSeconds: 1 } }, { continueOnFail });
		emulator.faults = [];
		expect(s.member(`written-${continueOnFail}@example.com`)).toMatchObject({ status: 'subscribed' });
		// The write happened: the run says so, and says the second look failed.
		expect(run.error).toBeUndefined();
		expect(of(run, `written-${continueOnFail}@example.com`)).toMatchObject({ action: 'create', outcome: 'created' });
		expect(run.summary.written).toMatchObject({ created: 1 });
		expect(JSON.stringify(run.summary.duringRun)).toMatch(/500|server/i);
	});
});

describe('Audience Sync Apply: the look before the writes fails', () => {
	test.each([false, true])('nothing is written (Continue On Fail %s)', async (continueOnFail) => {
		const s = scenario(emulator);
		s.ac(`not-written-${continueOnFail}@example.com`, '1', { firstName: 'Nat' });
		s.mc(`not-written-mc-${continueOnFail}@example.com`, 'unsubscribed');
		emulator.faults = [{ kind: 500, method: 'GET', path: /\/members$/, query: /since_last_changed/, times: 100 }];
		const run = await s.run({ direction: 'both', mode: 'apply', maxChanges: '100', limits: { requestsPerSecond: 1000, maxAttempts: 2, maxWaitSeconds: 1 } }, { continueOnFail });
		emulator.faults = [];
		expect(s.member(`not-written-${continueOnFail}@example.com`)).toBeUndefined();
		expect(emulator.ac.findByEmail(`not-written-mc-${continueOnFail}@example.com`)).toBeUndefined();
		if (continueOnFail) expect(JSON.stringify(run.summary.error)).toMatch(/500|server/i);
		else expect(run.error).toBeDefined();
	});
});
