import { sleep } from 'n8n-workflow';

import { WindowPacer } from '../../nodes/shared/pacing';

/**
 * An account allowed more than ActiveCampaign's documented 5 requests/s (the node's Requests per
 * Second option; the soak runs one at 50): a fresh pacer must reach that limit about as fast as it
 * reaches 5, not 10 times slower. jest's fake clock: the pacer's sleeps, `performance.now()` and
 * `Date.now()` all follow it, so these are counts of windows, not timings of a busy machine.
 */
beforeEach(() => jest.useFakeTimers({ now: 0, doNotFake: ['nextTick', 'queueMicrotask'] }));
afterEach(() => jest.useRealTimers());

/** Windows a fresh pacer alone takes to reach its limit, every request answered. */
async function windowsToLimit(limit: number, windowMs: number): Promise<number> {
	const pacer = new WindowPacer(limit, windowMs, 0);
	const started = Date.now();
	while (pacer.pace < limit && Date.now() - started < 200 * windowMs) {
		let release: ((o: 'success') => void) | undefined;
		void pacer.acquire().then((r) => (release = r));
		for (let i = 0; i < 200 && !release; i++) await jest.advanceTimersByTimeAsync(1);
		release!('success');
	}
	return (Date.now() - started) / windowMs;
}

test('a fresh pacer allowed 50 requests per window climbs to its limit in about as many windows as one allowed 5', async () => {
	const five = await windowsToLimit(5, 50);
	const fifty = await windowsToLimit(50, 50);
	expect(five).toBeLessThanOrEqual(10);
	// Before, one request more per 2 windows: 20 of 50 at the start took 60 windows to reach 50.
	expect(fifty).toBeLessThanOrEqual(2 * five);
});

test('one process alone on an account allowed 50 requests/s sends nearly 50 a second within its first half minute', async () => {
	const limit = 50;
	const window: number[] = [];
	let accepted = 0;
	let refused = 0;
	const seconds = 30;
	const until = seconds * 1000;
	const worker = async (pacer: WindowPacer) => {
		while (Date.now() < until) {
			const release = await pacer.acquire();
			await sleep(1 + Math.random() * 3);
			const at = Date.now();
			while (window.length && window[0] <= at - 1000) window.shift();
			if (window.length >= limit) {
				refused++;
				release('throttled');
				pacer.pauseFor(1000);
				continue;
			}
			window.push(at);
			await sleep(80);
			release('success');
			accepted++;
		}
	};
	const pacer = new WindowPacer(limit);
	let finished = false;
	// Pages fetched 50 at a time, as the transport's pagination does under this pacer.
	const all = Promise.all(Array.from({ length: limit }, () => worker(pacer))).then(() => (finished = true));
	while (!finished) await jest.advanceTimersByTimeAsync(1000);
	await all;
	expect(refused).toBeLessThanOrEqual(3);
	// The safety margin per window (60 ms) and a climb of about 6 windows cost a little. Before: 20
	// requests per window at the start, one more per 2 windows, about 65 % over these 30 s.
	expect(accepted / seconds / limit).toBeGreaterThanOrEqual(0.85);
});
