import { sleep } from 'n8n-workflow';

import { WindowPacer } from '../../nodes/shared/pacing';

/**
 * Several processes on one account, each with its own pacer (queue-mode workers share nothing),
 * over minutes of simulated time (jest's fake clock: the pacers' sleeps, `performance.now()` and
 * `Date.now()` all follow it). The account is modelled by the rule the emulator and ActiveCampaign
 * apply: at most 5 requests accepted in any rolling second, refused requests not counted, a 429
 * with Retry-After 1 s. Every request reaches the account 1 to 4 ms after the pacer lets it start,
 * now and then much later (a busy machine). Bounds only, never ideals: the pacers use randomness.
 */
const LIMIT = 5;
const LATENCY_MS = 80;

/** The account's rule: LIMIT requests accepted in any rolling second, refused ones not counted. Returns whether a request arriving now is accepted. */
function account(): () => boolean {
	const window: number[] = [];
	return () => {
		const at = Date.now();
		while (window.length && window[0] <= at - 1000) window.shift();
		if (window.length >= LIMIT) return false;
		window.push(at);
		return true;
	};
}

interface Result {
	accepted: number[];
	refused: number;
	seconds: number;
}

async function simulate(processes: number, seconds: number): Promise<Result> {
	const accepted = Array.from({ length: processes }, () => 0);
	let refused = 0;
	const started = Date.now();
	const until = started + seconds * 1000;
	const arrive = account();
	const delay = () => 1 + Math.random() * 3 + (Math.random() < 0.05 ? -Math.log(1 - Math.random()) * 25 : 0);
	const worker = async (pacer: WindowPacer, index: number) => {
		while (Date.now() < until) {
			const release = await pacer.acquire();
			await sleep(delay());
			if (!arrive()) {
				refused++;
				release('throttled');
				// The transport waits out Retry-After with every caller of the account in the process.
				pacer.pauseFor(1000);
				continue;
			}
			await sleep(LATENCY_MS);
			release('success');
			accepted[index]++;
		}
	};
	const runs = Array.from({ length: processes }, async (_, index) => {
		// Processes start within a second and a half of each other.
		await sleep(Math.random() * 1500);
		const pacer = new WindowPacer(LIMIT);
		// Each process keeps 5 requests waiting, as a node's concurrent pages or items do.
		await Promise.all(Array.from({ length: LIMIT }, () => worker(pacer, index)));
	});
	let finished = false;
	const all = Promise.all(runs).then(() => (finished = true));
	while (!finished) await jest.advanceTimersByTimeAsync(1000);
	await all;
	return { accepted, refused, seconds };
}

beforeEach(() => jest.useFakeTimers({ doNotFake: ['nextTick', 'queueMicrotask'] }));
afterEach(() => jest.useRealTimers());

test('three uncoordinated processes on one account use most of its rate with few 429s, and share it', async () => {
	for (let run = 0; run < 3; run++) {
		const { accepted, refused, seconds } = await simulate(3, 180);
		const total = accepted.reduce((a, b) => a + b, 0);
		// Issue 18 asks for 85% of the rate and at most 5% 429s, measured by the bench; here, bounds with room for chance.
		expect(total / seconds / LIMIT).toBeGreaterThanOrEqual(0.75);
		expect(refused / (total + refused)).toBeLessThanOrEqual(0.08);
		// The smaller share goes round: no process is left with a small part of the account.
		for (const part of accepted) expect(part / total).toBeGreaterThanOrEqual(0.2);
	}
});

/** One request through `pacer` until the account accepts it; a 429 is waited out as the transport does (Retry-After 1 s). */
async function sendUntilAccepted(pacer: WindowPacer, arrive: () => boolean): Promise<void> {
	for (;;) {
		const release = await pacer.acquire();
		await sleep(1 + Math.random() * 3);
		if (!arrive()) {
			release('throttled');
			pacer.pauseFor(1000);
			continue;
		}
		await sleep(LATENCY_MS);
		release('success');
		return;
	}
}

/** Processes with equal work (`requests` each), started within 1.5 s: seconds between the first and the last to finish. */
async function finishGap(processes: number, requests: number): Promise<number> {
	const arrive = account();
	const runs = Array.from({ length: processes }, async () => {
		await sleep(Math.random() * 1500);
		const pacer = new WindowPacer(LIMIT);
		let left = requests;
		const worker = async () => {
			while (left > 0) {
				left--;
				await sendUntilAccepted(pacer, arrive);
			}
		};
		await Promise.all(Array.from({ length: LIMIT }, worker));
		return Date.now();
	});
	let finished = false;
	const all = Promise.all(runs).then((ends) => {
		finished = true;
		return ends;
	});
	while (!finished) await jest.advanceTimersByTimeAsync(1000);
	const ends = await all;
	return (Math.max(...ends) - Math.min(...ends)) / 1000;
}

test('three processes with equal work finish close together: the one given the most so far takes the smaller share, so none runs on alone at its old share while the account idles', async () => {
	// The bench's 3-process reading scenario: 101 requests each, about 70 s. The gap of one run varies
	// a lot (now and then 40 s or more, before and after), so the test takes the median of 30 runs:
	// 8.8 to 16.7 s in 25 tries with the rounds' order by rounds since the last 429 (4141ec1: an early
	// lead was never undone), 3.7 to 4.7 s in 25 tries with the order by what each process was given.
	const gaps: number[] = [];
	for (let run = 0; run < 30; run++) gaps.push(await finishGap(3, 101));
	gaps.sort((a, b) => a - b);
	expect((gaps[14] + gaps[15]) / 2).toBeLessThan(7);
});

/** A process busy alone on the account for 300 s, then a newcomer with 400 requests: the newcomer's seconds from its start to its last answer. */
async function newcomerSeconds(): Promise<number> {
	const arrive = account();
	let oldDone = false;
	const send = (pacer: WindowPacer) => sendUntilAccepted(pacer, arrive);
	const old = (async () => {
		const pacer = new WindowPacer(LIMIT);
		await Promise.all(
			Array.from({ length: LIMIT }, async () => {
				while (!oldDone) await send(pacer);
			}),
		);
	})();
	const newcomer = (async () => {
		await sleep(300_000);
		const pacer = new WindowPacer(LIMIT);
		const started = Date.now();
		let left = 400;
		await Promise.all(
			Array.from({ length: LIMIT }, async () => {
				while (left > 0) {
					left--;
					await send(pacer);
				}
			}),
		);
		oldDone = true;
		return (Date.now() - started) / 1000;
	})();
	let finished = false;
	const all = Promise.all([newcomer, old]).then(([seconds]) => {
		finished = true;
		return seconds;
	});
	while (!finished) await jest.advanceTimersByTimeAsync(1000);
	return all;
}

test('a process that had the account to itself for minutes makes room for a newcomer: the newcomer gets about half the account', async () => {
	// 32 runs of 300 s alone, then 400 requests of a newcomer. Mean seconds the newcomer took, in 6
	// tries each: 233 to 246 when "alone" was judged on the whole busy spell (the old process stayed
	// "alone", asked first and took back what the newcomer was refused, for about 150 s), 190 to 203
	// when it is judged on the last 2 rounds too.
	const runs: number[] = [];
	for (let run = 0; run < 32; run++) runs.push(await newcomerSeconds());
	expect(runs.reduce((a, b) => a + b, 0) / runs.length).toBeLessThan(218);
}, 120_000);

test('one process alone reaches nearly the full limit, with a 429 now and then only from the late arrivals', async () => {
	const { accepted, refused, seconds } = await simulate(1, 60);
	expect(refused).toBeLessThanOrEqual(6);
	// The window's safety margin and the start (2 requests per window, one more each window) cost a
	// little; each 429 costs more (a second's pause, then one request fewer per window until a probe).
	// Measured over 150 runs (21:25 UTC, 4 December): 0.86 on average, 0.77 at worst (two 429s), so
	// 0.8 failed about 1 run in 25; 0.72 still fails a pacer that stays down after a 429.
	expect(accepted[0] / seconds / LIMIT).toBeGreaterThanOrEqual(0.72);
});

describe('a window pacer, step by step (fake clock from 0: rounds start at whole seconds)', () => {
	const windowMs = 100;
	/** Acquires a slot (letting the fake clock run while the pacer waits) and reports how the request ended. */
	async function send(pacer: WindowPacer, outcome: 'success' | 'throttled'): Promise<void> {
		let release: ((o: 'success' | 'throttled') => void) | undefined;
		void pacer.acquire().then((r) => (release = r));
		for (let i = 0; i < 200 && !release; i++) await jest.advanceTimersByTimeAsync(5);
		release!(outcome);
	}

	beforeEach(() => jest.useFakeTimers({ now: 0, doNotFake: ['nextTick', 'queueMicrotask'] }));

	test('starts at 2 of 5, climbs one request per 2 quiet windows to the limit; alone, it gives one back at each round start and takes it again', async () => {
		const pacer = new WindowPacer(5, windowMs, 0);
		expect(pacer.pace).toBe(2);
		const seen: number[] = [];
		while (Date.now() < 3500) {
			await send(pacer, 'success');
			seen.push(pacer.pace);
		}
		const atLimit = seen.slice(seen.indexOf(5));
		expect(atLimit.length).toBeGreaterThan(0);
		// Round starts at 1 s, 2 s and 3 s: one request per window given back for about a window, never more.
		expect(Math.min(...atLimit)).toBe(4);
		expect(atLimit.filter((p) => p === 5).length).toBeGreaterThan(atLimit.length / 2);
		expect(pacer.pace).toBe(5);
	});

	test('its first 429 while climbing halves it; a later one keeps at most the requests the server accepted in the window, one fewer at least; one episode counts once; never below 1', async () => {
		const pacer = new WindowPacer(5, windowMs, 0);
		for (let i = 0; i < 50 && pacer.pace < 4; i++) await send(pacer, 'success');
		const climbed = pacer.pace;
		expect(climbed).toBe(4);
		await send(pacer, 'throttled');
		expect(pacer.pace).toBeLessThanOrEqual(Math.ceil(climbed / 2));
		// A request that started before the next decrease and is refused too: the same episode.
		let late: ((o: 'success' | 'throttled') => void) | undefined;
		void pacer.acquire().then((r) => (late = r));
		await jest.advanceTimersByTimeAsync(0);
		const before = pacer.pace;
		await send(pacer, 'throttled');
		const after = pacer.pace;
		expect(after).toBe(Math.max(1, before - 1));
		late!('throttled');
		expect(pacer.pace).toBe(after);
		for (let i = 0; i < 5; i++) await send(pacer, 'throttled');
		expect(pacer.pace).toBe(1);
	});

	test('alone, after one 429 episode (two requests refused at once, a late arrival), the episode spends probe credit once: it probes again and climbs back within 2 rounds', async () => {
		const pacer = new WindowPacer(5, windowMs, 0);
		for (let i = 0; i < 50 && pacer.pace < 5; i++) await send(pacer, 'success');
		for (let i = 0; i < 5; i++) await send(pacer, 'success');
		// Two requests in flight when the first 429 comes: one episode.
		const releases: Array<(o: 'success' | 'throttled') => void> = [];
		void pacer.acquire().then((r) => releases.push(r));
		void pacer.acquire().then((r) => releases.push(r));
		for (let i = 0; i < 200 && releases.length < 2; i++) await jest.advanceTimersByTimeAsync(5);
		// Both answered a latency later.
		await jest.advanceTimersByTimeAsync(20);
		releases[0]('throttled');
		releases[1]('throttled');
		const after429 = pacer.pace;
		expect(after429).toBeLessThan(5);
		const since = Date.now();
		// Alone: every request succeeds from now on. Within 2 rounds (20 windows) it is back near the limit.
		while (Date.now() < since + 20 * windowMs) await send(pacer, 'success');
		expect(pacer.pace).toBeGreaterThanOrEqual(4);
	});

	test('refused again and again at one request per window (another process took its place), it asks again only from the next round, when the order corrects that: each attempt before would be one 429 more', async () => {
		const pacer = new WindowPacer(5, windowMs, 0);
		await send(pacer, 'success');
		// Refused at every attempt; the transport waits out Retry-After (a window here) each time.
		for (let i = 0; i < 3; i++) {
			await send(pacer, 'throttled');
			pacer.pauseFor(windowMs);
		}
		expect(pacer.pace).toBe(1);
		const nextRound = Math.ceil((Date.now() + 1) / 1000) * 1000;
		expect(nextRound - Date.now()).toBeGreaterThan(3 * windowMs);
		let granted = -1;
		void pacer.acquire().then((release) => {
			granted = Date.now();
			release('success');
		});
		for (let i = 0; i < 400 && granted < 0; i++) await jest.advanceTimersByTimeAsync(5);
		expect(granted).toBeGreaterThanOrEqual(nextRound);
	});

	test('after a 429 it plays rounds: at a round start a share above 1 gives one request per window back and asks for it again within the round', async () => {
		const pacer = new WindowPacer(5, windowMs, 0);
		for (let i = 0; i < 50 && pacer.pace < 5; i++) await send(pacer, 'success');
		// At the limit, with its window full of accepted requests: a 429 leaves it more than 1.
		for (let i = 0; i < 5; i++) await send(pacer, 'success');
		await send(pacer, 'throttled');
		const share = pacer.pace;
		expect(share).toBeGreaterThanOrEqual(2);
		expect(Date.now()).toBeLessThan(1000 - 2 * windowMs);
		// Run to the next round start (a whole second of the wall clock), then through its first windows.
		while (Date.now() < 1000) await send(pacer, 'success');
		const early: number[] = [];
		while (Date.now() < 1000 + windowMs / 2) {
			await send(pacer, 'success');
			early.push(pacer.pace);
		}
		while (Date.now() < 1000 + 2.5 * windowMs) await send(pacer, 'success');
		expect(Math.min(...early)).toBe(share - 1);
		expect(pacer.pace).toBeGreaterThanOrEqual(share);
	});
});
