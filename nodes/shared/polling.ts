import { NodeOperationError, type IDataObject, type INodeExecutionData, type INodeProperties, type IPollFunctions } from 'n8n-workflow';

import { readInteger } from './values';

/*
 * Polling triggers: every change is emitted at least once, and no change twice.
 *
 * A change is a record's (id, changed-at) pair, changed-at being the provider's own stamp. Change
 * order is changed-at, then id. The cursor lives in the workflow's static data and is written only
 * after a poll has read everything it emits, so a poll that fails emits nothing and changes nothing.
 * It holds a position in change order (every change up to it has been emitted), the (id, changed-at)
 * pairs emitted within an overlap window below that position, and a floor below which nothing is
 * emitted again (the activation time, or where the pair set was cut to stay bounded).
 *
 * Each poll:
 * 1. Reads the provider's clock: the `Date` header of its first answer (the newest record's stamp if
 *    a proxy drops the header), never n8n's clock. That first request is also where a source checks
 *    what it keeps between polls about how the provider reads its filters (its memo, such as an
 *    account's time zone offset, which the account may change at any time, by any amount, while
 *    older stamps keep the offset they were written with). Kept state is checked, never trusted: a
 *    source checks it against a record it knows (one whose stamp never changes) in the request that
 *    reads the clock, and when it fails the source finds the right state before reading any window,
 *    or fails the poll (which then keeps its cursor). Changes are never read with state that failed
 *    its check. The state may also change while the poll reads (the owner picks another zone in
 *    that very second), so the source checks it once more after the last page (`stillValid`, one
 *    request); if that fails the poll emits nothing and keeps its cursor, and the next poll reads
 *    the same changes with the state it finds. The upper bound `until` is one second before it.
 *    Stamps have one-second resolution, so every change stamped at or before `until` existed when
 *    the poll began, and every change made while it runs is stamped later and left to the next poll.
 *    This is also why a record changed again in the second of a poll is not lost: that second is
 *    not read until it is over.
 * 2. Asks the source for every record changed in (position - overlap, until], in change order. The
 *    sources page by keys, not by offsets (ActiveCampaign: `id_greater` in time windows;
 *    Mailchimp: `since_last_changed` advanced page by page; a second holding more than a page
 *    is read alone, by offsets, until as many records were collected as its total, so no order of
 *    ties is assumed), so a record that changes during the poll only moves past `until` and
 *    nothing else moves between pages. They send date filters in the account's own offset, in whole
 *    seconds rounded outwards, so inclusive or exclusive filters, and filters read as local time,
 *    all return a superset; this file cuts it by instants.
 * 3. Emits the records after the position, and records inside the overlap window whose pair was
 *    not emitted yet (a change that became visible late), at most Max Items per Poll. When it stops
 *    early the position is the last change emitted, and the next poll goes on from there in order.
 *
 * First activation: the position is the provider's `Date` minus one second, and nothing is emitted.
 * Limits: the providers keep only a record's latest state, so a record changed several times between
 * two polls is emitted once, with its latest state. A change that becomes visible more than the
 * overlap window (60 s) after its stamp is not emitted. Memory is Max Items per Poll plus one
 * provider second's worth of changes.
 */

/** How far below the position each poll looks again for changes that became visible late. */
export const OVERLAP_MS = 60_000;
/** Most (id, changed-at) pairs kept for the overlap window; beyond it the window shrinks. */
export const SEEN_LIMIT = 10_000;
export const DEFAULT_MAX_ITEMS_PER_POLL = 10_000;
/** The trigger option that bounds a poll's work. */
export const maxItemsPerPollProperty: INodeProperties = {
	displayName: 'Max Items per Poll',
	name: 'maxItemsPerPoll',
	type: 'number',
	typeOptions: { minValue: 1 },
	default: DEFAULT_MAX_ITEMS_PER_POLL,
	description: 'The most changes one poll emits. A larger backlog is emitted over the following polls, oldest change first, none lost.',
};
/** The trigger's Max Items per Poll: a whole number of at least 1, also when an expression gives it as text. */
export const readMaxItemsPerPoll = (ctx: IPollFunctions): number =>
	readInteger(ctx, ctx.getNodeParameter('maxItemsPerPoll', DEFAULT_MAX_ITEMS_PER_POLL), 'Max Items per Poll', undefined, { min: 1 });
/** Stamps have one-second resolution: the last whole second is left for the next poll. */
const SETTLE_MS = 1000;

interface Cursor {
	version: 2;
	/** Position in change order: instant (ms), and the last id emitted at it (none: the whole second). */
	at: number;
	afterId?: string;
	/** The upper bound of the poll that set the position: changes stamped well before it were visible when it read them. */
	readAt: number;
	/** Changes at or before the position and at or before the floor are never emitted (again). */
	floor: number;
	/** [id, changed-at ms] pairs emitted within the overlap window. */
	seen: Array<[string, number]>;
	/** What the source keeps between polls (`ChangeSource.memo`), such as the account's offset. */
	memo?: IDataObject;
}

/** The cursor shape of earlier versions, converted on first use. */
interface LegacyCursor {
	since?: string;
	idsAtSince?: string[];
}

export interface ChangeSource<T extends IDataObject> {
	/** The newest record, for the editor's Fetch test event. */
	sample(): Promise<T[]>;
	/**
	 * The provider's time now (ms), from its `Date` header or its newest stamp; undefined when it
	 * gives neither. Called first in every poll, with the lower bound `changes` will be called with
	 * (none on activation) and the source's memo from the last successful poll: the request that
	 * reads the clock may be the first page of `changes`.
	 */
	providerNow(after: number | undefined, memo: IDataObject): Promise<number | undefined>;
	/** What to keep for the next poll (written with the cursor, only when this poll succeeds). */
	memo?(): IDataObject;
	/**
	 * Checks again, after every page was read, the state `providerNow` checked (such as the offset
	 * the account reads filters with): false when it changed while the poll read, so the pages may
	 * have missed changes. The poll then emits nothing and keeps its cursor, and the next poll reads
	 * the same changes again, with the state it finds.
	 */
	stillValid?(): Promise<boolean>;
	/**
	 * Every record whose change time is in (after, until], in change order (`compareChanges`), as
	 * pages. Complete under live traffic: a record may be left out only if it changed after `until`.
	 * Records outside the window may be included; they are cut here. The poll stops reading after
	 * about `wanted` records (Max Items per Poll): a source may size its reads by it.
	 */
	changes(after: number, until: number, wanted: number): AsyncIterable<T[]>;
	id(item: T): string;
	changedAt(item: T): string;
	shape?(item: T): IDataObject;
}

/** Ids in their natural order: numeric ids by value, others as text. */
export function compareIds(a: string, b: string): number {
	if (/^\d+$/.test(a) && /^\d+$/.test(b) && a.length !== b.length) return a.length - b.length;
	return a < b ? -1 : a > b ? 1 : 0;
}

/** Change order: changed-at, then id. */
export function compareChanges(a: { at: number; id: string }, b: { at: number; id: string }): number {
	return a.at - b.at || compareIds(a.id, b.id);
}

/** A provider stamp as an instant (ms); NaN when unreadable. */
export function stampMs(stamp: unknown): number {
	return typeof stamp === 'string' && stamp.trim() ? Date.parse(stamp.trim().replace(' ', 'T')) : Number.NaN;
}

/** The zone a provider stamp carries (`-06:00`, `+00:00`, `Z`), if any. */
export function stampZone(stamp: unknown): string | undefined {
	return typeof stamp === 'string' ? /(Z|[+-]\d\d:?\d\d)$/i.exec(stamp.trim())?.[1] : undefined;
}

/**
 * An instant written as the provider writes its stamps: whole seconds (rounded down), as wall time
 * in the given zone (`2026-11-25T05:35:00-06:00`), so a filter read as local time means the same.
 */
export function formatInZone(ms: number, zone = 'Z'): string {
	const m = /^([+-])(\d\d):?(\d\d)$/.exec(zone);
	const minutes = m ? (m[1] === '-' ? -1 : 1) * (Number(m[2]) * 60 + Number(m[3])) : 0;
	const wall = new Date(Math.floor(ms / 1000) * 1000 + minutes * 60_000).toISOString().slice(0, 19);
	return `${wall}${m ? `${m[1]}${m[2]}:${m[3]}` : 'Z'}`;
}

const isInstant = (value: unknown): value is number => typeof value === 'number' && Number.isFinite(value);

/** A stored cursor of this version, checked field by field: a damaged one (hand-edited, partly written) is unreadable. */
function isCursor(state: IDataObject): boolean {
	const c = state as Partial<Record<keyof Cursor, unknown>>;
	return (
		isInstant(c.at) &&
		isInstant(c.readAt) &&
		isInstant(c.floor) &&
		(c.afterId === undefined || typeof c.afterId === 'string') &&
		(c.memo === undefined || (typeof c.memo === 'object' && c.memo !== null && !Array.isArray(c.memo))) &&
		Array.isArray(c.seen) &&
		c.seen.every((pair) => Array.isArray(pair) && pair.length === 2 && typeof pair[0] === 'string' && isInstant(pair[1]))
	);
}

/** The stored cursor, or undefined when there is none or it cannot be read (the poll then starts from now). */
function readCursor(state: IDataObject): Cursor | undefined {
	if (state.version === 2) return isCursor(state) ? (state as unknown as Cursor) : undefined;
	const legacy = state as LegacyCursor;
	const since = stampMs(legacy.since);
	if (Number.isNaN(since)) return undefined;
	const ids = Array.isArray(legacy.idsAtSince) ? legacy.idsAtSince.filter((id): id is string => typeof id === 'string') : [];
	// Old cursors: everything before `since` was emitted, and the listed ids at it.
	return { version: 2, at: since - 1, readAt: since - 1, floor: since - 1, seen: ids.map((id) => [id, since]) };
}

function isAfter(at: number, id: string, cursor: { at: number; afterId?: string }): boolean {
	if (at !== cursor.at) return at > cursor.at;
	return cursor.afterId !== undefined && compareIds(id, cursor.afterId) > 0;
}

/** The pairs the next poll needs: those above its lower bound, at most SEEN_LIMIT (the newest), and the floor that goes with them. */
function keepSeen(pairs: Array<[string, number]>, lowerBound: number, floor: number): { seen: Array<[string, number]>; floor: number } {
	let kept = pairs.filter(([, at]) => at > lowerBound && at > floor);
	if (kept.length <= SEEN_LIMIT) return { seen: kept, floor };
	kept.sort((a, b) => compareChanges({ at: a[1], id: a[0] }, { at: b[1], id: b[0] }));
	const cut = kept[kept.length - SEEN_LIMIT - 1][1];
	kept = kept.filter(([, at]) => at > cut);
	return { seen: kept, floor: Math.max(floor, cut) };
}

/**
 * A polling trigger's poll: a sample in manual mode; on the first poll after activation the
 * position is set to the provider's now and nothing is emitted; afterwards every change since, once.
 */
export async function pollChanges<T extends IDataObject>(
	ctx: IPollFunctions,
	source: ChangeSource<T>,
	maxItems = DEFAULT_MAX_ITEMS_PER_POLL,
): Promise<INodeExecutionData[][] | null> {
	const shape = source.shape ?? ((item: T) => item);
	const emit = (items: T[]) => (items.length ? [ctx.helpers.returnJsonArray(items.map(shape))] : null);
	if (ctx.getMode() === 'manual') return emit(await source.sample());

	const state = ctx.getWorkflowStaticData('node');
	const cursor = readCursor(state);
	// Look again below the position only as far as a change could have been invisible when it was
	// read: the overlap below the upper bound of the poll that read it (for a backlog, that is
	// after the position, and only the position's own second is read again).
	const lowerBound = (c: Cursor) => Math.min(Math.max(Math.min(c.at, c.readAt - OVERLAP_MS), c.floor), c.at - 1);
	const after = cursor ? lowerBound(cursor) : undefined;
	const now = await source.providerNow(after, cursor?.memo ?? {});
	const memo = () => (source.memo ? { memo: source.memo() } : {});
	if (!cursor || after === undefined) {
		// Activation: from the provider's now. A provider that gives no clock and has no records: from
		// the beginning (1970, not the earliest Date: the bounds below it must still be valid dates).
		const at = now === undefined ? 0 : now - SETTLE_MS;
		const next: Cursor = { version: 2, at, readAt: at, floor: at, seen: [], ...memo() };
		for (const key of Object.keys(state)) delete state[key];
		Object.assign(state, next);
		return null;
	}
	if (now === undefined) return null;
	const until = now - SETTLE_MS;

	const seen = new Set(cursor.seen.map(([id, at]) => `${id}\n${at}`));
	const emitted: T[] = [];
	const emittedPairs: Array<[string, number]> = [];
	let last: { at: number; afterId?: string } = { at: cursor.at, afterId: cursor.afterId };
	let full = false;

	for await (const page of source.changes(after, until, maxItems)) {
		for (const item of page) {
			const id = source.id(item);
			const at = stampMs(source.changedAt(item));
			if (Number.isNaN(at)) {
				throw new NodeOperationError(ctx.getNode(), `Record ${id} has no readable change time ("${String(source.changedAt(item))}"): nothing was emitted`);
			}
			if (at <= after || at > until) continue;
			const key = `${id}\n${at}`;
			if (seen.has(key)) continue;
			const isNew = isAfter(at, id, cursor);
			if (!isNew && at <= cursor.floor) continue;
			seen.add(key);
			emitted.push(item);
			emittedPairs.push([id, at]);
			if (isNew && isAfter(at, id, last)) last = { at, afterId: id };
			if (emitted.length >= maxItems) {
				full = true;
				break;
			}
		}
		if (full) break;
	}

	// State that changed while the pages were read (an account's offset changed mid-poll) may have
	// hidden changes from them: emit nothing and keep the cursor; the next poll reads them again.
	if (source.stillValid && !(await source.stillValid())) return null;

	const position = full ? last : until > cursor.at ? { at: until } : { at: cursor.at, afterId: cursor.afterId };
	const pairs = cursor.seen.slice();
	for (const pair of emittedPairs) pairs.push(pair);
	const next: Cursor = { version: 2, at: position.at, readAt: Math.max(until, cursor.readAt), floor: cursor.floor, seen: [], ...memo() };
	if (position.afterId !== undefined) next.afterId = position.afterId;
	Object.assign(next, keepSeen(pairs, lowerBound(next), cursor.floor));
	// Written only now, after every page was read: a failed poll leaves the cursor as it was.
	for (const key of Object.keys(state)) delete state[key];
	Object.assign(state, next);
	return emit(emitted);
}
