import { backoffDelay, DEFAULT_RETRY, parseRetryAfter } from '../../nodes/shared/transport';
import { type Emulator, startEmulator } from '../emulator/server';
import { acClient, mcClient, thrown } from './helpers';

let emulator: Emulator;
beforeAll(async () => {
	emulator = await startEmulator();
	emulator.ac.addContact({ email: 'r@example.com' });
	emulator.mc.addList('aud1', 'Audience');
});
afterAll(() => emulator.stop());
beforeEach(() => {
	emulator.resetCounts();
	emulator.faults = [];
});

const fast = { baseDelayMs: 20, maxDelayMs: 100 };
const requestsTo = (path: string, method = 'GET') => emulator.log.filter((l) => l.path === path && l.method === method).length;

describe('429', () => {
	test('ActiveCampaign: the Retry-After seconds are honoured, then the call succeeds', async () => {
		emulator.faults.push({ kind: 429, path: /\/contacts$/, retryAfter: '2' });
		const client = await acClient(emulator, fast);
		const started = Date.now();
		const body = await client.request<{ contacts: unknown[] }>({ method: 'GET', path: '/contacts' });
		expect(body.contacts).toHaveLength(emulator.ac.contacts.size);
		expect(Date.now() - started).toBeGreaterThanOrEqual(2000);
		expect(requestsTo('/api/3/contacts')).toBe(2);
	});

	test('Retry-After as an HTTP date is honoured too', async () => {
		emulator.faults.push({ kind: 429, path: /\/contacts$/, retryAfter: new Date(Date.now() + 2000).toUTCString() });
		const client = await acClient(emulator, fast);
		const started = Date.now();
		await client.request({ method: 'GET', path: '/contacts' });
		// HTTP dates have whole seconds: at least the next second boundary, up to 2 s.
		expect(Date.now() - started).toBeGreaterThanOrEqual(1000);
		expect(requestsTo('/api/3/contacts')).toBe(2);
	});

	test('Mailchimp: no Retry-After, so exponential backoff until it goes through', async () => {
		emulator.faults.push({ kind: 429, path: /\/lists\/aud1$/, times: 3 });
		const client = await mcClient(emulator, fast);
		const body = await client.request<{ id: string }>({ method: 'GET', path: '/lists/aud1' });
		expect(body.id).toBe('aud1');
		expect(requestsTo('/3.0/lists/aud1')).toBe(4);
	});

	test('a 429 on a plain create is retried: the server did not process it', async () => {
		emulator.faults.push({ kind: 429, method: 'POST', path: /\/contacts$/, retryAfter: '0' });
		const client = await acClient(emulator, fast);
		await client.request({ method: 'POST', path: '/contacts', body: { contact: { email: 'after429@example.com' } } });
		expect(emulator.ac.findByEmail('after429@example.com')).toBeDefined();
		expect(requestsTo('/api/3/contacts', 'POST')).toBe(2);
	});

	test('Mailchimp 429s are waited out beyond the attempt limit: contention must not fail a run', async () => {
		emulator.faults.push({ kind: 429, path: /\/lists\/aud1$/, times: 7 });
		const client = await mcClient(emulator, { ...fast, maxAttempts: 3 });
		const body = await client.request<{ id: string }>({ method: 'GET', path: '/lists/aud1' });
		expect(body.id).toBe('aud1');
		expect(requestsTo('/3.0/lists/aud1')).toBe(8);
	});

	test('when the rate-limit wait budget runs out, the error says how long it waited and which option to change', async () => {
		emulator.faults.push({ kind: 429, path: /\/lists\/aud1$/, times: 1000 });
		const client = await mcClient(emulator, { ...fast, maxAttempts: 3, maxRateLimitWaitMs: 1500 });
		const started = Date.now();
		const error = await thrown(() => client.request({ method: 'GET', path: '/lists/aud1' }));
		expect(error.message).toMatch(/^Mailchimp rate limit still exceeded after waiting (1\.\d|0\.\d)s \(\d+ attempts\)$/);
		expect(error.description).toMatch(/waited .* of its 1\.5s budget/);
		expect(error.description).toMatch(/raise "Rate Limit Wait \(Minutes\)" in the node's Rate Limits and Retries option/);
		expect(requestsTo('/3.0/lists/aud1')).toBeGreaterThan(3);
		expect(Date.now() - started).toBeLessThan(5000);
	});

	test('a 429 without Retry-After from ActiveCampaign keeps the attempt limit', async () => {
		emulator.faults.push({ kind: 'no-body-429', path: /\/contacts$/, times: 10 });
		const client = await acClient(emulator, { ...fast, maxAttempts: 3 });
		const error = await thrown(() => client.request({ method: 'GET', path: '/contacts' }));
		expect(error.message).toMatch(/^ActiveCampaign rate limit still exceeded after 3 attempts \(waited \d+(\.\d)?s\)$/);
		expect(requestsTo('/api/3/contacts')).toBe(3);
	});

	test('a Retry-After beyond the rate-limit wait budget is not waited for', async () => {
		emulator.faults.push({ kind: 429, path: /\/contacts$/, retryAfter: '30' });
		const client = await acClient(emulator, { ...fast, maxRateLimitWaitMs: 5000 });
		const started = Date.now();
		const error = await thrown(() => client.request({ method: 'GET', path: '/contacts' }));
		expect(error.message).toBe('ActiveCampaign rate limit still exceeded after waiting 0s (1 attempt)');
		expect(error.description).toMatch(/of its 5s budget/);
		expect(Date.now() - started).toBeLessThan(5000);
	});

	test('429s waited out do not use up the attempts of a later server error', async () => {
		emulator.faults.push({ kind: 429, path: /\/lists\/aud1$/, times: 4 }, { kind: 503, path: /\/lists\/aud1$/ });
		const client = await mcClient(emulator, { ...fast, maxAttempts: 2 });
		const body = await client.request<{ id: string }>({ method: 'GET', path: '/lists/aud1' });
		expect(body.id).toBe('aud1');
		expect(requestsTo('/3.0/lists/aud1')).toBe(6);
	});
});

describe('faults', () => {
	test.each([[500], [503], ['reset'], ['truncated']] as const)('an idempotent GET survives %s', async (kind) => {
		emulator.faults.push({ kind, path: /\/contacts$/ });
		const client = await acClient(emulator, fast);
		const body = await client.request<{ contacts: unknown[] }>({ method: 'GET', path: '/contacts' });
		expect(body.contacts).toHaveLength(emulator.ac.contacts.size);
		expect(requestsTo('/api/3/contacts')).toBe(2);
	});

	test.each([[500], [503], ['reset']] as const)('contact/sync (an upsert) is repeated after %s and creates one contact', async (kind) => {
		emulator.faults.push({ kind, path: /\/contact\/sync$/ });
		const client = await acClient(emulator, fast);
		await client.request({ method: 'POST', path: '/contact/sync', body: { contact: { email: `sync-${kind}@example.com` } } });
		expect([...emulator.ac.contacts.values()].filter((c) => c.email === `sync-${kind}@example.com`)).toHaveLength(1);
		expect(requestsTo('/api/3/contact/sync', 'POST')).toBe(2);
	});

	test('a Mailchimp PUT upsert survives a 503', async () => {
		emulator.faults.push({ kind: 503, method: 'PUT' });
		const client = await mcClient(emulator, fast);
		const hash = '0bc5ef3b6a8ff5a4c3b0b8e7b8a1f1f6';
		const error = await thrown(() =>
			client.request({ method: 'PUT', path: `/lists/aud1/members/${hash}`, body: { email_address: 'x@example.com', status_if_new: 'subscribed' } }),
		);
		// The retry reached the API, which checked the hash: proof the PUT was repeated rather than given up.
		expect(error.message).toMatch(/does not match the subscriber hash/);
		expect(requestsTo(`/3.0/lists/aud1/members/${hash}`, 'PUT')).toBe(2);
	});

	test.each([[500], [503], ['reset']] as const)('a plain create is not repeated after %s', async (kind) => {
		emulator.faults.push({ kind, method: 'POST', path: /\/contacts$/ });
		const client = await acClient(emulator, fast);
		const error = await thrown(() =>
			client.request({ method: 'POST', path: '/contacts', body: { contact: { email: `once-${kind}@example.com` } }, subject: 'the new contact' }),
		);
		expect(error.message).toMatch(kind === 'reset' ? /^The connection to ActiveCampaign was reset \(1 attempt\)$/ : /server error \(HTTP 50\d\) after 1 attempt/);
		expect(requestsTo('/api/3/contacts', 'POST')).toBe(1);
	});

	test('a hung response ends in a timeout error, retried for a GET', async () => {
		emulator.faults.push({ kind: 'hang', path: /\/contacts$/, times: 5 });
		const client = await acClient(emulator, { ...fast, timeoutMs: 300, maxAttempts: 2 });
		const error = await thrown(() => client.request({ method: 'GET', path: '/contacts' }));
		expect(error.message).toBe('ActiveCampaign did not answer within 0.3s (2 attempts)');
		expect(requestsTo('/api/3/contacts')).toBe(2);
	});

	test('truncated JSON on a create is reported, not repeated', async () => {
		emulator.faults.push({ kind: 'truncated', method: 'POST' });
		const client = await acClient(emulator, fast);
		const error = await thrown(() => client.request({ method: 'POST', path: '/contacts', body: { contact: { email: 't@example.com' } } }));
		expect(error.message).toMatch(/unreadable response \(1 attempt\)/);
		expect(error.description).toMatch(/may still have been applied/);
	});
});

describe('policy arithmetic', () => {
	test('Retry-After: seconds, HTTP date, absent or junk', () => {
		const now = Date.parse('2026-11-24T10:00:00Z');
		expect(parseRetryAfter('30', now)).toBe(30_000);
		expect(parseRetryAfter('Tue, 24 Nov 2026 10:00:05 GMT', now)).toBe(5000);
		expect(parseRetryAfter('Tue, 24 Nov 2026 09:59:00 GMT', now)).toBe(0);
		expect(parseRetryAfter(undefined, now)).toBeUndefined();
		expect(parseRetryAfter('soon', now)).toBeUndefined();
	});

	test('backoff: full jitter below a doubling cap', () => {
		expect(backoffDelay(1, DEFAULT_RETRY, () => 0.999)).toBe(499);
		expect(backoffDelay(3, DEFAULT_RETRY, () => 0.5)).toBe(1000);
		expect(backoffDelay(20, DEFAULT_RETRY, () => 0.999)).toBe(19_980);
		expect(backoffDelay(4, DEFAULT_RETRY, () => 0)).toBe(0);
	});
});
