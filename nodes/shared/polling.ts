import type { IDataObject } from 'n8n-workflow';

/**
 * The cursor a polling trigger keeps in the workflow's static data: the newest change time seen,
 * and the ids already emitted at exactly that time (APIs differ on whether "since" is inclusive,
 * so items at the boundary are filtered rather than risked twice or lost).
 */
export interface PollCursor {
	since?: string;
	idsAtSince?: string[];
}

/** Items changed after the cursor, and the cursor to keep after emitting them. */
export function takeNew<T extends IDataObject>(
	cursor: PollCursor,
	items: T[],
	id: (item: T) => string,
	changedAt: (item: T) => string,
): { fresh: T[]; next: PollCursor } {
	const since = cursor.since ? Date.parse(cursor.since) : Number.NEGATIVE_INFINITY;
	const seen = new Set(cursor.idsAtSince ?? []);
	const fresh = items.filter((item) => {
		const at = Date.parse(changedAt(item));
		return at > since || (at === since && !seen.has(id(item)));
	});
	if (!fresh.length) return { fresh, next: cursor };
	const newest = Math.max(...fresh.map((item) => Date.parse(changedAt(item))));
	const atNewest = fresh.filter((item) => Date.parse(changedAt(item)) === newest).map(id);
	const next: PollCursor =
		newest === since
			? { since: cursor.since, idsAtSince: [...seen, ...atNewest] }
			: { since: new Date(newest).toISOString(), idsAtSince: atNewest };
	return { fresh, next };
}
