/* eslint-disable @n8n/community-nodes/no-hardcoded-secrets, @typescript-eslint/no-explicit-any -- test code, never shipped: made-up test keys, untyped JSON from requests are fine here */
import { activeCampaignClient } from '../../nodes/ActiveCampaignSync/transport';
import { mailchimpClient } from '../../nodes/MailchimpSync/transport';
import type { ApiClient } from '../../nodes/shared/transport';
import { AC_TEST_KEY, type Emulator, type Fault, MC_TEST_KEY, startEmulator } from '../emulator/server';
import { executeContext } from '../harness/n8n';
import { acClient, mcClient, thrown } from './helpers';

/**
 * Every error path, forced against the emulator: the key must appear nowhere in what a user
 * or a log could see (message, description, the serialised error with its response data).
 */
let emulator: Emulator;
beforeAll(async () => {
	emulator = await startEmulator();
	emulator.mc.addList('aud1', 'Audience');
});
afterAll(() => emulator.stop());
beforeEach(() => {
	emulator.faults = [];
});

const fast = { baseDelayMs: 5, maxDelayMs: 10, maxAttempts: 2, timeoutMs: 300, maxRateLimitWaitMs: 200 };

function expectNoSecret(error: Error & Record<string, any>, secret: string) {
	const base64 = Buffer.from(`n8n:${secret}`).toString('base64');
	const everything = [error.message, error.description, JSON.stringify(error), JSON.stringify(error.errorResponse), String(error.stack), JSON.stringify(error.messages)].join('\n');
	expect(everything).not.toContain(secret);
	expect(everything).not.toContain(base64);
	expect(everything).not.toContain(secret.slice(0, 20));
}

type Case = [name: string, fault: Fault | undefined, expected: RegExp];
const faultCases: Case[] = [
	['404', undefined, /could not find contact 999999/],
	['422 echoing the key', { kind: 'echo-secret' }, /rejected contact 999999/],
	['429 exhausted', { kind: 429, retryAfter: '0', times: 1000 }, /rate limit still exceeded/],
	['500 exhausted', { kind: 500, times: 5 }, /server error \(HTTP 500\)/],
	['reset', { kind: 'reset', times: 5 }, /was reset/],
	['timeout', { kind: 'hang', times: 5 }, /did not answer within/],
	['truncated', { kind: 'truncated', times: 5 }, /unreadable response/],
];

describe('ActiveCampaign errors never carry the key', () => {
	test.each(faultCases)('%s', async (_name, fault, expected) => {
		if (fault) emulator.faults.push(fault);
		const client = await acClient(emulator, fast);
		const error = await thrown(() => client.request({ method: 'GET', path: '/contacts/999999', subject: 'contact 999999' }));
		expect(error.message).toMatch(expected);
		expectNoSecret(error, AC_TEST_KEY);
	});

	test('403: a rejected key says reset or rotated, without the key', async () => {
		const badKey = 'ac-rotated-key-aaaabbbbccccddddeeeeffff00001111';
		const client = await acClient(emulator, fast, badKey);
		const error = await thrown(() => client.request({ method: 'GET', path: '/contacts' }));
		expect(error.message).toMatch(/ActiveCampaign rejected the API key.*reset or rotated/);
		expect(error.httpCode).toBe('403');
		expectNoSecret(error, badKey);
	});

	test('402: a payment issue is named as such', async () => {
		const billing = await startEmulator({ acPaymentRequired: true });
		try {
			const client = await acClient(billing, fast);
			const error = await thrown(() => client.request({ method: 'GET', path: '/contacts' }));
			expect(error.message).toMatch(/payment issue/);
			expectNoSecret(error, AC_TEST_KEY);
		} finally {
			await billing.stop();
		}
	});

	test('a bad API URL is refused before any request, without the key', async () => {
		const ctx = await executeContext({ activeCampaignSyncApi: { apiUrl: 'ftp://acme.api-us1.com', apiKey: AC_TEST_KEY } });
		const error = await thrown(() => activeCampaignClient(ctx));
		expect(error.message).toMatch(/must start with https/);
		expectNoSecret(error, AC_TEST_KEY);
	});
});

describe('Mailchimp errors never carry the key', () => {
	const mcCases: Case[] = faultCases.map(([name, fault, expected]) => [
		name,
		fault,
		name === '404' ? /could not find member 999999/ : name === '422 echoing the key' ? /rejected member 999999/ : expected,
	]);

	test.each(mcCases)('%s', async (_name, fault, expected) => {
		if (fault) emulator.faults.push(fault);
		const client: ApiClient = await mcClient(emulator, fast);
		const error = await thrown(() => client.request({ method: 'GET', path: '/lists/aud1/members/999999', subject: 'member 999999' }));
		expect(error.message).toMatch(expected);
		expectNoSecret(error, MC_TEST_KEY);
	});

	test('401: a rejected key says rotated, without the key', async () => {
		const badKey = 'ffffeeeeddddccccbbbbaaaa99998888-us18';
		const client = await mcClient(emulator, fast, badKey);
		const error = await thrown(() => client.request({ method: 'GET', path: '/ping' }));
		expect(error.message).toMatch(/Mailchimp rejected the API key/);
		expectNoSecret(error, badKey);
	});

	test('a key without a datacenter is refused before any request, without the key', async () => {
		const key = '0123456789abcdef0123456789abcdef';
		const ctx = await executeContext({ mailchimpSyncApi: { apiKey: key } });
		const error = await thrown(() => mailchimpClient(ctx));
		expect(error.message).toMatch(/no datacenter suffix/);
		expectNoSecret(error, key);
	});
});
