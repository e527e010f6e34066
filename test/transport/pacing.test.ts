import { activeCampaignClient } from '../../nodes/ActiveCampaignSync/transport';
import { mailchimpClient } from '../../nodes/MailchimpSync/transport';
import { ConcurrencyPacer, MAX_PACERS, pacerCount, sharedPacer, WindowPacer } from '../../nodes/shared/pacing';
import { ApiClient } from '../../nodes/shared/transport';
import { AC_TEST_KEY, type Emulator, MC_TEST_KEY, startEmulator } from '../emulator/server';
import { executeContext } from '../harness/n8n';
import { acClient, mcClient } from './helpers';

/**
 * Pacing is checked for outcomes and bounds, never for ideal timing: these tests run on a shared,
 * busy machine. The emulator adds random arrival jitter beyond the pacer's safety margin, so some
 * 429s happen even on an idle machine and the adaptive pace is exercised every run.
 */
let emulator: Emulator;
beforeAll(async () => {
	emulator = await startEmulator({ latencyMs: 20, arrivalJitterMs: 80 });
	for (let i = 0; i < 10; i++) emulator.ac.addContact({ email: `p${i}@example.com` });
	emulator.mc.addList('aud1', 'Audience');
});
afterAll(() => emulator.stop());
beforeEach(() => emulator.resetCounts());

const arrivals = (path: string, status?: number) => emulator.log.filter((l) => l.path === path && (status === undefined || l.status === status)).map((l) => l.at);

/** A client of its own pacer: one n8n process among several (queue-mode workers) on the same account. */
async function processClient(kind: 'ac' | 'mc', pacer: WindowPacer | ConcurrencyPacer): Promise<ApiClient> {
	const ctx =
		kind === 'ac'
			? await executeContext({ activeCampaignSyncApi: { apiUrl: emulator.url, apiKey: AC_TEST_KEY } })
			: await executeContext({ mailchimpSyncApi: { apiKey: MC_TEST_KEY, useCustomBaseUrl: true, baseUrl: emulator.mcBaseUrl } });
	const shared = kind === 'ac' ? await activeCampaignClient(ctx) : await mailchimpClient(ctx);
	return new ApiClient(ctx, { ...shared.api, pacer }, shared.retry);
}

describe('ActiveCampaign pacing (5 requests per rolling second per account)', () => {
	test('60 concurrent callers from two executions all succeed, never faster than the limit, with few 429s', async () => {
		// Two executions of the same account share one pacer, as two workflows in one n8n process do.
		const [a, b] = await Promise.all([acClient(emulator), acClient(emulator)]);
		const started = Date.now();
		await Promise.all(Array.from({ length: 60 }, (_, i) => (i % 2 ? a : b).request({ method: 'GET', path: '/contacts' })));
		const ok = arrivals('/api/3/contacts', 200);
		expect(ok).toHaveLength(60);
		// Each 429 halves the pace (and pauses for Retry-After), so they stay rare even with jitter.
		expect(emulator.rejected429.ac).toBeLessThanOrEqual(9);
		// Never faster than the limit: 60 requests need at least 11 windows of 5...
		expect(Date.now() - started).toBeGreaterThanOrEqual(11_000);
		// ...and not stuck far below it after a 429: at least 2 requests per second over the run.
		expect(60 / ((Date.now() - started) / 1000)).toBeGreaterThanOrEqual(2);
	});

	test('a node option lowers the pace for an account with a custom limit', async () => {
		const slow = await acClient(emulator, { requestsPerSecond: 2 });
		await Promise.all(Array.from({ length: 6 }, () => slow.request({ method: 'GET', path: '/contacts' })));
		// The pacer starts at most 2 requests per second: 6 take at least 2 seconds.
		const at = arrivals('/api/3/contacts', 200);
		expect(at).toHaveLength(6);
		expect(at[5] - at[0]).toBeGreaterThanOrEqual(1900);
		// Put the shared pacer back to the documented limit for the other tests.
		await acClient(emulator, { requestsPerSecond: 5 });
	});

	test('three uncoordinated processes on one account share the limit: all calls succeed, few 429s', async () => {
		// Three pacers that know nothing of each other, as three queue-mode workers; each runs 5 at a time.
		const clients = await Promise.all([0, 1, 2].map(() => processClient('ac', new WindowPacer(5))));
		await Promise.all(
			clients.map(async (client) => {
				const work = Array.from({ length: 30 }, () => () => client.request({ method: 'GET', path: '/contacts' }));
				await Promise.all(Array.from({ length: 5 }, async () => {
					for (let job = work.shift(); job; job = work.shift()) await job();
				}));
			}),
		);
		expect(arrivals('/api/3/contacts', 200)).toHaveLength(90);
		const sent = arrivals('/api/3/contacts').length;
		// The starts and the emulator's arrival jitter (beyond the pacers' margin) draw some 429s; a bound, not an ideal.
		expect(emulator.rejected429.ac / sent).toBeLessThanOrEqual(0.25);
		// Each pacer keeps a share from 1 to the limit. (How much of the rate they reach together is
		// bounded by the fake-clock test in pacingRounds.test.ts and measured by npm run bench.)
		for (const client of clients) {
			expect(client.api.pacer.pace).toBeGreaterThanOrEqual(1);
			expect(client.api.pacer.pace).toBeLessThanOrEqual(5);
		}
	});
});

describe('Mailchimp pacing (10 simultaneous connections per key)', () => {
	test('60 concurrent callers never exceed 10 in flight and draw no 429', async () => {
		const [a, b] = await Promise.all([mcClient(emulator), mcClient(emulator)]);
		await Promise.all(Array.from({ length: 60 }, (_, i) => (i % 2 ? a : b).request({ method: 'GET', path: '/lists/aud1' })));
		// In-flight counting is exact in one process: no timing involved.
		expect(emulator.rejected429.mc).toBe(0);
		expect(emulator.maxMcInFlight).toBeLessThanOrEqual(10);
		expect(emulator.count('GET /3.0/lists/:listId')).toBe(60);
	});

	test('three uncoordinated processes on one key: all calls succeed, few 429s', async () => {
		const clients = await Promise.all([0, 1, 2].map(() => processClient('mc', new ConcurrencyPacer(10))));
		await Promise.all(clients.map((client) => Promise.all(Array.from({ length: 100 }, () => client.request({ method: 'GET', path: '/lists/aud1' })))));
		expect(emulator.count('GET /3.0/lists/:listId')).toBe(300);
		const sent = arrivals('/3.0/lists/aud1').length;
		expect(emulator.rejected429.mc / sent).toBeLessThanOrEqual(0.25);
		// Each process's window shrank below the key's 10 to share it.
		expect(Math.min(...clients.map((c) => c.api.pacer.pace))).toBeLessThan(10);
	});
});

describe('the adaptive pace', () => {
	test('a Mailchimp pacer halves its connections once per 429 episode and climbs back to the limit', async () => {
		const pacer = new ConcurrencyPacer(10);
		const r1 = await pacer.acquire();
		const r2 = await pacer.acquire();
		r1('throttled');
		expect(pacer.pace).toBe(5);
		r2('throttled');
		expect(pacer.pace).toBe(5);
		for (let i = 0; i < 2000 && pacer.pace < 10; i++) pacer['feedback']('success', performance.now());
		expect(pacer.pace).toBe(10);
	});

	test('limits must be whole numbers of at least 1', () => {
		for (const bad of [2.5, 0, -1, Number.NaN, Number.POSITIVE_INFINITY]) {
			expect(() => new WindowPacer(bad)).toThrow(RangeError);
			expect(() => sharedPacer('concurrency', 'bad-limit', bad)).toThrow(/whole number of at least 1/);
		}
	});

	test('the process keeps a bounded number of pacers, dropping the least recently used', () => {
		const kept = sharedPacer('window', 'kept-account', 5);
		for (let i = 0; i < MAX_PACERS + 50; i++) {
			sharedPacer('window', `account-${i}`, 5);
			if (i % 100 === 0) expect(sharedPacer('window', 'kept-account', 5)).toBe(kept);
		}
		expect(pacerCount()).toBe(MAX_PACERS);
		expect(sharedPacer('window', 'account-0', 5)).not.toBe(undefined);
	});
});
