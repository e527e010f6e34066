import type { IDataObject, INodeExecutionData, IPollFunctions } from 'n8n-workflow';

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

export interface ChangeSource<T extends IDataObject> {
	/** The newest record, for the editor's Fetch test event. */
	sample(): Promise<T[]>;
	/** Every record changed at or after `since` (all pages). */
	changedSince(since: string): Promise<T[]>;
	id(item: T): string;
	changedAt(item: T): string;
	shape?(item: T): IDataObject;
}

/**
 * A polling trigger's poll: a sample in manual mode; on the first poll after activation the
 * cursor starts at now and nothing is emitted; afterwards every change since the cursor, once.
 */
export async function pollChanges<T extends IDataObject>(ctx: IPollFunctions, source: ChangeSource<T>): Promise<INodeExecutionData[][] | null> {
	const shape = source.shape ?? ((item: T) => item);
	const emit = (items: T[]) => (items.length ? [ctx.helpers.returnJsonArray(items.map(shape))] : null);
	if (ctx.getMode() === 'manual') return emit(await source.sample());
	const state = ctx.getWorkflowStaticData('node') as PollCursor;
	if (!state.since) {
		state.since = new Date().toISOString();
		state.idsAtSince = [];
		return null;
	}
	const { fresh, next } = takeNew(state, await source.changedSince(state.since), source.id, source.changedAt);
	Object.assign(state, next);
	return emit(fresh);
}
