import { sleep } from 'n8n-workflow';

/**
 * Pacing before the API complains. A pacer is shared by every execution in the same n8n
 * process (module state), keyed by the account or key it protects.
 */
export interface Pacer {
	/** Waits for a slot; call the returned function when the request has finished. */
	acquire(): Promise<() => void>;
	/** Holds every caller back until `until` (epoch ms): the API asked us to wait. */
	pauseUntil(until: number): void;
	/** Largest number of requests worth running at once under this pacer. */
	readonly parallelism: number;
}

/**
 * At most `limit` request starts in any `windowMs` window (a sliding window, which is what a
 * "N requests per second" server counts), plus a safety margin for network jitter: arrivals can
 * bunch up by a few milliseconds on the way.
 */
export class WindowPacer implements Pacer {
	private starts: number[] = [];
	private pausedUntil = 0;

	constructor(
		public limit: number,
		private readonly windowMs = 1000,
		private readonly marginMs = 60,
	) {}

	get parallelism(): number {
		return this.limit;
	}

	async acquire(): Promise<() => void> {
		// Reserve a start time synchronously so concurrent callers queue in order.
		const now = Date.now();
		let at = Math.max(now, this.pausedUntil);
		if (this.starts.length >= this.limit) {
			at = Math.max(at, this.starts[this.starts.length - this.limit] + this.windowMs + this.marginMs);
		}
		this.starts.push(at);
		if (this.starts.length > this.limit * 4) this.starts = this.starts.slice(-this.limit);
		if (at > now) await sleep(at - now);
		return () => undefined;
	}

	pauseUntil(until: number): void {
		this.pausedUntil = Math.max(this.pausedUntil, until);
	}
}

/** At most `limit` requests in flight at once (Mailchimp counts simultaneous connections). */
export class ConcurrencyPacer implements Pacer {
	private active = 0;
	private readonly waiting: Array<() => void> = [];
	private pausedUntil = 0;

	constructor(public limit: number) {}

	get parallelism(): number {
		return this.limit;
	}

	async acquire(): Promise<() => void> {
		if (this.active >= this.limit) {
			await new Promise<void>((resolve) => this.waiting.push(resolve));
		} else {
			this.active++;
		}
		const wait = this.pausedUntil - Date.now();
		if (wait > 0) await sleep(wait);
		let released = false;
		return () => {
			if (released) return;
			released = true;
			const next = this.waiting.shift();
			// Hand the slot straight to the next waiter, or give it back.
			if (next) next();
			else this.active--;
		};
	}

	pauseUntil(until: number): void {
		this.pausedUntil = Math.max(this.pausedUntil, until);
	}
}

const pacers = new Map<string, Pacer>();

/**
 * The process-wide pacer for `key`. A later call with another limit (a node option for an
 * account with a custom limit) updates the shared pacer's limit.
 */
export function sharedPacer(kind: 'window' | 'concurrency', key: string, limit: number, windowMs = 1000): Pacer {
	const id = `${kind}:${windowMs}:${key}`;
	let pacer = pacers.get(id) as WindowPacer | ConcurrencyPacer | undefined;
	if (!pacer) {
		pacer = kind === 'window' ? new WindowPacer(limit, windowMs) : new ConcurrencyPacer(limit);
		pacers.set(id, pacer);
	}
	pacer.limit = limit;
	return pacer;
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
