import { NodeOperationError, type IDataObject, type IExecuteFunctions } from 'n8n-workflow';

import { type BatchEntry, type BatchOperation, type BatchRun, forOperation, readEmail, writeEach } from '../../../shared/operations';
import { itemParameter, readBoolean, readCollection, readNames, shown } from '../../../shared/values';
import { emailsOfContacts, type ImportEnd, ImportWatcher, refusedContacts, submitImport } from '../../imports';
import type { AcContext } from '../../types';
import { readRef } from '../../lookups';
import { AC_IMPORT_SIZE, AC_IMPORT_THRESHOLD } from '../../transport';
import { contactBody, contactFields } from './fields';

/**
 * Create or Update Many: every input item in as few calls as ActiveCampaign allows
 * (import/bulk_import, 250 contacts a call, 100 calls a minute). The runner gives one result per
 * input item; the same email twice is one contact (the last item's fields win).
 *
 * Subscription policy, the same whatever the item count: a contact who unsubscribed from (or
 * bounced on) a chosen list is not subscribed again, unless Overwrite Status is on.
 */

interface ContactInput {
	email: string;
	/** contact/sync body, for the per-contact path. */
	sync: IDataObject;
	/** bulk_import row. */
	row: IDataObject;
	tags: string[];
	lists: string[];
}

type Entry = BatchEntry<ContactInput>;

/** contactList statuses a contact keeps unless Overwrite Status: unsubscribed (2), bounced (3). */
const KEPT_LIST_STATUSES = new Set(['2', '3']);

export const upsertMany: BatchOperation<AcContext, ContactInput> = {
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
			description: 'Tag names to add to each contact, separated by commas; missing tags are created. A value is always a name, also when it is made of digits.',
		},
		{
			displayName: 'Subscribe to List Names or IDs',
			name: 'lists',
			type: 'multiOptions',
			typeOptions: { loadOptionsMethod: 'getLists' },
			default: [],
			description: 'Lists each contact is subscribed to. In an expression: list IDs, or name: and a name each (name:Newsletter). Choose from the list, or specify IDs using an <a href="https://docs.n8n.io/code/expressions/">expression</a>.',
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
					displayName: 'Import Wait (Seconds)',
					name: 'completionTimeout',
					type: 'number',
					typeOptions: { minValue: 1 },
					default: 300,
					description: 'How long to wait for ActiveCampaign to finish the imports. Contacts of imports still running then report "queued".',
				},
				{
					displayName: 'Exclude Automations',
					name: 'excludeAutomations',
					type: 'boolean',
					default: false,
					description: 'Whether imported contacts stay out of automations (for historical loads). Contacts are then always sent as bulk imports, even when there are fewer than 10 (but at least 2, as ActiveCampaign never gets an import of one contact).',
				},
				{
					displayName: 'Overwrite Status',
					name: 'overwriteStatus',
					type: 'boolean',
					default: false,
					description: 'Whether contacts who unsubscribed from a chosen list are subscribed to it again. Off: they stay unsubscribed, whatever the item count. On: each contact is written on its own, which is slower, because a bulk import never subscribes them again.',
				},
			],
		},
	]),

	async prepare(ctx, i) {
		const options = importOptions(this);
		if (options.excludeAutomations && options.overwrite) {
			throw new NodeOperationError(
				this.getNode(),
				`Exclude Automations and Overwrite Status cannot be combined (item ${i})`,
				{ itemIndex: i, description: 'Only a bulk import can exclude automations, and a bulk import never subscribes an unsubscribed contact again. Turn one of them off.' },
			);
		}
		return prepareContact(this, ctx, i);
	},

	key: (input) => input.email.toLowerCase(),
	merge: mergeContacts,
	label: (input) => ({ email: input.email }),

	async executeBatch(ctx, entries, run) {
		const { options, overwrite, excludeAutomations, wait } = importOptions(this);
		if (overwrite || (!excludeAutomations && entries.length < AC_IMPORT_THRESHOLD)) {
			return syncEach(ctx, entries, run, overwrite);
		}
		const timeout = options.completionTimeout === undefined || options.completionTimeout === '' ? 300 : Number(options.completionTimeout);
		// A timeout that is not a positive number (an expression gone wrong) would wait forever.
		if (!Number.isFinite(timeout) || timeout <= 0) {
			throw new NodeOperationError(this.getNode(), `Import Wait must be a number of seconds above 0, got ${shown(options.completionTimeout)}`);
		}
		const deadline = Date.now() + timeout * 1000;
		// Statuses are read while the next imports are still being sent (one loop, oldest first).
		const watcher = wait ? new ImportWatcher(ctx.client, deadline) : undefined;
		const settling: Array<Promise<void>> = [];
		/** Without Continue On Fail: the first failure found while settling an import (the run stops). */
		let stopped: unknown;

		/** Reports an accepted import once ActiveCampaign is done with it (or the timeout passes). */
		const settleLater = async (batchId: string, sent: Entry[]) => {
			let end: ImportEnd | undefined;
			try {
				end = await watcher!.watch(batchId, Date.now());
			} catch (error) {
				const note = `Accepted by ActiveCampaign; its import status could not be read: ${(error as Error).message}`;
				for (const entry of sent) run.settle(entry, { status: 'queued', batchId, note });
				return;
			}
			if (!end) {
				for (const entry of sent) run.settle(entry, { status: 'queued', batchId, note: 'ActiveCampaign was still processing this import at the completion timeout' });
				return;
			}
			try {
				await settleImport(ctx, run, batchId, end, sent);
			} catch (error) {
				stopped ??= error;
			}
		};

		// 1. Send in imports of at most 250, sized evenly, a few at once (the account's pacers set
		//    the real pace). A contact ActiveCampaign refuses is failed and the rest sent again.
		//    Never a 1-contact import (it counts against a limit of 20 a minute): a contact left
		//    alone waits for others left alone, or is written on its own.
		const alone: Entry[] = [];
		const send = async (chunk: Entry[]) => {
			if (stopped !== undefined) throw stopped;
			while (chunk.length > 1) {
				const payload: IDataObject = { contacts: chunk.map((e) => e.input.row) };
				if (excludeAutomations) payload.exclude_automations = true;
				try {
					const batchId = await submitImport(ctx.client, payload, chunk.length);
					for (const entry of chunk) run.settle(entry, { status: 'queued', batchId });
					if (watcher) settling.push(settleLater(batchId, chunk));
					chunk = [];
				} catch (error) {
					const reasons = refusedContacts(error);
					if (![...reasons.keys()].some((position) => position < chunk.length)) {
						// Refused as a whole (or it failed on the way): these items fail, the others go on.
						run.fail(chunk, error);
						chunk = [];
						continue;
					}
					for (const [position, reason] of reasons) if (chunk[position]) run.settle(chunk[position], { status: 'failed', error: reason });
					chunk = chunk.filter((_, position) => !reasons.has(position));
				}
			}
			if (chunk.length) alone.push(chunk[0]);
		};
		const inFlight = ctx.client.api.pacer.parallelism;
		try {
			await run.sendChunks(evenChunks(entries, AC_IMPORT_SIZE), inFlight, send);
			while (alone.length > 1) await run.sendChunks(evenChunks(alone.splice(0), AC_IMPORT_SIZE), inFlight, send);
		} finally {
			// 2. What each import did: the statuses still to come.
			watcher?.close();
			await Promise.all(settling);
			await watcher?.finished;
		}
		if (stopped !== undefined) throw stopped;
		if (alone.length && !excludeAutomations) await syncEach(ctx, alone, run, false);
		else if (alone.length) {
			run.settle(alone[0], {
				status: 'failed',
				error: 'Not imported: Exclude Automations needs a bulk import of at least 2 contacts, and this contact was left alone (the others were refused, or there were none). A 1-contact import is never sent: ActiveCampaign allows only 20 a minute. Send it again with other contacts, or with Exclude Automations off.',
			});
		}
	},
};

/**
 * The Options collection, read once for the run (as the first item gives it). Its yes/no options
 * are read as VIP is: an expression gives a sheet's "true" or "no" as text, never taken silently as
 * the default; anything else is refused naming the option.
 */
function importOptions(ctx: IExecuteFunctions) {
	const options = itemParameter(ctx, 'options', 0, {}) as IDataObject;
	return {
		options,
		overwrite: readBoolean(ctx, options.overwriteStatus, 'Overwrite Status', 0),
		excludeAutomations: readBoolean(ctx, options.excludeAutomations, 'Exclude Automations', 0),
		wait: readBoolean(ctx, options.waitForCompletion, 'Wait for Completion', 0, true),
	};
}

/** Reports one ended import on its entries. */
async function settleImport({ client, onImported }: AcContext, run: BatchRun<ContactInput>, batchId: string, end: ImportEnd, sent: Entry[]): Promise<void> {
	if (end.success.length) onImported?.(end.success);
	if (end.status === 'completed') {
		const refused = new Set(end.failure.map((e) => e.toLowerCase()));
		for (const entry of sent) {
			run.settle(
				entry,
				refused.has(entry.input.email.toLowerCase())
					? { status: 'failed', batchId, error: 'ActiveCampaign did not import this contact' }
					: { status: 'succeeded', batchId },
			);
		}
		return;
	}
	// Failed or interrupted: the contacts it did import are found by the ids it reports.
	let imported: Set<string>;
	try {
		imported = end.success.length ? await emailsOfContacts(client, end.success) : new Set();
	} catch (error) {
		run.fail(sent, error);
		return;
	}
	for (const entry of sent) {
		run.settle(
			entry,
			imported.has(entry.input.email.toLowerCase())
				? { status: 'succeeded', batchId }
				: { status: 'failed', batchId, error: `ActiveCampaign reports the import ${end.status}; this contact was not imported` },
		);
	}
}

/** Splits into the fewest chunks of at most `size`, as even as possible. */
function evenChunks<T>(all: T[], size: number): T[][] {
	const count = Math.ceil(all.length / size);
	const chunks: T[][] = [];
	for (let c = 0, start = 0; c < count; c++) {
		const length = Math.floor(all.length / count) + (c < all.length % count ? 1 : 0);
		chunks.push(all.slice(start, start + length));
		start += length;
	}
	return chunks;
}

async function prepareContact(ctx: IExecuteFunctions, { lookups }: AcContext, i: number): Promise<ContactInput> {
	const email = readEmail(ctx, itemParameter(ctx, 'email', i), i);
	const fields = readCollection(ctx, 'additionalFields', 'Additional Fields', i);
	// Names are read before any lookup, so a bad item sends no request.
	const listRefs = readNames(ctx, itemParameter(ctx, 'lists', i, []), 'Lists', i).map((value) => readRef(ctx, value, 'list', i));
	const tags = readNames(ctx, itemParameter(ctx, 'tags', i, ''), 'Tags', i);
	const sync = await contactBody(lookups, i, fields, email);
	const contact = sync.contact as IDataObject;
	const lists: string[] = [];
	for (const ref of listRefs) lists.push((await lookups.require('list', ref, i)).id);
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
	return { email, sync, row, tags, lists };
}

/** Values of `later` win; list-like values (tags, lists, custom fields) are joined, `later` winning per key. */
function mergeContacts(earlier: ContactInput, later: ContactInput): ContactInput {
	const union = (a: string[], b: string[]) => [...new Set([...a, ...b])];
	const byKey = (a: unknown, b: unknown, key: string) => {
		const out = new Map<string, IDataObject>();
		for (const v of [...((a as IDataObject[] | undefined) ?? []), ...((b as IDataObject[] | undefined) ?? [])]) out.set(String(v[key]), v);
		return [...out.values()];
	};
	const tags = union(earlier.tags, later.tags);
	const lists = union(earlier.lists, later.lists);
	const row: IDataObject = {
		...earlier.row,
		...later.row,
		tags,
		fields: byKey(earlier.row.fields, later.row.fields, 'id'),
		subscribe: lists.map((listid) => ({ listid })),
	};
	const a = earlier.sync.contact as IDataObject;
	const b = later.sync.contact as IDataObject;
	const contact: IDataObject = { ...a, ...b };
	if (a.fieldValues || b.fieldValues) contact.fieldValues = byKey(a.fieldValues, b.fieldValues, 'field');
	return { email: later.email, sync: { contact }, row, tags, lists };
}

/** Items written one contact at a time (few items, or Overwrite Status), up to 5 at once. */
function syncEach(ctx: AcContext, entries: Entry[], run: BatchRun<ContactInput>, overwrite: boolean): Promise<void> {
	return writeEach(entries, 5, run, (entry) => syncOne(ctx, entry, overwrite));
}

/**
 * contact/sync, then its tags and list subscriptions. A list the contact unsubscribed from (or
 * bounced on) is left alone unless `overwrite`, as a bulk import does.
 */
async function syncOne({ client, lookups }: AcContext, { index, input }: Entry, overwrite: boolean): Promise<IDataObject> {
	const answer = await client.request<IDataObject>({ method: 'POST', path: '/contact/sync', body: input.sync, subject: `the contact ${input.email}`, itemIndex: index });
	const contactId = String(((answer ?? {}).contact as IDataObject | undefined)?.id ?? '');
	if (!contactId) throw client.inputError(`ActiveCampaign gave no contact id for ${input.email} (item ${index})`, index);
	for (const name of input.tags) {
		const tag = await lookups.tagCreatingIfMissing(name, index);
		await client.request({ method: 'POST', path: '/contactTags', body: { contactTag: { contact: contactId, tag: tag.id } }, itemIndex: index });
	}
	const kept: string[] = [];
	if (input.lists.length) {
		const current = new Map<string, string>();
		if (!overwrite) {
			const memberships = await client.request<IDataObject>({ method: 'GET', path: '/contacts/{contactId}/contactLists', params: { contactId }, subject: `the lists of contact ${contactId}`, itemIndex: index });
			for (const cl of ((memberships ?? {}).contactLists as IDataObject[] | undefined) ?? []) current.set(String(cl.list), String(cl.status));
		}
		for (const list of input.lists) {
			if (KEPT_LIST_STATUSES.has(current.get(list) ?? '')) {
				kept.push(list);
				continue;
			}
			await client.request({ method: 'POST', path: '/contactLists', body: { contactList: { list, contact: contactId, status: 1 } }, itemIndex: index });
		}
	}
	const outcome: IDataObject = { status: 'succeeded', contactId };
	if (kept.length) outcome.notResubscribed = kept;
	return outcome;
}
