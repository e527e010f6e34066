import { sleep } from 'n8n-workflow';

/**
 * Pacing before the API complains, adapted to what the API says.
 *
 * A pacer is shared by every execution in the same n8n process (module state), keyed by the
 * account or key it protects. Processes do not talk to each other (a community node has no shared
 * store): in queue mode each worker has its own pacer for the same account, and learns its part
 * of the account's limit from the server's answers alone.
 *
 * Requests per window (ActiveCampaign: 5 a second per account), WindowPacer. The method:
 * - Whole-number shares of the server's window. A process sends at most `share` requests in any
 *   window plus a margin for network jitter (a sliding window, as the server counts). When the
 *   shares of the processes add up to at most the limit, no 429 can happen, whatever the order in
 *   which their requests arrive: a fractional pace would not give that (three processes at 1.5/s
 *   each, 4.5/s in all, still meet 2 + 2 + 2 in some second and draw a 429).
 * - Learning the server's window from a 429. A 429 says the account's window is full just now;
 *   this process's requests of the last window that were not refused are what the server gave
 *   it. The share becomes that count (at least 1, and at least one below what it asked for). With
 *   N processes the counts add up to the limit, whatever N is, so the shares fit again at once,
 *   instead of every process halving and climbing back together into the next burst of 429s.
 *   429s of requests that started before that decrease are the same episode.
 * - Probing for room, with backoff. After PROBE_MIN_WINDOWS quiet windows (scaled by the share:
 *   a smaller share probes sooner, so busy processes' shares even out) a process asks for one
 *   request more per window. A 429 within PROBE_VERIFY_WINDOWS means there was no room: the wait
 *   before the next probe doubles, up to PROBE_MAX_WINDOWS, so a full account sees few probes.
 *   A probe that finds room means another process finished or slowed down: the wait is quartered,
 *   down to one window, so the room is taken in seconds.
 * - Starts. A fresh pacer starts at half the limit (START_SHARE) and climbs one request per
 *   window until the first 429, so N processes starting together draw a few 429s, not a burst of
 *   N x limit; one process alone reaches the full limit within a few windows, once per process.
 * - Jittered restarts. Retry-After (`pauseFor`) pauses every caller of that account in the
 *   process, also the callers already queued for a slot (one loop serves the queue and checks the
 *   pause before each start), and the pause ends at a random point within one request's spacing,
 *   so processes paused by the same 429s do not all start again in one burst.
 *
 * Requests in flight (Mailchimp: 10 connections per key), ConcurrencyPacer: AIMD, as in TCP
 * congestion control and AWS SDK's adaptive retry mode. The pace (connections allowed in flight)
 * starts at the limit; a 429 halves it (once per episode); successes raise it, fast (FAST_INCREASE
 * of the limit per window) back to RECOVER (95%) of the pace of the last 429, then slowly
 * (INCREASE), and fast again after QUIET_WINDOWS without a 429; never below FLOOR of the limit.
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
	protected rate: number;
	/** When the pace was last lowered (monotonic ms); 429s of requests started earlier are the same episode. */
	protected lastDecrease = Number.NEGATIVE_INFINITY;
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
		// Jittered by up to one start's spacing: processes paused by the same 429s do not all start again at once.
		const jitter = (Math.random() * this.windowLength()) / this.currentLimit;
		this.pausedUntil = Math.max(this.pausedUntil, now() + ms + jitter);
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

/** A fresh window pacer allows this share of its limit per window, and gains one per quiet window up to the limit. */
export const START_SHARE = 0.5;
/** After the first 429, a process asks for one more request per window after this many quiet windows at least... */
export const PROBE_MIN_WINDOWS = 8;
/** ...and at most this many: each probe the server refuses doubles the wait; one it accepts quarters it (a process may have finished: climb fast). */
export const PROBE_MAX_WINDOWS = 32;
/** A 429 this soon after a probe (in windows) means the probe found no room. */
export const PROBE_VERIFY_WINDOWS = 4;

/**
 * At most `share` request starts in any `windowMs` window plus a safety margin for network jitter
 * (a sliding window, which is what an "N requests per second" server counts), where `share` is a
 * whole number from 1 to `limit` that this process learns from the server (see the top of this
 * file). Callers are served first come, first served by one loop, which re-checks the pause and
 * the share before every start.
 */
export class WindowPacer extends AdaptivePacer {
	private starts: number[] = [];
	/** Starts of the last windows, and whether each was answered 429. */
	private recent: Array<{ at: number; throttled: boolean }> = [];
	private readonly queue: Array<(release: Release) => void> = [];
	private serving = false;
	/** When the share last changed (monotonic ms). */
	private changedAt = now();
	/** When the share was last raised by a probe. */
	private probedAt = Number.NEGATIVE_INFINITY;
	/** Windows between probes: 1 until the first 429 (a fresh pacer climbs to the limit), then learned. */
	private probeEvery = 1;

	constructor(
		limit: number,
		private readonly windowMs = 1000,
		private readonly marginMs = 60,
		startShare = START_SHARE,
	) {
		super(limit);
		this.rate = Math.max(1, Math.min(limit, Math.ceil(limit * startShare)));
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
		// The serving loop re-reads the share after each sleep.
	}

	protected floor(): number {
		return 1;
	}

	/** Requests allowed per window now: the learned share, a whole number. */
	private share(): number {
		return Math.max(1, Math.min(this.limit, Math.floor(this.rate)));
	}

	/** The earliest time the next request may start. */
	private nextStart(at: number): number {
		const next = Math.max(at, this.pausedUntil);
		const share = this.share();
		return this.starts.length >= share ? Math.max(next, this.starts[this.starts.length - share] + this.windowMs + this.marginMs) : next;
	}

	/**
	 * A 429 means the account's window was full. This process's requests in it that were not
	 * refused are its share of the account just now, however many other processes there are: it
	 * keeps to that many per window (one fewer than it asked for, at least). A 429 soon after a
	 * probe doubles the wait before the next probe.
	 */
	protected feedback(outcome: PaceOutcome | undefined, startedAt: number, mark?: { throttled: boolean }): void {
		const t = now();
		if (outcome === 'throttled') {
			if (mark) mark.throttled = true;
			if (startedAt < this.lastDecrease) return;
			let accepted = 0;
			for (const r of this.recent) if (r.at > t - this.windowMs - this.marginMs && !r.throttled) accepted++;
			this.rate = Math.max(1, Math.min(accepted, this.share() - 1));
			const probeFailed = t - this.probedAt <= PROBE_VERIFY_WINDOWS * this.windowMs;
			this.probeEvery = Math.min(PROBE_MAX_WINDOWS, Math.max(PROBE_MIN_WINDOWS, probeFailed ? this.probeEvery * 2 : this.probeEvery));
			this.lastDecrease = t;
			this.changedAt = t;
			return;
		}
		if (outcome !== 'success') return;
		if (this.probedAt > this.changedAt - 1 && t - this.probedAt > PROBE_VERIFY_WINDOWS * this.windowMs) {
			// The last probe found room: another process has finished or slowed down; climb again
			// one request per window, as a fresh pacer does, until the server pushes back.
			this.probeEvery = Math.max(1, this.probeEvery / 4);
			this.probedAt = Number.NEGATIVE_INFINITY;
		}
		// A smaller share probes sooner: over time the shares of busy processes even out.
		const every = this.probeEvery <= 1 ? 1 : this.probeEvery * Math.max(0.5, (2 * this.share()) / this.limit);
		if (this.share() < this.limit && t - this.changedAt >= every * this.windowMs) {
			this.rate = this.share() + 1;
			this.changedAt = t;
			this.probedAt = t;
		}
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
				const mark = { at: t, throttled: false };
				this.recent.push(mark);
				if (this.recent.length > this.limit * 8) this.recent = this.recent.filter((r) => r.at > t - 2 * (this.windowMs + this.marginMs));
				const resolve = this.queue.shift()!;
				let released = false;
				resolve((outcome) => {
					if (released) return;
					released = true;
					this.feedback(outcome, t, mark);
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
export function sharedPacer(kind: 'window' | 'concurrency', key: string, limit: number, windowMs = 1000, startShare?: number): Pacer {
	checkLimit(limit);
	const id = `${kind}:${windowMs}:${key}`;
	let pacer = pacers.get(id);
	if (pacer) {
		pacers.delete(id);
	} else {
		pacer = kind === 'window' ? new WindowPacer(limit, windowMs, undefined, startShare) : new ConcurrencyPacer(limit);
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
