import type { IDataObject } from 'n8n-workflow';

import type { Status, SyncRecord } from '../AudienceSync/diff';
import type { ApiClient } from '../shared/transport';
import { plainText } from '../shared/values';
import { mailchimpPages } from './transport';

/**
 * Reads every member of an audience as compact records (Audience Sync): pages of 1,000 with a
 * `fields=` projection (only the address, status, change time and merge fields travel), up to the
 * key's 10 requests in flight. Archived members, which Mailchimp lists only when asked
 * (`status=archived`), are read in a second pass at the same time: the sync must know them to leave
 * them alone.
 */

const STATUSES: Record<string, Status> = {
	subscribed: 'subscribed',
	unsubscribed: 'unsubscribed',
	cleaned: 'bounced',
	pending: 'pending',
	transactional: 'transactional',
	archived: 'archived',
};

/** A Mailchimp member status in the sync's vocabulary (cleaned is bounced); undefined for a status this code does not know. */
export const syncStatusOf = (status: unknown): Status | undefined => (Object.hasOwn(STATUSES, String(status)) ? STATUSES[String(status)] : undefined);

/** The projection of a member page: what the sync compares, and the total for concurrent paging. */
export const MEMBER_PROJECTION = 'members.email_address,members.status,members.last_changed,members.merge_fields,total_items';

/** Reads the audience and hands each page's records to `sink`; resolves with the number read. A failing page rejects the read. */
export async function readMailchimpAudience(client: ApiClient, audienceId: string, mergeTags: string[], sink: (records: SyncRecord[]) => void): Promise<number> {
	let count = 0;
	const read = async (status?: string) => {
		const query = { fields: MEMBER_PROJECTION, status };
		for await (const page of mailchimpPages<IDataObject>(client, '/lists/{listId}/members', 'members', query, { params: { listId: audienceId }, ordered: false })) {
			const records: SyncRecord[] = [];
			for (const member of page) {
				const known = syncStatusOf(member.status);
				// A status this code does not know: not a member the sync can compare.
				if (!known) continue;
				const merge = (member.merge_fields ?? {}) as IDataObject;
				records.push({
					email: plainText(member.email_address),
					status: known,
					fields: mergeTags.map((tag) => plainText(merge[tag])),
					changedAt: Date.parse(plainText(member.last_changed)),
					// The member id is the MD5 of the lower-cased address: computed when shown, not kept (memory).
					id: '',
				});
			}
			count += records.length;
			sink(records);
		}
	};
	await Promise.all([read(), read('archived')]);
	return count;
}
