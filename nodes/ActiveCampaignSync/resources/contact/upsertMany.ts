import { sleep, type IDataObject, type IExecuteFunctions, type INodeExecutionData } from 'n8n-workflow';

import { asNodeError } from '../../../shared/errors';
import { type BatchOperation, errorItem, forOperation, readEmail } from '../../../shared/operations';
import { splitNames } from '../../../shared/values';
import type { AcContext } from '../../types';
import { AC_IMPORT_SIZE, AC_IMPORT_THRESHOLD, importPacer } from '../../transport';
import { contactBody, contactFields } from './fields';

/**
 * Create or Update Many: every input item in as few calls as ActiveCampaign allows
 * (import/bulk_import, 250 contacts a call, 100 calls a minute), one result per input item.
 */

interface Prepared {
	index: number;
	email: string;
	/** contact/sync body, for small batches. */
	sync: IDataObject;
	/** bulk_import row. */
	row: IDataObject;
	tags: string[];
	lists: string[];
}

export const upsertMany: BatchOperation<AcContext> = {
	batch: true,
	description: forOperation('contact', 'upsertMany', [
		{
			displayName: 'Email',
			name: 'email',
			type: 'string',
			placeholder: 'name@email.com',
			required: true,
			default: '={{ $json.email }}',
			description: 'Each input item is one contact, matched on this email',
		},
		contactFields('additionalFields'),
		{
			displayName: 'Tags',
			name: 'tags',
			type: 'string',
			default: '',
			placeholder: 'customer, newsletter',
			description: 'Tag names to add to each contact, separated by commas; missing tags are created',
		},
		{
			displayName: 'Subscribe to List Names or IDs',
			name: 'lists',
			type: 'multiOptions',
			typeOptions: { loadOptionsMethod: 'getLists' },
			default: [],
			description: 'Lists each contact is subscribed to. Choose from the list, or specify IDs or names using an <a href="https://docs.n8n.io/code/expressions/">expression</a>. Choose from the list, or specify IDs using an <a href="https://docs.n8n.io/code/expressions/">expression</a>.',
		},
		{
			displayName: 'Options',
			name: 'options',
			type: 'collection',
			placeholder: 'Add Option',
			default: {},
			options: [
				{
					displayName: 'Wait for Completion',
					name: 'waitForCompletion',
					type: 'boolean',
					default: true,
					description: 'Whether to wait until ActiveCampaign has processed each import and report per item whether it succeeded. Off: each item reports "queued" with the import\'s batch ID.',
				},
				{
					displayName: 'Completion Timeout (Seconds)',
					name: 'completionTimeout',
					type: 'number',
					typeOptions: { minValue: 1 },
					default: 300,
					description: 'How long to wait for imports to finish before reporting the rest as queued',
				},
			],
		},
	]),

	async executeBatch(ctx, items) {
		const results: INodeExecutionData[] = new Array(items.length);
		const prepared: Prepared[] = [];
		const continueOnFail = this.continueOnFail();

		// 1. Read and check every item before sending anything: a bad one stops the run with nothing sent,
		//    or (Continue On Fail) is reported on its own item while the rest go ahead.
		for (let i = 0; i < items.length; i++) {
			try {
				prepared.push(await prepare(this, ctx, i));
			} catch (error) {
				if (!continueOnFail) throw asNodeError(this.getNode(), error, i);
				results[i] = errorItem(error, i);
			}
		}

		const ok = (p: Prepared, json: IDataObject): INodeExecutionData => ({ json: { email: p.email, ...json }, pairedItem: { item: p.index } });

		if (prepared.length < AC_IMPORT_THRESHOLD) {
			for (const p of prepared) {
				try {
					results[p.index] = ok(p, { status: 'succeeded', contactId: await syncOne(ctx, p) });
				} catch (error) {
					if (!continueOnFail) throw asNodeError(this.getNode(), error, p.index);
					results[p.index] = errorItem(error, p.index);
				}
			}
			return results;
		}

		const options = this.getNodeParameter('options', 0, {}) as IDataObject;
		const wait = options.waitForCompletion !== false;
		const deadline = Date.now() + Number(options.completionTimeout ?? 300) * 1000;
		const pending: Array<{ batchId: string; rows: Prepared[] }> = [];

		// 2. Send in chunks of 250. A chunk ActiveCampaign refuses over some contacts is sent again without them.
		for (let start = 0; start < prepared.length; start += AC_IMPORT_SIZE) {
			let chunk = prepared.slice(start, start + AC_IMPORT_SIZE);
			while (chunk.length) {
				const release = await importPacer(ctx.client).acquire();
				release();
				try {
					const answer = await ctx.client.request<IDataObject>({
						method: 'POST',
						path: '/import/bulk_import',
						body: { contacts: chunk.map((p) => p.row) },
						subject: `a bulk import of ${chunk.length} contacts`,
					});
					pending.push({ batchId: String(answer.batchId), rows: chunk });
					chunk = [];
				} catch (error) {
					const reasons = failureReasons(error);
					// Only re-send when the refusal names contacts of this chunk; otherwise it would repeat forever.
					if (![...reasons.keys()].some((position) => position < chunk.length)) throw asNodeError(this.getNode(), error);
					for (const [position, reason] of reasons) {
						const p = chunk[position];
						if (p) results[p.index] = { json: { email: p.email, status: 'failed', error: reason, itemIndex: p.index }, pairedItem: { item: p.index } };
					}
					chunk = chunk.filter((_, position) => !reasons.has(position));
				}
			}
		}

		// 3. Report: queued with the batch id, or what each import did once ActiveCampaign is done.
		for (const { batchId, rows } of pending) {
			const info = wait ? await waitForImport(ctx, batchId, deadline) : undefined;
			const failed = new Set((info?.failure ?? []).map((e) => String(e).toLowerCase()));
			for (const p of rows) {
				if (!info) results[p.index] = ok(p, { status: 'queued', batchId });
				else if (failed.has(p.email.toLowerCase())) {
					results[p.index] = { json: { email: p.email, status: 'failed', batchId, error: 'ActiveCampaign did not import this contact', itemIndex: p.index }, pairedItem: { item: p.index } };
				} else results[p.index] = ok(p, { status: 'succeeded', batchId });
			}
		}
		return results;
	},
};

async function prepare(ctx: IExecuteFunctions, { lookups }: AcContext, i: number): Promise<Prepared> {
	const email = readEmail(ctx, ctx.getNodeParameter('email', i), i);
	const fields = ctx.getNodeParameter('additionalFields', i, {}) as IDataObject;
	const sync = await contactBody(lookups, i, fields, email);
	const contact = sync.contact as IDataObject;
	const lists: string[] = [];
	for (const name of splitNames(ctx.getNodeParameter('lists', i, []))) lists.push((await lookups.require('list', name, i)).id);
	const tags = splitNames(ctx.getNodeParameter('tags', i, ''));
	const row: IDataObject = {
		email,
		first_name: contact.firstName,
		last_name: contact.lastName,
		phone: contact.phone,
		tags,
		fields: ((contact.fieldValues as IDataObject[] | undefined) ?? []).map((f) => ({ id: f.field, value: f.value })),
		subscribe: lists.map((listid) => ({ listid })),
	};
	for (const key of Object.keys(row)) if (row[key] === undefined) delete row[key];
	return { index: i, email, sync, row, tags, lists };
}

/** contact/sync, then its tags and list subscriptions: the small-batch path. */
async function syncOne({ client, lookups }: AcContext, p: Prepared): Promise<string> {
	const answer = await client.request<IDataObject>({ method: 'POST', path: '/contact/sync', body: p.sync, subject: `the contact ${p.email}`, itemIndex: p.index });
	const contactId = String((answer.contact as IDataObject).id);
	for (const name of p.tags) {
		const tag = await lookups.tagCreatingIfMissing(name, p.index);
		await client.request({ method: 'POST', path: '/contactTags', body: { contactTag: { contact: contactId, tag: tag.id } }, itemIndex: p.index });
	}
	for (const list of p.lists) {
		await client.request({ method: 'POST', path: '/contactLists', body: { contactList: { list, contact: contactId, status: 1 } }, itemIndex: p.index });
	}
	return contactId;
}

/** `failureReasons` of a refused import: position in the chunk → reason. */
function failureReasons(error: unknown): Map<number, string> {
	const body = ((error as { errorResponse?: IDataObject }).errorResponse?.body ?? {}) as IDataObject;
	const reasons = new Map<number, string>();
	for (const r of (body.failureReasons as IDataObject[] | undefined) ?? []) {
		if (Number.isInteger(Number(r.contact))) reasons.set(Number(r.contact), String(r.failureReason ?? 'Refused by ActiveCampaign'));
	}
	return reasons;
}

async function waitForImport({ client }: AcContext, batchId: string, deadline: number): Promise<{ failure: string[] } | undefined> {
	for (let delay = 250; ; delay = Math.min(delay * 2, 5000)) {
		const info = await client.request<IDataObject>({ method: 'GET', path: '/import/info', query: { batchId }, subject: `import ${batchId}` });
		if (String(info.status).startsWith('complete')) return { failure: (info.failure as string[] | undefined) ?? [] };
		if (Date.now() + delay > deadline) return undefined;
		await sleep(delay);
	}
}
