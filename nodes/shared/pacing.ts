import { sleep } from 'n8n-workflow';

/**
 * Pacing before the API complains, adapted to what the API says.
 *
 * A pacer is shared by every execution in the same n8n process (module state), keyed by the
 * account or key it protects. Processes do not talk to each other: in queue mode each worker has
 * its own pacer for the same account. So each pacer adapts its pace to the answers it gets, in
 * the manner of TCP congestion control, AWS SDK's adaptive retry mode and Google's client-side
 * throttling (AIMD: additive increase, multiplicative decrease):
 *
 * - The pace starts at the provider's limit (`limit`): one process alone gets the whole limit.
 * - A 429 (the request is released as `'throttled'`) multiplies the pace by DECREASE (0.5).
 *   429s for requests that started before the last decrease are the same episode of contention
 *   and do not lower it again, so a burst of 429s halves the pace once, not to the floor.
 * - Each success (`'success'`) raises the pace additively, `step * limit / pace`, so the pace
 *   climbs by `step x limit` per window's worth of successes, up to the limit:
 *   - fast (FAST_INCREASE, a tenth of the limit per window) while the pace is below RECOVER (95%)
 *     of the pace at which the last 429 came: that pace was nearly fine, so it is regained in a few
 *     seconds;
 *   - slowly (INCREASE, a five-hundredth of the limit per window) above it, probing for room.
 *     Slow on purpose: with N processes the sum of their paces climbs N times as fast, and each
 *     429 costs a Retry-After pause of that process;
 *   - after QUIET_WINDOWS (30) windows without a 429 the contention is taken to be over, and the
 *     pace climbs fast again up to the limit.
 *   This is AIMD with the plateau of TCP CUBIC (used by AWS SDK's adaptive mode): the processes
 *   sit just below the pace where the API last pushed back, which keeps the sum of their paces
 *   just below the limit most of the time.
 * - The pace never drops below a floor (a tenth of the limit, or one request in flight), so
 *   nothing stalls.
 * - Retry-After (`pauseFor`) pauses every caller of that account in the process, also the
 *   callers already queued for a slot: the queue is served by one loop that checks the pause
 *   before each start.
 *
 * N uncoordinated processes on one account then behave like N TCP flows on one link: whoever is
 * over the limit draws a 429 and halves, the others climb slowly, and together they settle just
 * below the limit, sharing it, with a 429 now and then (each of which is retried; see transport).
 *
 * Two kinds of limit:
 * - WindowPacer: at most `limit` request starts in any `windowMs` (ActiveCampaign: 5 a second).
 *   At the full pace it allows bursts up to that window; below it, starts are spaced
 *   `windowMs / pace` apart.
 * - ConcurrencyPacer: at most `limit` requests in flight (Mailchimp: 10 connections per key);
 *   the adaptive pace is the number of requests allowed in flight (a congestion window).
 *
 * Time is read from a monotonic clock (`performance.now()`), so a wall-clock change (NTP, DST)
 * neither stalls nor unleashes the pacers.
 */

/** How a paced request ended: a 429 lowers the pace, a success raises it, anything else is neutral. */
export type PaceOutcome = 'success' | 'throttled' | 'failed';

/** Called once when the request has finished; later calls are ignored. */
export type Release = (outcome?: PaceOutcome) => void;

export interface Pacer {
	/** Waits for a slot; call the returned function when the request has finished, with its outcome. */
	acquire(): Promise<Release>;
	/** Holds every caller back for `ms` from now, queued ones included: the API asked us to wait. */
	pauseFor(ms: number): void;
	/** Holds every caller back until `until` (epoch ms, as in an HTTP date). */
	pauseUntil(until: number): void;
	/** Largest number of requests worth running at once under this pacer. */
	readonly parallelism: number;
	/** The current adaptive pace: requests per window, or requests in flight. */
	readonly pace: number;
}

/** Multiplicative decrease on a 429. */
export const DECREASE = 0.5;
/** Additive increase: this share of the limit per window's worth of successes. */
export const INCREASE = 0.002;
/** Below RECOVER x the pace of the last 429, the pace climbs back FAST_INCREASE x limit per window. */
export const RECOVER = 0.95;
export const FAST_INCREASE = 0.1;
/** After this many windows without a 429 the contention is over: the pace climbs fast again, up to the limit. */
export const QUIET_WINDOWS = 30;
/** The pace never drops below this share of the limit. */
export const FLOOR = 0.1;

const now = (): number => performance.now();

/** A limit must be a whole number of at least 1: anything else would turn pacing off (NaN arithmetic). */
export function checkLimit(limit: number): number {
	if (!Number.isInteger(limit) || limit < 1) throw new RangeError(`A pacing limit must be a whole number of at least 1, not ${limit}`);
	return limit;
}

/** The AIMD state shared by both pacers. */
abstract class AdaptivePacer implements Pacer {
	private currentLimit: number;
	private rate: number;
	/** When the pace was last lowered (monotonic ms); 429s of requests started earlier are the same episode. */
	private lastDecrease = Number.NEGATIVE_INFINITY;
	/** The pace when the last 429 came: climbing back to just below it is safe and fast. */
	private ceiling = Number.POSITIVE_INFINITY;
	protected pausedUntil = 0;

	constructor(limit: number) {
		this.currentLimit = checkLimit(limit);
		this.rate = this.currentLimit;
	}

	get limit(): number {
		return this.currentLimit;
	}

	/** A node option for an account with a custom limit changes it for every caller of this pacer. */
	set limit(limit: number) {
		this.currentLimit = checkLimit(limit);
		this.rate = Math.min(this.rate, this.currentLimit);
		this.wake();
	}

	get pace(): number {
		return this.rate;
	}

	get parallelism(): number {
		return this.currentLimit;
	}

	abstract acquire(): Promise<Release>;

	pauseFor(ms: number): void {
		if (!(ms > 0)) return;
		this.pausedUntil = Math.max(this.pausedUntil, now() + ms);
	}

	pauseUntil(until: number): void {
		this.pauseFor(until - Date.now());
	}

	/** Feedback from a request that started at `startedAt`. */
	protected feedback(outcome: PaceOutcome | undefined, startedAt: number): void {
		const floor = this.floor();
		if (outcome === 'throttled') {
			if (startedAt < this.lastDecrease) return;
			this.ceiling = this.rate;
			this.rate = Math.max(floor, this.rate * DECREASE);
			this.lastDecrease = now();
		} else if (outcome === 'success' && this.rate < this.currentLimit) {
			if (now() - this.lastDecrease > QUIET_WINDOWS * this.windowLength()) this.ceiling = Number.POSITIVE_INFINITY;
			const step = this.rate < RECOVER * this.ceiling ? FAST_INCREASE : INCREASE;
			this.rate = Math.min(this.currentLimit, this.rate + (step * this.currentLimit) / this.rate);
			this.wake();
		}
	}

	/** The pacer's window (a second for a rate; for in-flight limits, a nominal second). */
	protected windowLength(): number {
		return 1000;
	}

	protected floor(): number {
		return this.currentLimit * FLOOR;
	}

	/** Something changed that may let a queued caller go sooner. */
	protected abstract wake(): void;
}

/**
 * At most `limit` request starts in any `windowMs` window (a sliding window, which is what an
 * "N requests per second" server counts), plus a safety margin for network jitter; below the
 * full pace, starts are spaced `windowMs / pace` apart. Callers are served first come, first
 * served by one loop, which re-checks the pause and the pace before every start.
 */
export class WindowPacer extends AdaptivePacer {
	private starts: number[] = [];
	private readonly queue: Array<(release: Release) => void> = [];
	private serving = false;

	constructor(
		limit: number,
		private readonly windowMs = 1000,
		private readonly marginMs = 60,
	) {
		super(limit);
	}

	acquire(): Promise<Release> {
		return new Promise<Release>((resolve) => {
			this.queue.push(resolve);
			void this.serve();
		});
	}

	protected windowLength(): number {
		return this.windowMs;
	}

	protected wake(): void {
		// The serving loop re-reads the pace after each sleep; a raised pace is seen at the next start.
	}

	/** The earliest time the next request may start. */
	private nextStart(at: number): number {
		let next = Math.max(at, this.pausedUntil);
		const { limit, pace } = this;
		if (this.starts.length >= limit) next = Math.max(next, this.starts[this.starts.length - limit] + this.windowMs + this.marginMs);
		if (pace < limit && this.starts.length) next = Math.max(next, this.starts[this.starts.length - 1] + this.windowMs / pace);
		return next;
	}

	private async serve(): Promise<void> {
		if (this.serving) return;
		this.serving = true;
		try {
			while (this.queue.length) {
				const t = now();
				const next = this.nextStart(t);
				if (next > t) {
					await sleep(Math.ceil(next - t));
					continue;
				}
				// The actual start time, not the planned one: a late wake-up must not bunch the next starts.
				this.starts.push(t);
				if (this.starts.length > this.limit * 4) this.starts = this.starts.slice(-this.limit);
				const resolve = this.queue.shift()!;
				let released = false;
				resolve((outcome) => {
					if (released) return;
					released = true;
					this.feedback(outcome, t);
				});
			}
		} finally {
			this.serving = false;
		}
	}
}

/**
 * At most `limit` requests in flight at once (Mailchimp counts simultaneous connections); the
 * adaptive pace is how many of those this process uses now. Waiting callers are served in order.
 */
export class ConcurrencyPacer extends AdaptivePacer {
	private active = 0;
	private readonly queue: Array<(release: Release) => void> = [];
	private serving = false;

	acquire(): Promise<Release> {
		return new Promise<Release>((resolve) => {
			this.queue.push(resolve);
			void this.serve();
		});
	}

	protected wake(): void {
		void this.serve();
	}

	/** Requests allowed in flight now: the pace, rounded down, at least one. */
	private allowed(): number {
		return Math.max(1, Math.floor(this.pace));
	}

	private async serve(): Promise<void> {
		if (this.serving) return;
		this.serving = true;
		try {
			while (this.queue.length && this.active < this.allowed()) {
				const wait = this.pausedUntil - now();
				if (wait > 0) {
					await sleep(Math.ceil(wait));
					continue;
				}
				this.active++;
				const startedAt = now();
				const resolve = this.queue.shift()!;
				let released = false;
				resolve((outcome) => {
					if (released) return;
					released = true;
					this.active--;
					this.feedback(outcome, startedAt);
					void this.serve();
				});
			}
		} finally {
			this.serving = false;
		}
	}
}

/** Pacers kept per process; the least recently used is dropped beyond this (one per account or key). */
export const MAX_PACERS = 500;
const pacers = new Map<string, WindowPacer | ConcurrencyPacer>();

/**
 * The process-wide pacer for `key`. A later call with another limit (a node option for an
 * account with a custom limit) updates the shared pacer's limit. At most MAX_PACERS are kept.
 */
export function sharedPacer(kind: 'window' | 'concurrency', key: string, limit: number, windowMs = 1000): Pacer {
	checkLimit(limit);
	const id = `${kind}:${windowMs}:${key}`;
	let pacer = pacers.get(id);
	if (pacer) {
		pacers.delete(id);
	} else {
		pacer = kind === 'window' ? new WindowPacer(limit, windowMs) : new ConcurrencyPacer(limit);
	}
	pacers.set(id, pacer);
	while (pacers.size > MAX_PACERS) pacers.delete(pacers.keys().next().value as string);
	if (pacer.limit !== limit) pacer.limit = limit;
	return pacer;
}

/** How many pacers the process holds (bounded by MAX_PACERS). */
export function pacerCount(): number {
	return pacers.size;
}

/** A short, stable, non-reversible label for a secret, so a map key never holds it. */
export function fingerprint(secret: string): string {
	let h = 0x811c9dc5;
	for (let i = 0; i < secret.length; i++) {
		h ^= secret.charCodeAt(i);
		h = Math.imul(h, 0x01000193) >>> 0;
	}
	return h.toString(16);
}
