/* eslint-disable @n8n/community-nodes/no-restricted-globals -- test code, never shipped: Node globals are fine here */
import { sharedPacer } from '../../nodes/shared/pacing';
import { type Emulator, startEmulator } from '../emulator/server';
import { acClient } from './helpers';

let emulator: Emulator;
beforeAll(async () => {
	emulator = await startEmulator();
	emulator.ac.addContact({ email: 'p@example.com' });
});
afterAll(() => emulator.stop());
beforeEach(() => {
	emulator.resetCounts();
	emulator.faults = [];
});

test('Retry-After pauses every caller of the account, also the ones already queued for a slot', async () => {
	// 12 callers: the first 5 start at once, the rest queue for the next second. One answer of that
	// first burst is a 429 with Retry-After 2: none of the queued callers may reach the API in the 2 s after it.
	emulator.faults.push({ kind: 429, path: /\/contacts\/\d+$/, retryAfter: '2' });
	const client = await acClient(emulator);
	const contact = [...emulator.ac.contacts.values()][0];
	await Promise.all(Array.from({ length: 12 }, () => client.request({ method: 'GET', path: `/contacts/${contact.id}` })));
	const throttled = emulator.log.find((l) => l.status === 429)!;
	expect(emulator.log.indexOf(throttled)).toBeLessThan(5);
	const queued = emulator.log.slice(5);
	expect(queued.filter((l) => l.at < throttled.at + 2000)).toEqual([]);
	expect(emulator.log.filter((l) => l.status === 200)).toHaveLength(12);
});

test('pacing follows a monotonic clock: the wall clock jumping back an hour does not stall it', async () => {
	const pacer = sharedPacer('window', `clock-test:${emulator.url}`, 5);
	for (let i = 0; i < 5; i++) (await pacer.acquire())();
	const realNow = Date.now.bind(Date);
	const spy = jest.spyOn(Date, 'now').mockImplementation(() => realNow() - 3_600_000);
	try {
		const started = performance.now();
		const sixth = pacer.acquire().then(() => performance.now() - started);
		const waited = await Promise.race([sixth, new Promise<number>((r) => setTimeout(() => r(Number.POSITIVE_INFINITY), 5000).unref())]);
		expect(waited).toBeLessThan(5000);
	} finally {
		spy.mockRestore();
	}
});
