import type { IDataObject } from 'n8n-workflow';

import { type BatchEntry, type BatchOperation, type BatchRun, forOperation, readEmail, writeEach } from '../../../shared/operations';
import { subscriberHash } from '../../lookups';
import { readCollection } from '../../../shared/values';
import type { McContext } from '../../types';
import { MC_BATCH_SIZE } from '../../transport';
import { audienceLocator } from '../audience/locator';
import { memberBody, memberOptions, readStatus, statusProperty } from './fields';

/**
 * Create or Update Many: batch subscribe (`POST /lists/{id}`) in calls of up to 500 members. The
 * runner gives one result per input item: created, updated, or failed with Mailchimp's reason;
 * the same address twice is one member (the last item's fields win).
 *
 * Subscription policy, the same as Create or Update (PUT with status_if_new): the status applies
 * to new members only, unless Overwrite Status is on. Batch subscribe cannot do that in one call
 * (its `update_existing` changes existing members' status too; see API-NOTES.md), so new and
 * existing members are split: the batch call runs with `update_existing: false`, which creates the
 * new members and names the existing ones (ERROR_CONTACT_EXISTS); those are then written with the
 * single path's PUT and `status_if_new`, which leaves their status alone.
 */

interface MemberInput {
	audience: string;
	email: string;
	/** Status for new members; for every member with `overwrite`. */
	status: string;
	overwrite: boolean;
	/** Member fields (merge fields, language, VIP), without status and email. */
	body: IDataObject;
}

type Entry = BatchEntry<MemberInput>;

export const upsertMany: BatchOperation<McContext, MemberInput> = {
	batch: true,
	description: forOperation('member', 'upsertMany', [
		audienceLocator,
		{
			displayName: 'Email',
			name: 'email',
			type: 'string',
			placeholder: 'name@email.com',
			required: true,
			default: '={{ $json.email }}',
			description: 'Each input item is one member, matched on this email',
		},
		statusProperty(
			'status',
			'Status If New',
			'Status given to members new to the audience. Existing members keep theirs (an unsubscribed member stays unsubscribed) unless Overwrite Status is on.',
		),
		{
			displayName: 'Additional Fields',
			name: 'additionalFields',
			type: 'collection',
			placeholder: 'Add Field',
			default: {},
			options: [
				...memberOptions,
				{
					displayName: 'Overwrite Status',
					name: 'overwriteStatus',
					type: 'boolean',
					default: false,
					description: 'Whether existing members get the status above too. Mailchimp still refuses to subscribe again an address that unsubscribed or was cleaned; that item reports it.',
				},
			],
		},
	]),

	async prepare({ lookups }, i) {
		const audience = lookups.audienceId(i);
		const email = readEmail(this, this.getNodeParameter('email', i), i);
		const status = readStatus(this, this.getNodeParameter('status', i), i, 'Status If New');
		const fields = readCollection(this, 'additionalFields', 'Additional Fields', i);
		const body = await memberBody(this, lookups, audience, fields, i);
		delete body.status;
		delete body.email_address;
		return { audience, email, status, overwrite: fields.overwriteStatus === true, body };
	},

	key: (input) => `${input.audience}\n${input.email.toLowerCase()}`,
	merge: (earlier, later) => {
		const body: IDataObject = { ...earlier.body, ...later.body };
		if (earlier.body.merge_fields || later.body.merge_fields) {
			body.merge_fields = { ...(earlier.body.merge_fields as IDataObject), ...(later.body.merge_fields as IDataObject) };
		}
		return { ...later, body };
	},
	label: (input) => ({ email: input.email }),

	async executeBatch(ctx, entries, run) {
		// Per audience, and apart for members whose status is overwritten (one batch call does them all).
		const groups = new Map<string, Entry[]>();
		for (const entry of entries) {
			const key = `${entry.input.audience}\n${entry.input.overwrite}`;
			const group = groups.get(key);
			if (group) group.push(entry);
			else groups.set(key, [entry]);
		}
		for (const group of groups.values()) {
			const { audience, overwrite } = group[0].input;
			for (let start = 0; start < group.length; start += MC_BATCH_SIZE) {
				const chunk = group.slice(start, start + MC_BATCH_SIZE);
				const existing = await batchSubscribe(ctx, run, audience, chunk, overwrite);
				if (existing.length) await putEach(ctx, run, audience, existing);
			}
		}
	},
};

/**
 * One batch subscribe call; outcomes settled per member. Returns the entries that already were
 * members when `update_existing` was off (to be written with PUT).
 */
async function batchSubscribe({ client }: McContext, run: BatchRun<MemberInput>, audience: string, chunk: Entry[], overwrite: boolean): Promise<Entry[]> {
	let answer: IDataObject;
	try {
		answer = ((await client.request<IDataObject>({
			method: 'POST',
			path: '/lists/{listId}',
			params: { listId: audience },
			body: { members: chunk.map((e) => ({ ...e.input.body, email_address: e.input.email, status: e.input.status })), update_existing: overwrite },
			subject: `a batch of ${chunk.length} members for audience ${audience}`,
		})) ?? {}) as IDataObject;
	} catch (error) {
		run.fail(chunk, error);
		return [];
	}
	const list = (value: unknown) => (Array.isArray(value) ? (value as IDataObject[]).filter((v) => v && typeof v === 'object') : []);
	const outcome = new Map<string, IDataObject>();
	const exists = new Set<string>();
	for (const m of list(answer.new_members)) outcome.set(String(m.email_address).toLowerCase(), { status: 'created', id: m.id, memberStatus: m.status });
	for (const m of list(answer.updated_members)) outcome.set(String(m.email_address).toLowerCase(), { status: 'updated', id: m.id, memberStatus: m.status });
	for (const e of list(answer.errors)) {
		const email = String(e.email_address).toLowerCase();
		if (!overwrite && e.error_code === 'ERROR_CONTACT_EXISTS') {
			exists.add(email);
			continue;
		}
		const failure: IDataObject = { status: 'failed', error: String(e.error ?? 'Refused by Mailchimp'), errorCode: e.error_code };
		if (e.field) failure.field = `${String(e.field)}${e.field_message ? `: ${String(e.field_message)}` : ''}`;
		outcome.set(email, failure);
	}
	const existing: Entry[] = [];
	for (const entry of chunk) {
		const email = entry.input.email.toLowerCase();
		if (exists.has(email) && !outcome.has(email)) existing.push(entry);
		else run.settle(entry, outcome.get(email) ?? { status: 'failed', error: 'Mailchimp gave no result for this address' });
	}
	return existing;
}

/** Existing members, written as Create or Update writes one: PUT with status_if_new, 10 at a time at most. */
function putEach({ client }: McContext, run: BatchRun<MemberInput>, audience: string, entries: Entry[]): Promise<void> {
	return writeEach(entries, client.api.pacer.parallelism, run, async ({ index, input: { email, status, body } }) => {
		const member = ((await client.request<IDataObject>({
			method: 'PUT',
			path: '/lists/{listId}/members/{hash}',
			params: { listId: audience, hash: subscriberHash(email) },
			body: { ...body, email_address: email, status_if_new: status },
			subject: `the member ${email}`,
			itemIndex: index,
		})) ?? {}) as IDataObject;
		return { status: 'updated', id: member.id, memberStatus: member.status };
	});
}
