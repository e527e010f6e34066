import { type Emulator, startEmulator } from '../emulator/server';
import { runNode } from './workflow';

/** The node option "Rate Limits and Retries": bad values are refused before anything is sent. */
let emulator: Emulator;
beforeAll(async () => {
	emulator = await startEmulator();
	for (let i = 0; i < 20; i++) emulator.ac.addContact({ email: `limit${i}@example.com` });
	emulator.mc.addList('aud1', 'Audience');
});
afterAll(() => emulator.stop());
beforeEach(() => emulator.resetCounts());

const getMany = { resource: 'contact', operation: 'getAll', returnAll: true };

describe('pace option', () => {
	test('a pace of 2.5 requests per second is refused, naming the option, and nothing is sent', async () => {
		// 2.5 used to reach the shared pacer, whose arithmetic then gave NaN: no pacing for the account at all.
		const run = await runNode(emulator, 'activeCampaign', { ...getMany, limits: { requestsPerSecond: 2.5 } } as never);
		expect(run.error?.message).toBe('Requests per Second must be a whole number from 0 up, got "2.5"');
		expect(emulator.log).toHaveLength(0);
	});

	test.each([[-1], [1.5]])('Mailchimp: %p simultaneous requests is refused, naming the option', async (value) => {
		const run = await runNode(emulator, 'mailchimp', { resource: 'audience', operation: 'getAll', returnAll: true, limits: { maxConcurrent: value } } as never);
		expect(run.error?.message).toBe(`Max Simultaneous Requests must be a whole number from 0 up, got "${value}"`);
		expect(emulator.log).toHaveLength(0);
	});

	test('whole numbers are accepted: 2 requests per second, and 0 for the documented limit', async () => {
		const slow = await runNode(emulator, 'activeCampaign', { ...getMany, limits: { requestsPerSecond: 2 } } as never);
		expect(slow.error).toBeUndefined();
		expect(slow.json).toHaveLength(20);
		const documented = await runNode(emulator, 'activeCampaign', { ...getMany, limits: { requestsPerSecond: 0 } } as never);
		expect(documented.error).toBeUndefined();
		expect(documented.json).toHaveLength(20);
	});

	test('a fractional attempt count is refused too', async () => {
		const run = await runNode(emulator, 'activeCampaign', { ...getMany, limits: { maxAttempts: 2.5 } } as never);
		expect(run.error?.message).toBe('Max Attempts must be a whole number from 1 to 20, got "2.5"');
	});
});
