/* eslint-disable @n8n/community-nodes/no-hardcoded-secrets -- test code, never shipped: made-up test keys are fine here */
import { AC_TEST_KEY, type Emulator, MC_TEST_KEY, startEmulator } from '../emulator/server';
import { testCredential } from '../harness/n8n';

let emulator: Emulator;
beforeAll(async () => {
	emulator = await startEmulator();
});
afterAll(() => emulator.stop());

const BAD_AC_KEY = 'ac-bad-key-6c1b9f0e2d3a4b5c6d7e8f9a0b1c2d3e';
const BAD_MC_KEY = 'ffffeeeeddddccccbbbbaaaa99998888-us18';

describe('ActiveCampaign Sync API credential test', () => {
	test('a good key passes, and the test called /api/3/users/me with Api-Token', async () => {
		const result = await testCredential('activeCampaignSyncApi', { apiUrl: `${emulator.url}/api/3/`, apiKey: AC_TEST_KEY });
		expect(result).toEqual({ status: 'OK', message: 'Connection successful!' });
		expect(emulator.count('GET /api/3/users/me')).toBeGreaterThanOrEqual(1);
	});

	test('a rejected key fails with the reset/rotated message, without the key', async () => {
		const result = await testCredential('activeCampaignSyncApi', { apiUrl: emulator.url, apiKey: BAD_AC_KEY });
		expect(result.status).toBe('Error');
		expect(result.message).toMatch(/ActiveCampaign did not accept this API URL and key.*reset or rotated.*Settings > Developer/);
		expect(JSON.stringify(result)).not.toContain(BAD_AC_KEY);
	});

	test('an account with a payment issue is named as such', async () => {
		const billing = await startEmulator({ acPaymentRequired: true });
		try {
			const result = await testCredential('activeCampaignSyncApi', { apiUrl: billing.url, apiKey: AC_TEST_KEY });
			expect(result).toEqual({ status: 'Error', message: expect.stringMatching(/account with a payment issue/) });
		} finally {
			await billing.stop();
		}
	});

	test('a plain-http public URL is refused before any request', async () => {
		emulator.resetCounts();
		const result = await testCredential('activeCampaignSyncApi', { apiUrl: 'http://acme.api-us1.com', apiKey: AC_TEST_KEY });
		expect(result.status).toBe('Error');
		expect(result.message).toMatch(/must use https/);
		expect(result.message).not.toContain(AC_TEST_KEY);
	});
});

describe('Mailchimp Sync API credential test', () => {
	const override = () => ({ useCustomBaseUrl: true, baseUrl: emulator.mcBaseUrl });

	test('a wrong base URL (no Mailchimp there) is named', async () => {
		const result = await testCredential('mailchimpSyncApi', { apiKey: MC_TEST_KEY, useCustomBaseUrl: true, baseUrl: `${emulator.url}/not-mailchimp` });
		expect(result).toEqual({ status: 'Error', message: expect.stringMatching(/did not answer the ping.*base URL/) });
	});

	test('a good key passes against /ping', async () => {
		emulator.resetCounts();
		const result = await testCredential('mailchimpSyncApi', { apiKey: MC_TEST_KEY, ...override() });
		expect(result).toEqual({ status: 'OK', message: 'Connection successful!' });
		expect(emulator.count('GET /3.0/ping')).toBe(1);
	});

	test('a rejected key fails with the rotated-key message, without the key', async () => {
		const result = await testCredential('mailchimpSyncApi', { apiKey: BAD_MC_KEY, ...override() });
		expect(result.status).toBe('Error');
		expect(result.message).toMatch(/Mailchimp rejected the API key.*Account > Extras > API keys/);
		expect(JSON.stringify(result)).not.toContain(BAD_MC_KEY);
	});

	test('a key without a datacenter suffix gets a clear message and no request is made', async () => {
		emulator.resetCounts();
		const keyWithoutDc = '0123456789abcdef0123456789abcdef';
		const result = await testCredential('mailchimpSyncApi', { apiKey: keyWithoutDc, ...override() });
		expect(result.status).toBe('Error');
		expect(result.message).toMatch(/no datacenter suffix/);
		expect(result.message).not.toContain(keyWithoutDc);
		expect(emulator.log).toHaveLength(0);
	});
});
