/**
 * The provider's clock, shared by both fake APIs (facts: API-NOTES.md, "Change times and filters").
 *
 * - `sequence` (default): every change is stamped one second after the previous one, starting
 *   2026-01-01. Deterministic, for tests that only need distinct, ordered stamps.
 * - `wall`: what the real APIs do. A change is stamped with the provider's own time (the test
 *   machine's clock plus `skewMs`, so a provider running ahead of or behind n8n can be played),
 *   at one-second resolution; many changes share a second. The `Date` header of every answer
 *   carries the same clock.
 */
export class ProviderClock {
	mode: 'sequence' | 'wall' = 'sequence';
	/** Provider time minus the test machine's time. */
	skewMs = 0;
	private sequence = Date.UTC(2026, 0, 1);
	private frozenAt?: number;

	/** The provider's time now, in ms. */
	nowMs(): number {
		return this.frozenAt ?? Date.now() + this.skewMs;
	}

	/** Stops the provider's clock (a test then moves it with `advance`): a slow-motion second. */
	freeze(at = this.nowMs()): void {
		this.frozenAt = at;
	}

	/** Moves the provider's clock forward (or back) by `ms`, frozen or not. */
	advance(ms: number): void {
		if (this.frozenAt !== undefined) this.frozenAt += ms;
		else this.skewMs += ms;
	}

	/** The instant a change made now is stamped with. */
	stampMs(): number {
		if (this.mode === 'sequence') {
			this.sequence += 1000;
			return this.sequence;
		}
		return Math.floor(this.nowMs() / 1000) * 1000;
	}
}

/** Minutes east of UTC of an offset such as `-06:00`, `+00:00` or `Z`. */
export function offsetMinutes(offset: string): number {
	const m = /^([+-])(\d\d):?(\d\d)$/.exec(offset);
	if (!m) return 0;
	return (m[1] === '-' ? -1 : 1) * (Number(m[2]) * 60 + Number(m[3]));
}

/** `2026-11-25T05:35:00-06:00`: an instant as wall time in the given offset, whole seconds. */
export function formatInOffset(ms: number, offset: string): string {
	const shifted = new Date(Math.floor(ms / 1000) * 1000 + offsetMinutes(offset) * 60_000);
	return shifted.toISOString().replace(/\.\d{3}Z$/, offset === 'Z' ? 'Z' : offset);
}

const ZONE = /(Z|[+-]\d\d:?\d\d)$/i;

/**
 * The instant a date filter value stands for. `offset` reading honours a zone in the value;
 * `local` reading ignores it and reads the wall time in the account's offset (as accounts do
 * whose filters are matched against local times). A value without a zone is local either way.
 * NaN for an unreadable value.
 */
export function readFilterDate(value: string, reading: 'offset' | 'local', accountOffset: string): number {
	const text = value.trim().replace(' ', 'T');
	if (reading === 'offset' && ZONE.test(text)) return Date.parse(text);
	const bare = text.replace(ZONE, '');
	const wall = Date.parse(`${bare}${bare.includes('T') ? '' : 'T00:00:00'}Z`);
	return wall - offsetMinutes(accountOffset) * 60_000;
}
