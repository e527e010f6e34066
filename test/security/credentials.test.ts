/* eslint-disable @n8n/community-nodes/no-hardcoded-secrets -- test code, never shipped: made-up test keys are fine here */
import { type Emulator, type Fault, startEmulator } from '../emulator/server';
import { runNode } from '../nodes/workflow';

/**
 * The ActiveCampaign credential as a run hands it to every request (httpRequestWithAuthentication's
 * credentialsDecrypted), through n8n's engine: the key never reaches an item, an error or the run
 * data (runNode checks every run for it), also a key made of regular-expression metacharacters, on
 * every kind of failure; and a credential changed between two runs is the one the next run uses.
 */
let emulator: Emulator;
// Characters that mean something to a regular expression, a URL or JSON, in one key.
const ODD_KEY = 'ac.*+?^$(){}[]|\\/%"key-0f1e2d3c4b5a6978';
const NEW_KEY = 'ac-rotated-new-key-0123456789abcdef0123456789abcdef';
const ac = (apiKey: string, options: { continueOnFail?: boolean } = {}) =>
	runNode(emulator, 'activeCampaign', { resource: 'contact', operation: 'getAll', returnAll: true, limits: { requestsPerSecond: 1000, maxAttempts: 2, maxWaitSeconds: 1, timeoutSeconds: 1 } } as never, [{}], {
		...options,
		apiKey,
	});

beforeAll(async () => {
	emulator = await startEmulator({ acRatePerSecond: 1000, acKeys: [ODD_KEY, NEW_KEY] });
	emulator.ac.addContact({ email: 'someone@example.com' });
});
afterAll(() => emulator.stop());
beforeEach(() => {
	emulator.faults = [];
	emulator.resetCounts();
});

const FAULTS: Array<[string, Fault, RegExp]> = [
	['a 422 repeating the key it was sent', { kind: 'echo-secret' }, /rejected/],
	['a 500 on every attempt', { kind: 500, times: 5 }, /server error \(HTTP 500\)/],
	['the connection reset on every attempt', { kind: 'reset', times: 5 }, /reset/],
	['no answer within the timeout', { kind: 'hang', times: 5 }, /did not answer within/],
];

describe('a key made of metacharacters never leaks, whatever the failure', () => {
	test.each(FAULTS)('%s: the run fails, naming the failure, without the key', async (_name, fault, expected) => {
		emulator.faults.push(fault);
		const run = await ac(ODD_KEY);
		expect(run.error?.message).toMatch(expected);
		expect(JSON.stringify(run.error)).not.toContain('0f1e2d3c4b5a6978');
	});

	test.each(FAULTS)('%s, under Continue On Fail: the error item names the failure, without the key', async (_name, fault, expected) => {
		emulator.faults.push(fault);
		const run = await ac(ODD_KEY, { continueOnFail: true });
		expect(run.json).toHaveLength(1);
		expect(String(run.json[0].error)).toMatch(expected);
		expect(JSON.stringify(run.json)).not.toContain('0f1e2d3c4b5a6978');
	});

	test('with no fault the key works as it is (nothing in it escaped or cut)', async () => {
		const run = await ac(ODD_KEY);
		expect(run.error).toBeUndefined();
		expect(run.json.map((j) => j.email)).toEqual(['someone@example.com']);
	});
});

describe('a credential changed between runs', () => {
	test('the next run uses the new key, and a key rotated out is refused again, in one process', async () => {
		const old = 'ac-rotated-old-key-fedcba9876543210fedcba9876543210';
		const before = await ac(old);
		expect(before.error?.message).toMatch(/rejected the API key/);
		const after = await ac(NEW_KEY);
		expect(after.error).toBeUndefined();
		expect(after.json.map((j) => j.email)).toEqual(['someone@example.com']);
		const again = await ac(old);
		expect(again.error?.message).toMatch(/rejected the API key/);
	});
});
