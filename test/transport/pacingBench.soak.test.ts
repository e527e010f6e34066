/* eslint-disable @n8n/community-nodes/no-restricted-globals -- a soak test: SIM_RUNS from the environment */
import { sleep } from 'n8n-workflow';

import { WindowPacer } from '../../nodes/shared/pacing';
import { seeded } from '../emulator/random';

/**
 * The bench's "3 processes on one account, each reading 10,000 contacts" (tools/bench/processes.ts,
 * issue 18 §4) in simulated time, many times over, to see the spread of its figures rather than one
 * draw: each process has 101 pages to read, 5 in flight, through its own WindowPacer; the account
 * accepts 5 requests in any rolling second (refused ones not counted) and answers 429 with
 * Retry-After 1 s, as the emulator does; 80 ms latency; a request reaches the account 1 to 4 ms
 * after its start, and one in 20 later (a busy machine). Processes start within 1.5 s of each other.
 *
 * It prints, over the runs, the account's rate and 429 share as the bench counts them (accepted per
 * second from the first to the last request), how far apart the processes finish, and where the
 * rate is lost: the first 10 s, the middle, and the tail (from the first process done to the last).
 * Runs with `npm run test:soak` (a second or so); SIM_RUNS changes the number of runs.
 *
 * Measured at 20:00 UTC on 4 December with the pacer as landed then: 84.6 % of the rate on average
 * (71 to 91 %), 4.5 % 429s (3 to 9 %), finishes 13 s apart on average, and half the runs missing
 * 85 % / 5 %, close to the real bench's runs of the same day (83 to 89 %, 3 to 8 %). Half the rate
 * lost is lost in the tail. With the rounds' order by requests given since the busy spell began
 * and probes on credit only for a process given 0.4 of the limit (23:05 UTC, 1,000 runs): 87.0 %
 * and 3.6 % on average, finishes 4.8 s apart, 9 to 13 % of the runs missing 85 % / 5 % (over
 * several draws of 800 to 1,000 runs); upserting 87.9 % and 3.4 %, 4.6 % missing. The bounds below
 * guard the earlier level.
 *
 * Options (environment): SIM_RUNS (runs), SIM_SCENARIO=upsert (the bench's upserting scenario:
 * 200 requests per process, 5 items at a time), SIM_REQUESTS and SIM_PROCESSES (other shapes;
 * SIM_PROCESSES=1 is a lone process), SIM_SEED=n (every random draw, the pacers' too, from a
 * seeded generator and a fixed start time, so two variants of the pacer meet the same draws), and
 * SIM_TRACE=n (each process's accepted requests and 429s per 10-second round, for the first n runs;
 * with SIM_REFUSALS=1 also each 429, when in its round it came and the process's share), and
 * SIM_LATENCY (ms, 80 by default; `npm run test:queue`'s emulator answers in 20), and SIM_TRACE_MISSES=1
 * (the same per-round table, with the run's rate and 429 share, for every run that misses 85 % / 5 %).
 */
const LIMIT = 5;
const LATENCY_MS = Number(process.env.SIM_LATENCY ?? 80);
/** SIM_SCENARIO=upsert: the bench's upserting scenario (200 requests per process, 5 items at a time). */
const SCENARIO = process.env.SIM_SCENARIO === 'upsert' ? 'upsert' : 'read';
const PAGES = Number(process.env.SIM_REQUESTS ?? (SCENARIO === 'upsert' ? 200 : 101));
const PROCESSES = Number(process.env.SIM_PROCESSES ?? 3);
/** SIM_START_SPREAD: processes start within this many ms of each other (1,500 by default). */
const START_SPREAD_MS = Number(process.env.SIM_START_SPREAD ?? 1500);
/** SIM_TRACE=1 prints, for the first runs, each process's accepted requests and 429s per 10-second round. */
const TRACE = Number(process.env.SIM_TRACE ?? 0);
/** SIM_SEED=n draws every random number (the pacers' too) from a seeded generator, so variants meet the same draws. */
const SEED = process.env.SIM_SEED === undefined ? undefined : Number(process.env.SIM_SEED);

interface Run {
	rate: number;
	share429: number;
	/** Seconds between the first and the last process to finish. */
	spread: number;
	/** Requests' worth of the account's rate unused: first 10 s, middle, tail. */
	lost: [number, number, number];
	/** 429s in the same three parts. */
	refused: [number, number, number];
}

/** Whether a run misses issue 18's bounds: under 85 % of the rate, or over 5 % of requests answered 429. */
const misses = (r: Pick<Run, 'rate' | 'share429'>): boolean => r.rate < 0.85 || r.share429 > 0.05;

async function threeReaders(trace = false): Promise<Run> {
	const window: number[] = [];
	const arrivals: Array<{ at: number; ok: boolean; p: number }> = [];
	const arrive = (p: number): boolean => {
		const at = Date.now();
		while (window.length && window[0] <= at - 1000) window.shift();
		const ok = window.length < LIMIT;
		if (ok) window.push(at);
		arrivals.push({ at, ok, p });
		return ok;
	};
	const delay = () => 1 + Math.random() * 3 + (Math.random() < 0.05 ? -Math.log(1 - Math.random()) * 25 : 0);
	const processes = Array.from({ length: PROCESSES }, (_, p) => p).map(async (p) => {
		await sleep(Math.random() * START_SPREAD_MS);
		const pacer = new WindowPacer(LIMIT);
		let left = PAGES;
		const worker = async () => {
			while (left > 0) {
				left--;
				for (;;) {
					const release = await pacer.acquire();
					await sleep(delay());
					if (!arrive(p)) {
						// eslint-disable-next-line no-console
						if (trace && process.env.SIM_REFUSALS) console.log(`p${p} refused ${((Date.now() % 10_000) / 1000).toFixed(3)} s into round ${Math.floor(Date.now() / 10_000) % 1000}, share ${pacer.pace}`);
						await sleep(LATENCY_MS / 2);
						release('throttled');
						pacer.pauseFor(1000);
						continue;
					}
					await sleep(LATENCY_MS + Math.random() * 10);
					release('success');
					break;
				}
			}
		};
		await Promise.all(Array.from({ length: LIMIT }, worker));
		return Date.now();
	});
	let done = false;
	const all = Promise.all(processes).then((ends) => {
		done = true;
		return ends;
	});
	while (!done) await jest.advanceTimersByTimeAsync(500);
	const ends = await all;
	const first = arrivals[0].at;
	const last = arrivals[arrivals.length - 1].at;
	const accepted = arrivals.filter((a) => a.ok).length;
	const lostIn = (from: number, to: number) => (LIMIT * (to - from)) / 1000 - arrivals.filter((a) => a.ok && a.at >= from && a.at < to).length;
	const firstDone = Math.min(...ends);
	const refusedIn = (from: number, to: number) => arrivals.filter((a) => !a.ok && a.at >= from && a.at < to).length;
	const rate = accepted / ((last - first) / 1000) / LIMIT;
	const share429 = (arrivals.length - accepted) / arrivals.length;
	if (trace || (process.env.SIM_TRACE_MISSES && misses({ rate, share429 }))) {
		const roundOf = (at: number) => Math.floor(at / 10_000);
		const rounds = roundOf(last) - roundOf(first) + 1;
		const lines = Array.from({ length: PROCESSES }, (_, p) => {
			const cells = Array.from({ length: rounds }, (_, r) => {
				const mine = arrivals.filter((a) => a.p === p && roundOf(a.at) === roundOf(first) + r);
				return `${mine.filter((a) => a.ok).length}/${mine.filter((a) => !a.ok).length}`.padStart(6);
			});
			return `p${p} ${cells.join(' ')}  done +${((ends[p] - first) / 1000).toFixed(1)} s`;
		});
		// eslint-disable-next-line no-console
		console.log(`${(rate * 100).toFixed(1)} % / ${(share429 * 100).toFixed(1)} %: accepted/429 per round (rounds from ${((first % 10_000) / 1000).toFixed(1)} s into one)\n${lines.join('\n')}`);
	}
	return {
		rate,
		share429,
		spread: (Math.max(...ends) - firstDone) / 1000,
		lost: [lostIn(first, first + 10_000), lostIn(first + 10_000, firstDone), lostIn(firstDone, last + 1)],
		refused: [refusedIn(first, first + 10_000), refusedIn(first + 10_000, firstDone), refusedIn(firstDone, last + 1)],
	};
}

beforeEach(() => jest.useFakeTimers({ doNotFake: ['nextTick', 'queueMicrotask'] }));
afterEach(() => jest.useRealTimers());

test(`${PROCESSES} processes sending ${PAGES} requests each (${SCENARIO}) on one account: the spread of the figures over many runs`, async () => {
	const runs: Run[] = [];
	const random = Math.random;
	if (SEED !== undefined) {
		Math.random = seeded(SEED);
		jest.setSystemTime(1_700_000_000_000 + SEED * 1000);
	}
	try {
		for (let i = 0; i < Number(process.env.SIM_RUNS ?? 60); i++) runs.push(await threeReaders(i < TRACE));
	} finally {
		Math.random = random;
	}
	const mean = (f: (r: Run) => number) => runs.reduce((a, r) => a + f(r), 0) / runs.length;
	const pct = (x: number) => `${(x * 100).toFixed(1)} %`;
	const missed = runs.filter(misses).length;
	// eslint-disable-next-line no-console
	console.log(
		[
			`${runs.length} runs: rate ${pct(mean((r) => r.rate))} on average (${pct(Math.min(...runs.map((r) => r.rate)))} to ${pct(Math.max(...runs.map((r) => r.rate)))}),`,
			`429s ${pct(mean((r) => r.share429))} (up to ${pct(Math.max(...runs.map((r) => r.share429)))}); finishes ${mean((r) => r.spread).toFixed(1)} s apart on average;`,
			`requests' worth lost: ${mean((r) => r.lost[0]).toFixed(1)} in the first 10 s, ${mean((r) => r.lost[1]).toFixed(1)} in the middle, ${mean((r) => r.lost[2]).toFixed(1)} in the tail;`,
			`429s: ${mean((r) => r.refused[0]).toFixed(1)} in the first 10 s, ${mean((r) => r.refused[1]).toFixed(1)} in the middle, ${mean((r) => r.refused[2]).toFixed(1)} in the tail;`,
			`${missed} of ${runs.length} miss 85 % / 5 % (${runs.filter((r) => r.rate < 0.85).length} the rate, ${runs.filter((r) => r.share429 > 0.05).length} the 429s).`,
		].join('\n'),
	);
	// Regression bounds around the level measured when this was written (see above), not the target.
	expect(mean((r) => r.rate)).toBeGreaterThanOrEqual(0.8);
	expect(mean((r) => r.share429)).toBeLessThanOrEqual(0.06);
}, 600_000);
