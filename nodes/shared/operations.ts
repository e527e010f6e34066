import {
	NodeOperationError,
	sleep,
	type IDataObject,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeProperties,
} from 'n8n-workflow';

import { asNodeError } from './errors';
import { isEmailText, readBoolean, readEmailValue, readInteger, readText } from './values';

/**
 * How a node's operations are shaped and run. Provider-neutral: each node's router maps
 * resource/operation to one of these, and this file runs it over the input items.
 */

/**
 * An operation run once per input item (most of them). `prepare` reads and checks the item's
 * input before any item executes (it may read, through the context's cached lookups, never
 * write); what it returns is handed to `execute`, so nothing is built twice.
 */
export interface ItemOperation<Ctx, Input = unknown> {
	description: INodeProperties[];
	prepare?(this: IExecuteFunctions, ctx: Ctx, itemIndex: number): Input | Promise<Input>;
	execute(this: IExecuteFunctions, ctx: Ctx, itemIndex: number, input: Input): Promise<IDataObject | IDataObject[]>;
}

/**
 * One write a batch operation makes: the prepared input of `index`, the item whose fields won.
 * `items` are every input item with the same key (duplicates merged into this one), ascending.
 */
export interface BatchEntry<Input> {
	index: number;
	items: number[];
	input: Input;
}

/**
 * What a batch operation reports through. `settle` records an entry's outcome (a later call
 * replaces it: `queued`, then `succeeded`); `status` is one of created, updated, succeeded,
 * queued, skipped (with `reason`) or failed (with `error`, the provider's reason).
 * `fail` reports a request that failed as a whole: under Continue On Fail its entries become
 * error items and the run goes on; otherwise it throws, saying which items were already written.
 */
export interface BatchRun<Input> {
	/** Whether a failed request lets the run go on (Continue On Fail). */
	readonly continueOnFail: boolean;
	settle(entry: BatchEntry<Input>, outcome: IDataObject): void;
	fail(entries: Array<BatchEntry<Input>>, error: unknown): void;
	/**
	 * Sends chunks of entries, up to `concurrency` chunks in flight (the operation declares it from
	 * its provider's limit; the transport's pacer still bounds the real rate, shared with everything
	 * else the account or key does in the process). Chunks start in the order given. `send` settles
	 * its chunk's entries or calls `fail` for them; if it throws anything else, that chunk's entries
	 * without an outcome share the error.
	 *
	 * With Continue On Fail a failed chunk's entries become error items and the other chunks go on.
	 * Without it, no chunk starts after the first failure, the chunks in flight finish, and then the
	 * run stops with an error naming every item written so far (also by chunks that finished after
	 * the failure) and the items of every failed chunk.
	 */
	sendChunks(chunks: Array<Array<BatchEntry<Input>>>, concurrency: number, send: (chunk: Array<BatchEntry<Input>>, position: number) => Promise<void>): Promise<void>;
}

/**
 * An operation that writes all input items together (bulk upserts). The runner prepares every
 * item, merges duplicates by `key` (the last occurrence's fields win, through `merge`), hands the
 * entries to `executeBatch`, and gives every input item exactly one output item.
 */
export interface BatchOperation<Ctx, Input = unknown> {
	batch: true;
	description: INodeProperties[];
	prepare(this: IExecuteFunctions, ctx: Ctx, itemIndex: number): Input | Promise<Input>;
	/** Items with the same key are one write (for example the lower-cased email). */
	key?(input: Input): string;
	/** The write for two items with the same key: `later`'s fields win. Default: `later`. */
	merge?(earlier: Input, later: Input): Input;
	/** What every output item of this input starts with (for example its email). */
	label?(input: Input): IDataObject;
	executeBatch(this: IExecuteFunctions, ctx: Ctx, entries: Array<BatchEntry<Input>>, run: BatchRun<Input>): Promise<void>;
}

export type Operation<Ctx> = ItemOperation<Ctx, unknown> | BatchOperation<Ctx, unknown>;

/** Shows a property only for one resource and operation. */
export function forOperation(resource: string, operation: string, properties: INodeProperties[]): INodeProperties[] {
	return properties.map((p) => ({
		...p,
		displayOptions: {
			...p.displayOptions,
			show: { ...p.displayOptions?.show, resource: [resource], operation: [operation] },
		},
	}));
}

/** The item a user sees when Continue On Fail is on: message, HTTP status and which item failed. */
export function errorItem(error: unknown, itemIndex: number): INodeExecutionData {
	const e = error as { message?: string; description?: string | null; httpCode?: string | null };
	const json: IDataObject = { error: e.message ?? String(error), itemIndex };
	if (e.description) json.description = e.description;
	if (e.httpCode) json.httpCode = e.httpCode;
	return { json, pairedItem: { item: itemIndex } };
}

/** Makes sure a thrown error names the item it came from. */
function withItem(ctx: IExecuteFunctions, error: unknown, itemIndex: number): Error {
	if (error instanceof Error && 'node' in error) {
		const e = error as Error & { context?: IDataObject };
		e.context = { ...e.context, itemIndex };
		return e;
	}
	return new NodeOperationError(ctx.getNode(), error as Error, { itemIndex });
}

/** Statuses that mean the item's data reached the provider. */
const WRITTEN = new Set(['created', 'updated', 'succeeded', 'queued']);

/** Long loops give the event loop a turn this often, so a big input never blocks n8n. */
const YIELD_EVERY_MS = 20;

export function yielder() {
	let last = Date.now();
	return async () => {
		if (Date.now() - last < YIELD_EVERY_MS) return;
		await sleep(0);
		last = Date.now();
	};
}

/** `0-249, 260, 270-272`: item indexes as ranges. */
export function itemRanges(indexes: number[]): string {
	const sorted = [...indexes].sort((a, b) => a - b);
	const parts: string[] = [];
	for (let i = 0; i < sorted.length; i++) {
		let j = i;
		while (j + 1 < sorted.length && sorted[j + 1] === sorted[j] + 1) j++;
		parts.push(i === j ? String(sorted[i]) : `${sorted[i]}-${sorted[j]}`);
		i = j;
	}
	return parts.join(', ');
}

/** Prepares every item; a bad one stops the run (nothing written), or becomes its error item. */
async function prepareAll<Ctx, Input>(
	ctx: IExecuteFunctions,
	prepare: ((this: IExecuteFunctions, c: Ctx, i: number) => Input | Promise<Input>) | undefined,
	context: Ctx,
	count: number,
	results: INodeExecutionData[][],
	continueOnFail: boolean,
): Promise<Map<number, Input>> {
	const inputs = new Map<number, Input>();
	const turn = yielder();
	for (let index = 0; index < count; index++) {
		try {
			inputs.set(index, prepare ? await prepare.call(ctx, context, index) : (undefined as Input));
		} catch (error) {
			if (!continueOnFail) throw withItem(ctx, error, index);
			results[index] = [errorItem(error, index)];
		}
		await turn();
	}
	return inputs;
}

/**
 * Runs an operation over the input items. Every item is prepared (read and checked) first.
 * Item operations then run up to `concurrency` items at a time (the transport's pacer still
 * bounds the real rate); without Continue On Fail the first failure stops the run (no new items
 * start after it); with it, each failing item yields one error item and the others go on.
 * Batch operations get every item at once; see runBatch. Outputs keep input order and carry pairedItem.
 */
export async function runOperation<Ctx>(
	ctx: IExecuteFunctions,
	operation: Operation<Ctx>,
	context: Ctx,
	concurrency = 1,
): Promise<INodeExecutionData[]> {
	const items = ctx.getInputData();
	const continueOnFail = ctx.continueOnFail();
	const results: INodeExecutionData[][] = new Array(items.length);
	const inputs = await prepareAll(ctx, operation.prepare, context, items.length, results, continueOnFail);
	if ('batch' in operation) return runBatch(ctx, operation, context, inputs, results, continueOnFail);

	const run: { failure?: { index: number; error: unknown }; next: number } = { next: 0 };
	const fail = (index: number, error: unknown) => {
		if (!run.failure || index < run.failure.index) run.failure = { index, error };
	};
	const worker = async () => {
		while (run.next < items.length && !run.failure) {
			const index = run.next++;
			if (!inputs.has(index)) continue;
			try {
				const answer = await operation.execute.call(ctx, context, index, inputs.get(index));
				const list = Array.isArray(answer) ? answer : [answer];
				results[index] = list.map((json) => ({ json, pairedItem: { item: index } }));
			} catch (error) {
				if (continueOnFail) {
					results[index] = [errorItem(error, index)];
				} else {
					fail(index, error);
				}
			}
		}
	};
	await Promise.all(Array.from({ length: Math.max(1, Math.min(concurrency, items.length)) }, worker));
	if (run.failure) throw withItem(ctx, run.failure.error, run.failure.index);
	return results.flat();
}

/**
 * A 404 that came on a repeated attempt (after a timeout, a reset or a 5xx): the first attempt may
 * have done the write and lost its answer. The operation checks with a read before it says so.
 */
export function isRepeated404(error: unknown): boolean {
	const e = error as { httpCode?: string | null; errorResponse?: IDataObject };
	return e.httpCode === '404' && Number(e.errorResponse?.attempts) > 1;
}

/** HTTP statuses that mean the provider refused this one item's data: reported on the item, the run goes on. */
const ITEM_REFUSALS = new Set(['400', '404', '405', '409', '422']);

/**
 * Runs `task` over `work`, up to `concurrency` at once, started in order. A task that throws is
 * handed to `failed`; when that returns `'stop'`, no new task starts (those in flight finish).
 */
async function pool<T>(work: T[], concurrency: number, task: (w: T, position: number) => Promise<void>, failed: (w: T, error: unknown) => 'stop' | 'go'): Promise<void> {
	let next = 0;
	let stopped = false;
	const worker = async () => {
		while (next < work.length && !stopped) {
			const position = next++;
			try {
				await task(work[position], position);
			} catch (error) {
				if (failed(work[position], error) === 'stop') stopped = true;
			}
		}
	};
	await Promise.all(Array.from({ length: Math.max(1, Math.min(Math.floor(concurrency) || 1, work.length)) }, worker));
}

/**
 * Writes batch entries one request each (a batch operation's per-item path), up to `concurrency`
 * at once. A refusal of the item's data (400, 404, 405, 409, 422) is the item's `failed` outcome,
 * as a bulk call reports it; any other failure goes to `run.fail` (see `sendChunks`: without
 * Continue On Fail no new entry starts after it, and the error names what was written).
 */
export async function writeEach<Input>(
	entries: Array<BatchEntry<Input>>,
	concurrency: number,
	run: BatchRun<Input>,
	write: (entry: BatchEntry<Input>) => Promise<IDataObject>,
): Promise<void> {
	await run.sendChunks(
		entries.map((entry) => [entry]),
		concurrency,
		async ([entry]) => {
			try {
				run.settle(entry, await write(entry));
			} catch (error) {
				const e = error as { httpCode?: string | null; message?: string };
				if (e.httpCode && ITEM_REFUSALS.has(e.httpCode)) {
					run.settle(entry, { status: 'failed', error: e.message ?? String(error), httpCode: e.httpCode });
				} else {
					run.fail([entry], error);
				}
			}
		},
	);
}

/** A batch run that collects outcomes and never stops (see collectingRun). */
export interface CollectingRun<Input> extends BatchRun<Input> {
	/** The entry's outcome; a failed one carries the error, and a note when the request got no answer. */
	outcome(entry: BatchEntry<Input>): IDataObject;
	/** Whether the entry has an outcome yet. */
	settled(entry: BatchEntry<Input>): boolean;
}

/**
 * A batch run for a node that calls a batch operation's writer itself and reports per write
 * (Audience Sync): as under Continue On Fail, a failed request fails its own entries and the others
 * go on; every entry's outcome is kept, failures as `failed` outcomes with the error.
 */
export function collectingRun<Input>(): CollectingRun<Input> {
	const outcomes = new Map<BatchEntry<Input>, IDataObject>();
	const run: CollectingRun<Input> = {
		continueOnFail: true,
		settle(entry, outcome) {
			outcomes.set(entry, outcome);
		},
		fail(failed, error) {
			const { error: message, description, httpCode } = errorItem(error, failed[0]?.index ?? 0).json;
			const outcome: IDataObject = { status: 'failed', error: message };
			if (description) outcome.description = description;
			if (httpCode) outcome.httpCode = httpCode;
			const note = unanswered(error);
			if (note) outcome.note = note;
			for (const entry of failed) outcomes.set(entry, outcome);
		},
		async sendChunks(chunks, concurrency, send) {
			await pool(chunks, concurrency, send, (chunk, error) => {
				run.fail(chunk.filter((e) => !outcomes.has(e)), error);
				return 'go';
			});
		},
		outcome(entry) {
			return outcomes.get(entry) ?? { status: 'failed', error: 'No result came back for this item' };
		},
		settled: (entry) => outcomes.has(entry),
	};
	return run;
}

/** Items a merged item names in `mergedWith`; a bigger group adds `mergedCount`. */
const MERGED_NAMED = 20;

/**
 * Errors the batch runner already gave the "already written" description (they pass through as
 * they are), with the failure they describe, so a description can be brought up to date.
 */
const described = new WeakMap<object, { error: unknown; failed: Array<BatchEntry<unknown>>; base?: string | null }>();

/**
 * A batch operation over every prepared item: duplicates merged into one entry, one output item
 * per input item whatever happens (an entry without an outcome reports that none came back).
 */
async function runBatch<Ctx, Input>(
	ctx: IExecuteFunctions,
	operation: BatchOperation<Ctx, Input>,
	context: Ctx,
	inputs: Map<number, Input>,
	results: INodeExecutionData[][],
	continueOnFail: boolean,
): Promise<INodeExecutionData[]> {
	const entries: Array<BatchEntry<Input>> = [];
	const byKey = new Map<string, BatchEntry<Input>>();
	for (const [index, input] of inputs) {
		const key = operation.key?.(input);
		const same = key === undefined ? undefined : byKey.get(key);
		if (same) {
			same.input = operation.merge ? operation.merge(same.input, input) : input;
			same.index = index;
			same.items.push(index);
			continue;
		}
		const entry = { index, items: [index], input };
		entries.push(entry);
		if (key !== undefined) byKey.set(key, entry);
	}

	const outcomes = new Map<BatchEntry<Input>, IDataObject>();
	const errors = new Map<BatchEntry<Input>, unknown>();
	const total = inputs.size;
	const run: BatchRun<Input> = {
		continueOnFail,
		settle(entry, outcome) {
			outcomes.set(entry, outcome);
			errors.delete(entry);
		},
		fail(failed, error) {
			if (!continueOnFail) throw alreadyWritten(ctx, error, failed, outcomes, total);
			for (const entry of failed) {
				errors.set(entry, error);
				outcomes.delete(entry);
			}
		},
		async sendChunks(chunks, concurrency, send) {
			// Without Continue On Fail: the first failure, and the entries of every failed chunk.
			let stop: { error: unknown; failed: Array<BatchEntry<Input>> } | undefined;
			await pool(chunks, concurrency, send, (chunk, error) => {
				const origin = error && typeof error === 'object' ? described.get(error) : undefined;
				if (!origin) {
					const open = chunk.filter((e) => !outcomes.has(e) && !errors.has(e));
					if (continueOnFail) {
						run.fail(open, error);
						return 'go';
					}
					stop = stop ? { ...stop, failed: [...stop.failed, ...open] } : { error, failed: open };
				} else {
					const failed = origin.failed as Array<BatchEntry<Input>>;
					stop = stop ? { ...stop, failed: [...stop.failed, ...failed] } : { error: origin.error, failed };
				}
				return 'stop';
			});
			// Described once every chunk in flight has its outcome: it names all that was written.
			if (stop) throw alreadyWritten(ctx, stop.error, stop.failed, outcomes, total);
		},
	};
	try {
		await operation.executeBatch.call(ctx, context, entries, run);
	} catch (error) {
		const origin = error && typeof error === 'object' ? described.get(error) : undefined;
		// Described again now: work in flight when it was made may have written more since.
		if (origin) throw asNodeError(ctx.getNode(), alreadyWritten(ctx, origin.error, origin.failed as Array<BatchEntry<Input>>, outcomes, total));
		// An unexpected failure: every entry without an outcome yet shares it.
		run.fail(entries.filter((e) => !outcomes.has(e) && !errors.has(e)), error);
	}

	for (const entry of entries) {
		const outcome = outcomes.get(entry);
		const error = errors.get(entry);
		for (const index of entry.items) {
			const json: IDataObject = { ...operation.label?.(inputs.get(index) as Input) };
			if (outcome) {
				Object.assign(json, outcome);
				if (outcome.status === 'failed') json.itemIndex = index;
			} else if (error !== undefined) {
				Object.assign(json, { status: 'failed' }, errorItem(error, index).json);
				const note = unanswered(error);
				if (note) json.note = note;
			} else {
				Object.assign(json, { status: 'failed', error: 'No result came back for this item', itemIndex: index });
			}
			if (entry.items.length > 1) {
				// The others, up to MERGED_NAMED of them (a big group would make this quadratic), and how many in all.
				json.mergedWith = entry.items.slice(0, MERGED_NAMED + 1).filter((i) => i !== index).slice(0, MERGED_NAMED);
				if (entry.items.length > MERGED_NAMED + 1) json.mergedCount = entry.items.length;
			}
			results[index] = [{ json, pairedItem: { item: index } }];
		}
	}
	return results.flat();
}

const MAYBE_APPLIED = 'No readable answer came back: the provider may still have applied this request';
const EARLIER_MAYBE_APPLIED = 'An earlier attempt got no readable answer before this failure: the provider may still have applied this request';

/**
 * A request that got no readable answer (a timeout, a reset, a cut-off body), or one sent again
 * after such an attempt and then refused: its outcome is unknown, since the lost attempt may have
 * been applied. The note to say so, or undefined when the failure is known to have written nothing.
 */
function unanswered(error: unknown): string | undefined {
	const response = (error as { errorResponse?: IDataObject }).errorResponse;
	if (!response || typeof response !== 'object') return undefined;
	if (response.status === null) return MAYBE_APPLIED;
	return Number(response.unansweredAttempts) > 0 ? EARLIER_MAYBE_APPLIED : undefined;
}

/** The error of a failed request, with what was already written before it, for a run that stops. */
function alreadyWritten<Input>(
	ctx: IExecuteFunctions,
	error: unknown,
	failed: Array<BatchEntry<Input>>,
	outcomes: Map<BatchEntry<Input>, IDataObject>,
	total: number,
): Error {
	const written: number[] = [];
	// A loop, not push(...items): spreading a large array into arguments throws a RangeError.
	for (const [entry, outcome] of outcomes) if (WRITTEN.has(String(outcome.status))) for (const item of entry.items) written.push(item);
	const inFailed = failed.flatMap((e) => e.items);
	const first = inFailed.reduce((min, i) => Math.min(min, i), inFailed[0] ?? 0);
	const e = withItem(ctx, error, first) as Error & { description?: string | null };
	// The same error described again (more was written since): from its own description.
	const base = described.has(e) ? described.get(e)!.base : e.description;
	const summary = written.length
		? `Already written before this failure: ${written.length} of ${total} items (${itemRanges(written)}).`
		: `Nothing was written before this failure (${total} items).`;
	const note = unanswered(error);
	const failedText = inFailed.length ? ` The failed request carried items ${itemRanges(inFailed)}${note ? ` (${note.charAt(0).toLowerCase()}${note.slice(1)})` : ''}.` : '';
	e.description = [base, `${summary}${failedText} Items not named were not written. Turn on Continue On Fail to get one result per item.`]
		.filter(Boolean)
		.join(' ');
	described.set(e, { error, failed: failed as Array<BatchEntry<unknown>>, base });
	return e;
}

/** A date filter as ISO text; an unreadable one is refused naming the item and the filter. */
export function readDate(ctx: IExecuteFunctions, value: unknown, itemIndex: number, name: string): string {
	const date = value instanceof Date ? value : typeof value === 'number' ? new Date(value) : new Date(readText(ctx, value, `Filter ${name}`, itemIndex));
	if (Number.isNaN(date.getTime())) {
		throw new NodeOperationError(ctx.getNode(), `Filter ${name} "${String(value)}" is not a date (item ${itemIndex})`, { itemIndex });
	}
	return date.toISOString();
}

/**
 * A node's execute: picks the operation from the resource and operation parameters, builds the
 * operation context once (the paced client and lookups), and runs the operation over the items.
 */
export async function routeOperation<Ctx>(
	ctx: IExecuteFunctions,
	operations: Record<string, Record<string, Operation<Ctx>>>,
	makeContext: () => Promise<Ctx>,
	concurrency: number,
): Promise<INodeExecutionData[][]> {
	const resource = ctx.getNodeParameter('resource', 0) as string;
	const operation = ctx.getNodeParameter('operation', 0) as string;
	const selected = operations[resource]?.[operation];
	if (!selected) throw new NodeOperationError(ctx.getNode(), `The operation "${operation}" is not known for "${resource}"`);
	return [await runOperation(ctx, selected, await makeContext(), concurrency)];
}

/** Reads a `limit` parameter and refuses one below 1, naming the item. */
export function readLimit(ctx: IExecuteFunctions, itemIndex: number): number | undefined {
	if (readBoolean(ctx, ctx.getNodeParameter('returnAll', itemIndex, false), 'Return All', itemIndex)) return undefined;
	return readInteger(ctx, ctx.getNodeParameter('limit', itemIndex, 50), 'Limit', itemIndex, { min: 1 });
}

/** The returnAll + limit pair every Get Many offers. */
export function returnAllAndLimit(maxValue?: number): INodeProperties[] {
	return [
		{
			displayName: 'Return All',
			name: 'returnAll',
			type: 'boolean',
			default: false,
			description: 'Whether to return all results or only up to a given limit',
		},
		{
			displayName: 'Limit',
			name: 'limit',
			type: 'number',
			typeOptions: { minValue: 1, ...(maxValue ? { maxValue } : {}) },
			default: 50,
			description: 'Max number of results to return',
			displayOptions: { show: { returnAll: [false] } },
		},
	];
}

/** The email an item gives, trimmed; a missing, non-text or malformed one is refused naming item and field. */
export function readEmail(ctx: IExecuteFunctions, value: unknown, itemIndex: number, field = 'Email'): string {
	return readEmailValue(ctx, value, itemIndex, field);
}

export const isEmail = (value: string) => isEmailText(value);

