import {
	NodeOperationError,
	type IDataObject,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeProperties,
} from 'n8n-workflow';

/**
 * How a node's operations are shaped and run. Provider-neutral: each node's router maps
 * resource/operation to one of these, and this file runs it over the input items.
 */

/** An operation run once per input item (most of them). */
export interface ItemOperation<Ctx> {
	description: INodeProperties[];
	/**
	 * Checks an item's input before anything is written: run for every item before any item
	 * executes. It may read (names → ids through the context's cached lookups), never write.
	 */
	check?(this: IExecuteFunctions, ctx: Ctx, itemIndex: number): void | Promise<void>;
	execute(this: IExecuteFunctions, ctx: Ctx, itemIndex: number): Promise<IDataObject | IDataObject[]>;
}

/** An operation that takes all input items at once (bulk upserts); it returns one result per input item. */
export interface BatchOperation<Ctx> {
	batch: true;
	description: INodeProperties[];
	executeBatch(this: IExecuteFunctions, ctx: Ctx, items: INodeExecutionData[]): Promise<INodeExecutionData[]>;
}

export type Operation<Ctx> = ItemOperation<Ctx> | BatchOperation<Ctx>;

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

/**
 * Runs an operation over the input items. Item operations run up to `concurrency` items at a
 * time (the transport's pacer still bounds the real request rate), outputs keep input order
 * and carry pairedItem. Without Continue On Fail the first failure stops the run (no new items
 * start after it); with it, each failing item yields one error item and the others go on.
 */
export async function runOperation<Ctx>(
	ctx: IExecuteFunctions,
	operation: Operation<Ctx>,
	context: Ctx,
	concurrency = 1,
): Promise<INodeExecutionData[]> {
	const items = ctx.getInputData();
	if ('batch' in operation) return operation.executeBatch.call(ctx, context, items);

	const continueOnFail = ctx.continueOnFail();
	const results: INodeExecutionData[][] = new Array(items.length);
	const run: { failure?: { index: number; error: unknown }; next: number } = { next: 0 };
	const fail = (index: number, error: unknown) => {
		if (!run.failure || index < run.failure.index) run.failure = { index, error };
	};

	// Input problems surface before anything is written: without Continue On Fail the run stops here.
	const skip = new Set<number>();
	if (operation.check) {
		for (let index = 0; index < items.length; index++) {
			try {
				await operation.check.call(ctx, context, index);
			} catch (error) {
				if (!continueOnFail) throw withItem(ctx, error, index);
				results[index] = [errorItem(error, index)];
				skip.add(index);
			}
		}
	}

	const worker = async () => {
		while (run.next < items.length && !run.failure) {
			const index = run.next++;
			if (skip.has(index)) continue;
			try {
				const answer = await operation.execute.call(ctx, context, index);
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

/** A date filter as ISO text; an unreadable one is refused naming the item and the filter. */
export function readDate(ctx: IExecuteFunctions, value: unknown, itemIndex: number, name: string): string {
	const date = new Date(String(value));
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
	if (ctx.getNodeParameter('returnAll', itemIndex, false) as boolean) return undefined;
	const limit = ctx.getNodeParameter('limit', itemIndex, 50) as number;
	if (!Number.isInteger(limit) || limit < 1) {
		throw new NodeOperationError(ctx.getNode(), `Limit must be a whole number of at least 1 (item ${itemIndex}, got ${limit})`, { itemIndex });
	}
	return limit;
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

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/** The email an item gives, trimmed; a missing or malformed one is refused naming item and field. */
export function readEmail(ctx: IExecuteFunctions, value: unknown, itemIndex: number, field = 'Email'): string {
	const email = typeof value === 'string' ? value.trim() : '';
	if (!email) throw new NodeOperationError(ctx.getNode(), `${field} is missing (item ${itemIndex})`, { itemIndex });
	if (!EMAIL.test(email)) {
		throw new NodeOperationError(ctx.getNode(), `${field} "${email}" is not a valid email address (item ${itemIndex})`, { itemIndex });
	}
	return email;
}

export const isEmail = (value: string) => EMAIL.test(value);

