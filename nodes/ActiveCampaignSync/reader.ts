import type { IDataObject } from 'n8n-workflow';

import type { Status, SyncRecord } from '../AudienceSync/diff';
import type { ApiClient } from '../shared/transport';
import { plainText } from '../shared/values';
import { activeCampaignPages } from './transport';

/**
 * Reads every contact of a list with its status on the list, as compact records (Audience Sync).
 * `GET /contacts?listid=L&status=S` once per list status (API-NOTES.md), 100 a page at the account's
 * pace, the four statuses at once (the account's pacer bounds them together).
 */

/** A contact's field an Audience Sync mapping reads: a standard one, or a custom field by id. */
export type AcField = { standard: 'firstName' | 'lastName' | 'phone' } | { customFieldId: string };

/** List statuses (contactList.status) and the sync's vocabulary: 0 unconfirmed, 1 active, 2 unsubscribed, 3 bounced. */
export const AC_LIST_STATUSES: Array<[string, Status]> = [
	['0', 'pending'],
	['1', 'subscribed'],
	['2', 'unsubscribed'],
	['3', 'bounced'],
];

/** A contact's list status (contactList.status) in the sync's vocabulary; undefined for a code this code does not know. */
export const syncStatusOfListCode = (code: unknown): Status | undefined => AC_LIST_STATUSES.find(([known]) => known === String(code))?.[1];

export interface AcListRead {
	listId: string;
	/** Only contacts with this tag (by id). */
	tagId?: string;
	fields: AcField[];
}

/**
 * Custom field values of the list's contacts, per field: `GET /fieldValues?filters[fieldid]=F`
 * (all pages). Only the values of contacts in `wanted` are kept.
 */
async function customValues(client: ApiClient, fieldId: string, wanted: Map<string, string[]>, position: number): Promise<void> {
	for await (const page of activeCampaignPages<IDataObject>(client, '/fieldValues', 'fieldValues', { 'filters[fieldid]': fieldId }, { ordered: false })) {
		for (const row of page) {
			const values = wanted.get(String(row.contact));
			if (values && String(row.field) === fieldId) values[position] = plainText(row.value);
		}
	}
}

/**
 * Reads the list and hands each page's records to `sink` as it arrives. Resolves with the number of
 * records read. A failing page rejects the whole read (the caller writes nothing then).
 */
export async function readActiveCampaignList(client: ApiClient, read: AcListRead, sink: (records: SyncRecord[]) => void): Promise<number> {
	const customs = read.fields.map((f, i) => ('customFieldId' in f ? ([f.customFieldId, i] as const) : undefined)).filter((c) => c !== undefined);
	// With custom fields the records are held until their values are read; without, passed on per page.
	const held = customs.length ? new Map<string, SyncRecord>() : undefined;
	let count = 0;
	await Promise.all(
		AC_LIST_STATUSES.map(async ([code, status]) => {
			const query = { listid: read.listId, status: code, tagid: read.tagId };
			for await (const page of activeCampaignPages<IDataObject>(client, '/contacts', 'contacts', query, { stableOrder: true, ordered: false })) {
				const records: SyncRecord[] = [];
				for (const contact of page) {
					const record: SyncRecord = {
						email: plainText(contact.email),
						status,
						fields: read.fields.map((f) => ('standard' in f ? plainText(contact[f.standard]) : '')),
						changedAt: Date.parse(plainText(contact.udate)),
						id: String(contact.id),
					};
					if (held) held.set(record.id, record);
					else records.push(record);
				}
				count += page.length;
				if (records.length) sink(records);
			}
		}),
	);
	if (held) {
		const values = new Map<string, string[]>();
		for (const [id, record] of held) values.set(id, record.fields);
		for (const [fieldId, position] of customs) await customValues(client, fieldId, values, position);
		sink([...held.values()]);
	}
	return count;
}
