import { type Emulator, startEmulator } from '../emulator/server';
import { acClient, mcClient } from './helpers';

let emulator: Emulator;
beforeAll(async () => {
	emulator = await startEmulator({ latencyMs: 20 });
	for (let i = 0; i < 10; i++) emulator.ac.addContact({ email: `p${i}@example.com` });
	emulator.mc.addList('aud1', 'Audience');
});
afterAll(() => emulator.stop());
beforeEach(() => emulator.resetCounts());

describe('ActiveCampaign pacing (5 requests per rolling second per account)', () => {
	test('30 concurrent callers from two executions draw no 429 and run close to 5/s', async () => {
		// Two executions of the same account share one pacer, as two workflows in one n8n process do.
		const [a, b] = await Promise.all([acClient(emulator), acClient(emulator)]);
		const calls = Array.from({ length: 30 }, (_, i) => (i % 2 ? a : b).request({ method: 'GET', path: '/contacts' }));
		await Promise.all(calls);

		expect(emulator.rejected429.ac).toBe(0);
		const arrivals = emulator.log.filter((l) => l.path === '/api/3/contacts').map((l) => l.at);
		expect(arrivals).toHaveLength(30);
		// Never more than 5 arrivals inside any one second, as the server counts them...
		for (let i = 5; i < arrivals.length; i++) expect(arrivals[i] - arrivals[i - 5]).toBeGreaterThanOrEqual(1000);
		// ...and not far below the limit: 25 requests past the first burst of 5 take about 5 s.
		const rate = 25 / ((arrivals[29] - arrivals[4]) / 1000);
		expect(rate).toBeGreaterThan(4);
		expect(rate).toBeLessThanOrEqual(5);
	});

	test('a node option lowers the pace for an account with a custom limit', async () => {
		const slow = await acClient(emulator, { requestsPerSecond: 2 });
		await Promise.all(Array.from({ length: 6 }, () => slow.request({ method: 'GET', path: '/contacts' })));
		const arrivals = emulator.log.map((l) => l.at);
		for (let i = 2; i < arrivals.length; i++) expect(arrivals[i] - arrivals[i - 2]).toBeGreaterThanOrEqual(1000);
		// Put the shared pacer back to the documented limit for the other tests.
		await acClient(emulator, { requestsPerSecond: 5 });
	});
});

describe('Mailchimp pacing (10 simultaneous connections per key)', () => {
	test('60 concurrent callers never exceed 10 in flight and draw no 429', async () => {
		const [a, b] = await Promise.all([mcClient(emulator), mcClient(emulator)]);
		await Promise.all(Array.from({ length: 60 }, (_, i) => (i % 2 ? a : b).request({ method: 'GET', path: '/lists/aud1' })));
		expect(emulator.rejected429.mc).toBe(0);
		expect(emulator.maxMcInFlight).toBe(10);
		expect(emulator.count('GET /3.0/lists/:listId')).toBe(60);
	});
});
