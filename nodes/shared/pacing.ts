import { sleep } from 'n8n-workflow';

/**
 * Pacing before the API complains, adapted to what the API says.
 *
 * A pacer is shared by every execution in the same n8n process (module state), keyed by the
 * account or key it protects. Processes do not talk to each other (a community node has no shared
 * store): in queue mode each worker has its own pacer for the same account, and learns its part
 * of the account's limit from the server's answers alone.
 *
 * Requests per window (ActiveCampaign: 5 a second per account), WindowPacer. The method, and the
 * budget behind it: every 429 costs the account more than the refused request, because Retry-After
 * pauses the refused process (about a second of its share unused), so several processes reach the
 * account's rate only if 429s stay rare and the shares add up to the limit most of the time.
 * - Whole-number shares of the server's window. A process sends at most `share` requests in any
 *   window plus a margin for network jitter (MARGIN_MS; a sliding window, as the server counts).
 *   When the shares of the processes add up to at most the limit, no 429 can happen, whatever the
 *   order in which their requests arrive: a fractional pace would not give that (three processes at
 *   1.5/s each, 4.5/s in all, still meet 2 + 2 + 2 in some second and draw a 429).
 * - Learning the share from a 429. A 429 says the account's window is full just now; this
 *   process's requests of the last window that were not refused are what the server gave it. The
 *   share becomes that count (at least 1, and at least one below what it asked for), so the counts
 *   of N processes add up to the limit, whatever N is. 429s of requests that started before that
 *   decrease are the same episode. The first 429 a pacer ever gets while still climbing from its
 *   start, below the limit, halves its share instead: the others' refusals may have counted as its
 *   room.
 * - Rounds, for fairness. Whole shares of 5 among 3 processes are 2 + 2 + 1: fair only if the 1
 *   goes round, or the process left with it finishes long after the others and the account idles.
 *   Every window pacer with requests waiting plays rounds of ROUND_WINDOWS windows, which start at
 *   the same wall-clock times in every process (multiples of the round since the epoch; no
 *   messages needed), also one that has never seen a 429: a process that had the account to itself
 *   must make room for one that starts later.
 *   At a round's start every share above 1 gives one request per window back; from REJOIN_AT_WINDOWS
 *   into the round (when the requests given back have surely left the server's window: asked
 *   earlier, the first to ask is refused, not the last) every process asks for one more, in the
 *   order of the requests per window it was given since its busy spell began (a round without a
 *   start ends a spell; at most GIVEN_ROUNDS rounds back), as a share of the limit, spread over
 *   REJOIN_SPREAD_WINDOWS from the lowest to the highest: processes that started together
 *   compare on one scale without messages, so the one given the most so far asks last. In a full
 *   account the shares then add up to the limit plus the processes at 1: with 3 processes one
 *   request too many, and the process refused, the one ahead, keeps the smaller share this round.
 *   So one 429 a round moves the smaller share, and the totals stay close: processes with equal
 *   work finish together instead of one running on alone at its old share while the account idles
 *   (an order by whole rounds since the last 429 kept the smaller share going round but never
 *   undid an early lead). A process that started later asks first until it has caught up. A round
 *   costs that 429 and the requests given back for a window or so; a process alone (holding nearly
 *   the whole limit, and given more than REJOIN_ALONE of it over its busy spell and over its last
 *   ALONE_ROUNDS rounds) asks first: about one request in 50.
 * - Finding room, within a 429 budget. Probes (one request more per window) are paid from credit:
 *   each accepted request earns PROBE_BUDGET, each 429 episode spends 1 (several requests refused
 *   together are one episode, as they lower the share once), and a probe needs 1 (at most
 *   PROBE_CREDIT_CAP is saved), so refused probes stay a small, fixed part of the requests. A probe
 *   also waits PROBE_MIN_WINDOWS quiet windows, doubling on each refusal up to PROBE_MAX_WINDOWS,
 *   and is only for a process given at least PROBE_GIVEN of the limit since its busy spell began
 *   (alone or nearly, its 429 a late arrival): one given less shares a full account, where a probe
 *   is one 429 more (in the simulation of 3 processes, about half a percent of the requests), and
 *   its rounds find room. A refused probe lowers the share as any 429 does. A probe that is not
 *   refused within PROBE_VERIFY_WINDOWS means another process finished or slowed down: the pacer
 *   climbs one step (see Starts) per window until a 429. And a process that asks again in a round
 *   after ROOM_ROUNDS rounds without a 429, or given more than REJOIN_ALONE of the limit, and is
 *   not refused, probes at once: in a full account one that asked late would have been refused.
 * - Starts. A fresh pacer starts at START_SHARE of the limit (rounded up: 2 of 5) and climbs one
 *   step (CLIMB_STEP of the limit: one request at 5 a second, 10 at 50) per FRESH_CLIMB_WINDOWS
 *   quiet windows until its first 429, so N processes starting together draw a few 429s, not a
 *   burst of N x limit, and one that starts first has not taken the whole account before the
 *   others come; one process alone reaches the full limit within about 6 windows at any limit,
 *   once per process.
 * - Retry-After (`pauseFor`) pauses every caller of that account in the process, also the callers
 *   already queued for a slot (one loop serves the queue and checks the pause before each start),
 *   and the pause ends at a random point within one request's spacing, so processes paused by the
 *   same 429s do not all start again in one burst. A process refused a second time in a row at one
 *   request per window waits for the next round besides Retry-After: another process took its
 *   place (a climb, which the server does not refuse, since refused requests do not count), only
 *   the round's order corrects that, and each attempt before would be one 429 more.
 *
 * Requests in flight (Mailchimp: 10 connections per key), ConcurrencyPacer: AIMD, as in TCP
 * congestion control and AWS SDK's adaptive retry mode. The pace (connections allowed in flight)
 * starts at the limit; a 429 halves it (once per episode); successes raise it, fast (FAST_INCREASE
 * of the limit per window) back to RECOVER (95%) of the pace of the last 429, then slowly
 * (INCREASE), and fast again after QUIET_WINDOWS without a 429; never below FLOOR of the limit.
 *
 * Time is read from a monotonic clock (`performance.now()`), so a wall-clock change (NTP, DST)
 * neither stalls nor unleashes the pacers; only the rounds' start times come from the wall clock
 * (a change only starts a round early or late).
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
		this.pausedUntil = Math.max(this.pausedUntil, now() + ms + jitter + this.longerPause());
	}

	/** Waiting longer than Retry-After is always allowed: a pacer may add to it. */
	protected longerPause(): number {
		return 0;
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

/** A fresh window pacer allows this share of its limit per window (rounded up), and gains one per FRESH_CLIMB_WINDOWS quiet windows up to the limit. */
export const START_SHARE = 0.4;
/** After a 429, a probe (one more request per window) waits this many quiet windows at least... */
export const PROBE_MIN_WINDOWS = 8;
/** ...and at most this many: each probe the server refuses doubles the wait. */
export const PROBE_MAX_WINDOWS = 32;
/** A 429 this soon after a probe (in windows) means there was no room for it. */
export const PROBE_VERIFY_WINDOWS = 3;
/** The 429 budget of probes: each accepted request earns this much, each 429 episode spends 1; a probe needs 1. */
export const PROBE_BUDGET = 0.01;
/**
 * A probe on credit is for a process given at least this share of the limit since its busy spell
 * began: alone or nearly (its 429 was a late arrival). One given less shares a full account, where
 * a probe is a 429; its rounds find room when another process finishes (ROOM_ROUNDS).
 */
export const PROBE_GIVEN = 0.4;
/** The most probe credit a pacer holds (and starts with), so a long quiet spell does not pay for a burst of refused probes. */
export const PROBE_CREDIT_CAP = 2;
/** Length of a round, in windows; rounds start at the same wall-clock times in every process (multiples of the round since the epoch). */
export const ROUND_WINDOWS = 10;
/**
 * In a round, the request per window given back is asked for again this far in (in windows): a
 * process that sent its whole share just before the round's start still holds it in the server's
 * window for up to a window (plus the margin), and asking earlier would refuse the first to ask...
 */
export const REJOIN_AT_WINDOWS = 1;
/**
 * ...plus up to this much more the more requests the process was given per window since its busy
 * spell began (as a share of the limit: REJOIN_SPREAD_LOW or less asks first, REJOIN_SPREAD_HIGH
 * or more last, logarithmic between), so the process that got the most so far is refused...
 */
export const REJOIN_SPREAD_WINDOWS = 0.6;
export const REJOIN_SPREAD_LOW = 0.2;
export const REJOIN_SPREAD_HIGH = 0.5;
/** ...plus a random part of this much. */
export const REJOIN_NOISE_WINDOWS = 0.02;
/** "Since its busy spell began" looks back this many rounds at most, so a process busy alone for an hour is not the one refused for the next hour. */
export const GIVEN_ROUNDS = 30;
/** A process given more than this share of the limit (over its busy spell and over the last ALONE_ROUNDS rounds), and holding nearly all of it now, is alone: it asks again first. */
export const REJOIN_ALONE = 0.7;
export const ALONE_ROUNDS = 2;
/** A process that asks again after this many rounds without a 429 and is not refused probes at once: there may be room. */
export const ROOM_ROUNDS = 2;
/** Safety margin added to a window pacer's window (ms), for network jitter between its start and the server's count. */
export const MARGIN_MS = 60;
/** A fresh pacer climbs one step per this many quiet windows (one that found room, every window). */
export const FRESH_CLIMB_WINDOWS = 2;
/**
 * A climb's step: this share of the limit (rounded down, at least one request per window), so a
 * climb takes as many windows at any limit: 1 at ActiveCampaign's 5 requests/s, 10 for an account
 * allowed 50. A probe (after a 429) asks for one request more, whatever the limit.
 */
export const CLIMB_STEP = 0.2;

/**
 * At most `share` request starts in any `windowMs` window plus a safety margin for network jitter
 * (a sliding window, which is what an "N requests per second" server counts), where `share` is a
 * whole number from 1 to `limit` that this process learns from the server (see the top of this
 * file). Callers are served first come, first served by one loop, which re-checks the pause, the
 * round and the share before every start.
 */
export class WindowPacer extends AdaptivePacer {
	private starts: number[] = [];
	/** Starts of the last windows, and whether each was answered 429. */
	private recent: Array<{ at: number; throttled: boolean }> = [];
	private readonly queue: Array<(release: Release) => void> = [];
	private serving = false;
	/** When the share last changed (monotonic ms). */
	private changedAt = now();
	/** When the share was last raised by a probe that still awaits its verdict. */
	private probedAt = Number.NEGATIVE_INFINITY;
	/** Windows between probes: 1 while climbing (a fresh pacer, or a probe found room), then learned. */
	private probeEvery = 1;
	/** Probes this pacer may still pay for with a 429 (see PROBE_BUDGET). */
	private credit = PROBE_CREDIT_CAP;
	/** Whether this pacer has ever been answered 429. */
	private learned = false;
	/** Accepted requests per round (wall clock) of this busy spell's last GIVEN_ROUNDS rounds, and its first start (monotonic ms). */
	private accepted: Array<{ round: number; count: number }> = [];
	private busySince = Number.NaN;
	/** Whether this process was given more than REJOIN_ALONE of the limit in its busy spell, at the round's start. */
	private mostlyAlone = false;
	/** 429s in a row at one request per window (the others take more than their part just now). */
	private floorRefusals = 0;
	/** The round (wall clock) last played. */
	private round = Number.NaN;
	/** When the request given back at the round's start is asked for again (monotonic ms). */
	private rejoinAt = Number.POSITIVE_INFINITY;
	/** When it was asked for by a process that went long without a 429, awaiting the verdict. */
	private rejoinedAt = Number.NEGATIVE_INFINITY;

	constructor(
		limit: number,
		private readonly windowMs = 1000,
		private readonly marginMs = MARGIN_MS,
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

	/**
	 * Refused a second time in a row at one request per window: another process took this one's
	 * place (a climb of its own, which the server does not refuse: refused requests do not count),
	 * and only the next round's order corrects that. Asking before it would be refused again: wait
	 * for the next round's start, besides Retry-After.
	 */
	protected longerPause(): number {
		if (this.floorRefusals <= 1) return 0;
		const roundMs = ROUND_WINDOWS * this.windowMs;
		return roundMs - (Date.now() % roundMs);
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

	private setShare(share: number, t: number): void {
		this.rate = Math.max(1, Math.min(this.limit, share));
		this.changedAt = t;
	}

	private roundAt(wall: number): number {
		return Math.floor(wall / (ROUND_WINDOWS * this.windowMs));
	}

	/**
	 * A 429 means the account's window was full. This process's requests in it that were not
	 * refused are its share of the account just now, however many other processes there are: it
	 * keeps to that many per window (one fewer than it asked for, at least), and to half of what it
	 * asked for at its first 429 while climbing from its start (the others' refusals may have
	 * counted as its room). Successes earn probe credit and let a probe ask for one more request
	 * per window.
	 */
	protected feedback(outcome: PaceOutcome | undefined, startedAt: number, mark?: { throttled: boolean }): void {
		const t = now();
		const window = this.windowMs;
		if (outcome === 'throttled') {
			if (mark) mark.throttled = true;
			if (startedAt < this.lastDecrease) return;
			this.credit = Math.max(-PROBE_CREDIT_CAP, this.credit - 1);
			let accepted = 0;
			for (const r of this.recent) if (r.at > t - window - this.marginMs && !r.throttled) accepted++;
			const climbing = this.probeEvery <= 1;
			const probeFailed = t - this.probedAt <= PROBE_VERIFY_WINDOWS * window;
			this.probeEvery = Math.min(PROBE_MAX_WINDOWS, Math.max(PROBE_MIN_WINDOWS, probeFailed ? this.probeEvery * 2 : this.probeEvery));
			this.probedAt = Number.NEGATIVE_INFINITY;
			this.rejoinAt = Number.POSITIVE_INFINITY;
			this.rejoinedAt = Number.NEGATIVE_INFINITY;
			// The first 429 of a climbing pacer: the others' refusals may have counted as its room.
			const halve = climbing && !this.learned && this.share() < this.limit;
			this.learned = true;
			this.floorRefusals = this.share() === 1 ? this.floorRefusals + 1 : 0;
			this.lastDecrease = t;
			this.setShare(Math.min(accepted, this.share() - 1, halve ? Math.ceil(this.share() / 2) : this.limit), t);
			return;
		}
		if (outcome !== 'success') return;
		if (startedAt >= this.busySince) {
			const round = this.roundAt(Date.now());
			const last = this.accepted[this.accepted.length - 1];
			if (last?.round === round) last.count++;
			else this.accepted.push({ round, count: 1 });
			if (this.accepted[0].round < round - GIVEN_ROUNDS) this.accepted.shift();
		}
		this.floorRefusals = 0;
		this.credit = Math.min(PROBE_CREDIT_CAP, this.credit + PROBE_BUDGET);
		if (this.probedAt > Number.NEGATIVE_INFINITY && t - this.probedAt > PROBE_VERIFY_WINDOWS * window) {
			// The probe found room (another process finished or slowed down): climb one request per
			// window, as a fresh pacer does, until the server pushes back.
			this.probeEvery = 1;
			this.probedAt = Number.NEGATIVE_INFINITY;
		}
		if (this.rejoinedAt > Number.NEGATIVE_INFINITY && t - this.rejoinedAt > PROBE_VERIFY_WINDOWS * window) {
			// In a full account the last to ask again is refused; asked late and not refused: there may be room.
			this.rejoinedAt = Number.NEGATIVE_INFINITY;
			this.probe(t);
			return;
		}
		// A fresh pacer climbs one request per FRESH_CLIMB_WINDOWS quiet windows; one that found room, every window.
		const wait = this.learned ? this.probeEvery : Math.max(this.probeEvery, FRESH_CLIMB_WINDOWS);
		if (this.rejoinAt === Number.POSITIVE_INFINITY && t - this.changedAt >= wait * window && (this.probeEvery <= 1 || (this.credit >= 1 && this.given(t) >= PROBE_GIVEN))) this.probe(t);
	}

	/**
	 * Asks for one request more per window (climbing: one step, see CLIMB_STEP); a 429 within
	 * PROBE_VERIFY_WINDOWS says there was no room.
	 */
	private probe(t: number): void {
		if (this.share() >= this.limit) return;
		this.setShare(this.share() + (this.probeEvery <= 1 ? Math.max(1, Math.floor(this.limit * CLIMB_STEP)) : 1), t);
		this.probedAt = t;
	}

	/** Requests per window this process was given since its busy spell began (at most `rounds` rounds back), as a share of the limit. */
	private given(at: number, rounds = GIVEN_ROUNDS): number {
		if (Number.isNaN(this.busySince)) return 0;
		const wall = Date.now();
		const round = this.roundAt(wall);
		const roundMs = ROUND_WINDOWS * this.windowMs;
		let count = 0;
		for (const r of this.accepted) if (r.round >= round - rounds) count += r.count;
		const span = Math.min(at - this.busySince, rounds * roundMs + (wall - round * roundMs));
		return (count * this.windowMs) / Math.max(this.windowMs, span) / this.limit;
	}

	/**
	 * Where this process asks again in a round, from 0 (first) to 1 (last): by the share of the
	 * limit it was given since its busy spell began. Processes that share an account and started
	 * together compare like this without messages, so the one ahead is refused and the totals stay
	 * close (processes with equal work finish together); one that started later asks first until it
	 * has caught up. A process alone (holding nearly the limit now) asks again first.
	 */
	private order(given: number, alone: boolean): number {
		if (alone) return 0;
		const position = Math.log(Math.max(given, 1e-3) / REJOIN_SPREAD_LOW) / Math.log(REJOIN_SPREAD_HIGH / REJOIN_SPREAD_LOW);
		return Math.min(1, Math.max(0, position));
	}

	/**
	 * Rounds, for a pacer that shares the account (see the top of this file): at the round's start a
	 * share above 1 gives one request per window back, and asks for it again a little later, later
	 * the more this process was given so far. Returns when the pacer next needs the clock.
	 */
	private tick(t: number): number {
		const window = this.windowMs;
		const roundMs = ROUND_WINDOWS * window;
		const wall = Date.now();
		const round = this.roundAt(wall);
		if (round !== this.round && Number.isNaN(this.round)) this.round = round;
		if (round !== this.round) {
			this.round = round;
			const start = t - (wall - round * roundMs);
			const given = this.given(start);
			// Given most of the limit so far, and in the last ALONE_ROUNDS rounds too: alone, or nearly (a
			// 429 was a late arrival, not a full account). The long view alone would keep a process that
			// had the account to itself for minutes "alone" for minutes after another arrived.
			this.mostlyAlone = given >= REJOIN_ALONE && this.given(start, ALONE_ROUNDS) >= REJOIN_ALONE;
			const alone = this.mostlyAlone && this.share() >= this.limit - Math.max(1, Math.floor(this.limit * CLIMB_STEP));
			if (this.share() > 1) this.setShare(this.share() - 1, t);
			this.rejoinAt = start + window * (REJOIN_AT_WINDOWS + REJOIN_SPREAD_WINDOWS * this.order(given, alone) + REJOIN_NOISE_WINDOWS * Math.random());
		}
		if (t >= this.rejoinAt) {
			this.rejoinAt = Number.POSITIVE_INFINITY;
			this.setShare(this.share() + 1, t);
			// Not refused: there may be room (in a full account the one that asked last is refused).
			if (this.mostlyAlone || t - this.lastDecrease >= ROOM_ROUNDS * roundMs) this.rejoinedAt = t;
		}
		return Math.min(this.rejoinAt, t + (round + 1) * roundMs - wall);
	}

	private async serve(): Promise<void> {
		if (this.serving) return;
		this.serving = true;
		try {
			while (this.queue.length) {
				const t = now();
				const wakeAt = this.tick(t);
				const next = this.nextStart(t);
				if (next > t) {
					await sleep(Math.max(1, Math.ceil(Math.min(next, wakeAt) - t)));
					continue;
				}
				// A busy spell begins after a round without a start: the rounds' order counts from there.
				if (!this.starts.length || t - this.starts[this.starts.length - 1] > ROUND_WINDOWS * this.windowMs) {
					this.busySince = t;
					this.accepted = [];
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
