import { AC_TEST_KEY, type Emulator, MC_TEST_KEY, startEmulator } from '../emulator/server';
import { poller } from '../harness/n8n';

/** The polling triggers, polled as n8n does for an active workflow, against the emulator. */
let emulator: Emulator;
beforeAll(async () => {
	emulator = await startEmulator({ acRatePerSecond: 1000, clock: 'wall' });
	emulator.clock.freeze();
});
afterAll(() => emulator.stop());

const acCreds = () => ({ activeCampaignSyncApi: { apiUrl: emulator.url, apiKey: AC_TEST_KEY } });
const mcCreds = () => ({ mailchimpSyncApi: { apiKey: MC_TEST_KEY, useCustomBaseUrl: true, baseUrl: emulator.mcBaseUrl } });
/** Lets provider time pass: a change is emitted once its second is over on the provider's clock. */
const tick = (seconds = 2) => emulator.clock.advance(seconds * 1000);

describe('ActiveCampaign Sync Trigger', () => {
	test('first poll sets the cursor and emits nothing; later polls emit each change once', async () => {
		emulator.ac.addContact({ email: 'before@example.com' });
		tick();
		const trigger = await poller('activeCampaignSyncTrigger', { event: 'contactChanged' }, acCreds());
		expect(await trigger.poll()).toBeNull();

		const a = emulator.ac.addContact({ email: 'new-a@example.com' });
		const b = emulator.ac.addContact({ email: 'new-b@example.com' });
		tick();
		const first = await trigger.poll();
		expect(first?.map((c) => c.email)).toEqual(['new-a@example.com', 'new-b@example.com']);
		expect(await trigger.poll()).toBeNull();

		// An update to an existing contact is a change; contacts at the cursor's own second are not repeated.
		b.firstName = 'Changed';
		b.udate = emulator.ac.now();
		tick();
		const second = await trigger.poll();
		expect(second).toEqual([expect.objectContaining({ id: b.id, firstName: 'Changed' })]);
		tick();
		expect(await trigger.poll()).toBeNull();
		expect(a.id).not.toBe(b.id);
	});

	test('Contact Created ignores updates; manual mode fetches the newest contact as a sample', async () => {
		emulator.ac.contacts.clear();
		const existing = emulator.ac.addContact({ email: 'existing@example.com' });
		tick();
		const trigger = await poller('activeCampaignSyncTrigger', { event: 'contactCreated' }, acCreds());
		await trigger.poll();
		existing.udate = emulator.ac.now();
		tick();
		expect(await trigger.poll()).toBeNull();
		emulator.ac.addContact({ email: 'created-only@example.com' });
		tick();
		expect((await trigger.poll())?.map((c) => c.email)).toEqual(['created-only@example.com']);
		const sample = await (await poller('activeCampaignSyncTrigger', { event: 'contactCreated' }, acCreds())).poll('manual');
		expect(sample).toHaveLength(1);
	});

	test('a Max Items per Poll below 1 is refused, naming the option', async () => {
		const trigger = await poller('activeCampaignSyncTrigger', { event: 'contactChanged', maxItemsPerPoll: 0 }, acCreds());
		await expect(trigger.poll()).rejects.toThrow(/Max Items per Poll must be a whole number .*at least 1/);
	});

	test('Simplify and Max Items per Poll given by an expression ("false" from a sheet, "1") are read as what they say', async () => {
		emulator.ac.contacts.clear();
		tick();
		const trigger = await poller('activeCampaignSyncTrigger', { event: 'contactChanged', simplify: '={{ "false" }}', maxItemsPerPoll: '={{ "1" }}' }, acCreds());
		expect(await trigger.poll()).toBeNull();
		emulator.ac.addContact({ email: 'raw-a@example.com' });
		emulator.ac.addContact({ email: 'raw-b@example.com' });
		tick();
		const first = await trigger.poll();
		// Not simplified: the contact as ActiveCampaign returns it, beyond the simplified fields.
		expect(first).toHaveLength(1);
		expect(Object.keys(first![0]).sort()).not.toEqual(['cdate', 'email', 'firstName', 'id', 'lastName', 'phone', 'udate']);
		expect((await trigger.poll())?.map((c) => c.email)).toEqual(['raw-b@example.com']);
		for (const on of ['={{ "true" }}', '={{ "Yes" }}']) {
			const simplified = await poller('activeCampaignSyncTrigger', { event: 'contactChanged', simplify: on }, acCreds());
			const sample = await simplified.poll('manual');
			expect(Object.keys(sample![0]).sort()).toEqual(['cdate', 'email', 'firstName', 'id', 'lastName', 'phone', 'udate']);
		}
	});

	test('Simplify, Max Items per Poll or Event given by an expression as something else is refused, naming the option, not read as another choice', async () => {
		const cases: Array<[Record<string, unknown>, RegExp]> = [
			[{ simplify: '={{ "maybe" }}' }, /Simplify "maybe", not true or false/],
			[{ maxItemsPerPoll: '={{ "ten" }}' }, /Max Items per Poll must be a whole number/],
			[{ maxItemsPerPoll: '={{ 2.5 }}' }, /Max Items per Poll must be a whole number/],
			[{ event: '={{ "created" }}' }, /Event "created" is not one of contactCreated, contactChanged/],
		];
		for (const [parameters, error] of cases) {
			const trigger = await poller('activeCampaignSyncTrigger', { event: 'contactChanged', ...parameters }, acCreds());
			await expect(trigger.poll()).rejects.toThrow(error);
		}
		// The event given by an expression in another case is the event it names.
		const existing = emulator.ac.addContact({ email: 'existing-expr@example.com' });
		tick();
		const created = await poller('activeCampaignSyncTrigger', { event: '={{ "ContactCreated" }}' }, acCreds());
		expect(await created.poll()).toBeNull();
		existing.udate = emulator.ac.now();
		tick();
		expect(await created.poll()).toBeNull();
	});
});

describe('Mailchimp Sync Trigger', () => {
	test('a cursor written by the previous version goes on: nothing before it again, nothing after it lost', async () => {
		emulator.mc.addList('legacy', 'Legacy cursor');
		const a = emulator.mc.addMember('legacy', 'a@example.com');
		const b = emulator.mc.addMember('legacy', 'b@example.com');
		b.last_changed = a.last_changed;
		const trigger = await poller('mailchimpSyncTrigger', { audience: { __rl: true, mode: 'id', value: 'legacy' }, status: '' }, mcCreds());
		// What the earlier trigger kept: the newest change time it saw, and the ids it emitted at it (a, not b).
		(trigger.staticData() as Record<string, unknown>)['node:Trigger'] = { since: a.last_changed, idsAtSince: [a.id] };
		tick();
		const c = emulator.mc.addMember('legacy', 'c@example.com');
		tick();
		expect((await trigger.poll())?.map((m) => m.email_address).sort()).toEqual(['b@example.com', 'c@example.com']);
		expect((trigger.staticData() as { __dataChanged?: boolean }).__dataChanged).toBe(true);
		tick();
		expect(await trigger.poll()).toBeNull();
		expect(c.id).not.toBe(a.id);
	});

	test('a damaged cursor (hand-edited or partly written) restarts from now instead of failing every poll', async () => {
		emulator.mc.addList('damaged', 'Damaged cursor');
		const trigger = await poller('mailchimpSyncTrigger', { audience: { __rl: true, mode: 'id', value: 'damaged' }, status: '' }, mcCreds());
		for (const damaged of [{ version: 2 }, { version: 2, at: 'yesterday', readAt: 1, floor: 1, seen: [] }, { version: 2, at: 1, readAt: 1, floor: 1, seen: 'x' }, { since: 'not a date', idsAtSince: 'a' }]) {
			(trigger.staticData() as Record<string, unknown>)['node:Trigger'] = damaged;
			await expect(trigger.poll()).resolves.toBeNull();
		}
		tick();
		emulator.mc.addMember('damaged', 'after@example.com');
		tick();
		expect((await trigger.poll())?.map((m) => m.email_address)).toEqual(['after@example.com']);
	});

	test('Status and Max Items per Poll given by an expression ("Subscribed", "1") are read as what they say; an unknown status is refused, naming the option, before any request', async () => {
		emulator.mc.addList('exprStatus', 'Expression status');
		tick();
		const trigger = await poller('mailchimpSyncTrigger', { audience: { __rl: true, mode: 'id', value: 'exprStatus' }, status: '={{ "Subscribed" }}', maxItemsPerPoll: '={{ "1" }}' }, mcCreds());
		expect(await trigger.poll()).toBeNull();
		emulator.mc.addMember('exprStatus', 'sub-a@example.com');
		emulator.mc.addMember('exprStatus', 'gone@example.com', 'unsubscribed');
		emulator.mc.addMember('exprStatus', 'sub-b@example.com');
		tick();
		expect((await trigger.poll())?.map((m) => m.email_address)).toEqual(['sub-a@example.com']);
		expect((await trigger.poll())?.map((m) => m.email_address)).toEqual(['sub-b@example.com']);
		const from = emulator.log.length;
		const unknown = await poller('mailchimpSyncTrigger', { audience: { __rl: true, mode: 'id', value: 'exprStatus' }, status: '={{ "active" }}' }, mcCreds());
		await expect(unknown.poll()).rejects.toThrow(/Status "active" is not one of subscribed, unsubscribed, cleaned, pending, transactional, archived/);
		expect(emulator.log.length).toBe(from);
	});

	test('members added or changed since the last poll, each once, boundary included', async () => {
		emulator.mc.addList('trig', 'Trigger audience');
		emulator.mc.addMember('trig', 'old@example.com');
		tick();
		const trigger = await poller('mailchimpSyncTrigger', { audience: { __rl: true, mode: 'id', value: 'trig' }, status: '' }, mcCreds());
		expect(await trigger.poll()).toBeNull();

		const m = emulator.mc.addMember('trig', 'joined@example.com');
		tick();
		expect((await trigger.poll())?.map((x) => x.email_address)).toEqual(['joined@example.com']);
		// Mailchimp's since_last_changed is inclusive: the member at the cursor comes back, and is filtered.
		tick();
		expect(await trigger.poll()).toBeNull();

		// A member stamped in an already-polled second (visible late) is still emitted, once.
		const n = emulator.mc.addMember('trig', 'same-second@example.com');
		n.last_changed = m.last_changed;
		tick();
		expect((await trigger.poll())?.map((x) => x.email_address)).toEqual(['same-second@example.com']);
		tick();
		expect(await trigger.poll()).toBeNull();
	});
});
