import { AC_TEST_KEY, type Emulator, MC_TEST_KEY, startEmulator } from '../emulator/server';
import { poller } from '../harness/n8n';

/** The polling triggers, polled as n8n does for an active workflow, against the emulator. */
let emulator: Emulator;
beforeAll(async () => {
	emulator = await startEmulator({ acRatePerSecond: 1000 });
});
afterAll(() => emulator.stop());

const acCreds = () => ({ activeCampaignSyncApi: { apiUrl: emulator.url, apiKey: AC_TEST_KEY } });
const mcCreds = () => ({ mailchimpSyncApi: { apiKey: MC_TEST_KEY, useCustomBaseUrl: true, baseUrl: emulator.mcBaseUrl } });
/** A change time just after now, as the API would stamp a change made now. */
let tick = 0;
const later = () => new Date(Date.now() + 1000 + tick++ * 1000).toISOString();

describe('ActiveCampaign Sync Trigger', () => {
	test('first poll sets the cursor and emits nothing; later polls emit each change once', async () => {
		emulator.ac.addContact({ email: 'before@example.com' });
		const trigger = await poller('activeCampaignSyncTrigger', { event: 'contactChanged' }, acCreds());
		expect(await trigger.poll()).toBeNull();

		const t1 = later();
		const a = emulator.ac.addContact({ email: 'new-a@example.com', cdate: t1, udate: t1 });
		const b = emulator.ac.addContact({ email: 'new-b@example.com', cdate: t1, udate: t1 });
		const first = await trigger.poll();
		expect(first?.map((c) => c.email)).toEqual(['new-a@example.com', 'new-b@example.com']);
		expect(await trigger.poll()).toBeNull();

		// An update to an existing contact is a change; contacts at the cursor's own second are not repeated.
		const t2 = later();
		b.firstName = 'Changed';
		b.udate = t2;
		const second = await trigger.poll();
		expect(second).toEqual([expect.objectContaining({ id: b.id, firstName: 'Changed' })]);
		expect(await trigger.poll()).toBeNull();
		expect(a.id).not.toBe(b.id);
	});

	test('Contact Created ignores updates; manual mode fetches the newest contact as a sample', async () => {
		emulator.ac.contacts.clear();
		const existing = emulator.ac.addContact({ email: 'existing@example.com' });
		const trigger = await poller('activeCampaignSyncTrigger', { event: 'contactCreated' }, acCreds());
		await trigger.poll();
		existing.udate = later();
		expect(await trigger.poll()).toBeNull();
		const t = later();
		emulator.ac.addContact({ email: 'created-only@example.com', cdate: t, udate: t });
		expect((await trigger.poll())?.map((c) => c.email)).toEqual(['created-only@example.com']);
		const sample = await (await poller('activeCampaignSyncTrigger', { event: 'contactCreated' }, acCreds())).poll('manual');
		expect(sample).toHaveLength(1);
	});
});

describe('Mailchimp Sync Trigger', () => {
	test('members added or changed since the last poll, each once, boundary included', async () => {
		emulator.mc.addList('trig', 'Trigger audience');
		emulator.mc.addMember('trig', 'old@example.com');
		const trigger = await poller('mailchimpSyncTrigger', { audience: { __rl: true, mode: 'id', value: 'trig' }, status: '' }, mcCreds());
		expect(await trigger.poll()).toBeNull();

		const t1 = later();
		const m = emulator.mc.addMember('trig', 'joined@example.com');
		m.last_changed = t1;
		expect((await trigger.poll())?.map((x) => x.email_address)).toEqual(['joined@example.com']);
		// Mailchimp's since_last_changed is inclusive: the member at the cursor comes back, and is filtered.
		expect(await trigger.poll()).toBeNull();

		const n = emulator.mc.addMember('trig', 'same-second@example.com');
		n.last_changed = t1;
		expect((await trigger.poll())?.map((x) => x.email_address)).toEqual(['same-second@example.com']);
		expect(await trigger.poll()).toBeNull();
	});
});
