import { NodeOperationError, type IDataObject, type INode } from 'n8n-workflow';

import { type ChangeSource, compareChanges, formatInZone, stampMs, stampZone } from '../shared/polling';
import type { ApiClient } from '../shared/transport';
import { MC_PAGE_SIZE } from './transport';

/**
 * Members added or changed in an audience, as a change source for the polling trigger
 * (design: ../shared/polling.ts; facts: API-NOTES.md, "Change times and filters").
 *
 * Members are read sorted by `last_changed`, and `since_last_changed` is advanced page by page
 * (keyset paging): after a full page, every second before the page's last one is complete, and
 * the next request starts one second below that last second. Deep offsets are never used, so a
 * member that changes mid-read (and moves to the end) shifts nothing. Only when one or two
 * seconds hold more than a page is `offset` used, inside those seconds, with each page
 * overlapping the previous one by OVERLAP_ROWS: if its first member was not on the previous
 * page, members before it left the result while it was read, and that second is read again from
 * the start. A second is handed on complete, sorted by id, so a poll can stop inside it and
 * the next one go on after the last id.
 */

const OVERLAP_ROWS = 50;
/** Re-reads of one second after shifts, before the poll gives up (to be retried whole next time). */
const MAX_REREADS = 20;

export function memberChanges(client: ApiClient, node: INode, audience: string, status: string): ChangeSource<IDataObject> {
	const path = '/lists/{listId}/members';
	let zone: string | undefined;
	/** The first page of `changes`, read with the clock. */
	let head: { after: number; page: IDataObject[] } | undefined;

	const list = async (query: Record<string, string | number>) => {
		const body = await client.request<IDataObject>({
			method: 'GET',
			path,
			params: { listId: audience },
			query: { ...(status ? { status } : {}), sort_field: 'last_changed', ...query },
		});
		const members = Array.isArray(body.members) ? (body.members as IDataObject[]) : [];
		for (const m of members) zone ??= stampZone(m.last_changed);
		return members;
	};

	const firstPage = (since: number) => list({ sort_dir: 'ASC', since_last_changed: formatInZone(since, zone), count: MC_PAGE_SIZE, offset: 0 });

	return {
		sample: () => list({ sort_dir: 'DESC', count: 1 }),

		async providerNow(after) {
			if (after !== undefined) {
				// The answer's Date header is the clock, and the page is the first one `changes` reads.
				head = { after, page: await firstPage(Math.floor(after / 1000) * 1000) };
				if (client.serverDate !== undefined) return client.serverDate;
			}
			const newest = await list({ sort_dir: 'DESC', count: 1 });
			if (client.serverDate !== undefined) return client.serverDate;
			const at = stampMs(newest[0]?.last_changed);
			// No Date header: the provider's clock is at least in the newest stamp's second (what
			// comes later in that second is caught by the overlap of the next poll).
			return Number.isNaN(at) ? undefined : at + 1000;
		},

		async *changes(after: number, until: number) {
			/** Every member changed at or before `done` has been handed on. */
			let done = after;
			/** Members read with change times after `done`, by id + time. */
			const pending = new Map<string, { at: number; id: string; member: IDataObject }>();
			let since = Math.floor(after / 1000) * 1000;
			let offset = 0;
			let previous = new Set<string>();
			let rereads = 0;
			/** Whether the API was seen to include members stamped exactly at `since_last_changed`. */
			let inclusive = false;

			const handOn = (below: number) => {
				const ready = [...pending.values()].filter((p) => p.at < below).sort(compareChanges);
				for (const p of ready) pending.delete(`${p.id}\n${p.at}`);
				return ready.map((p) => p.member);
			};

			for (;;) {
				const page =
					head && head.after === after && offset === 0 && since === Math.floor(after / 1000) * 1000
						? head.page
						: await list({ sort_dir: 'ASC', since_last_changed: formatInZone(since, zone), count: MC_PAGE_SIZE, offset });
				head = undefined;
				if (offset > 0 && page.length && !previous.has(String(page[0].id))) {
					// Members before this page left the result while it was read: read these seconds again.
					if (++rereads > MAX_REREADS) {
						throw new NodeOperationError(node, 'Mailchimp members changed faster than the poll could page through them; nothing was emitted, and the next poll tries again');
					}
					offset = 0;
					previous = new Set();
					continue;
				}
				let beyond = false;
				if (page.length && stampMs(page[0].last_changed) === since) inclusive = true;
				for (const member of page) {
					const at = stampMs(member.last_changed);
					if (Number.isNaN(at)) {
						throw new NodeOperationError(node, `Member ${String(member.id)} has no readable last_changed ("${String(member.last_changed)}"): nothing was emitted`);
					}
					if (at > until) {
						beyond = true;
						break;
					}
					if (at > done) pending.set(`${String(member.id)}\n${at}`, { at, id: String(member.id), member });
				}
				if (beyond || page.length < MC_PAGE_SIZE) {
					const rest = handOn(Number.POSITIVE_INFINITY);
					if (rest.length) yield rest;
					return;
				}
				// A full page: every second before its last one is complete.
				const lastAt = stampMs(page[page.length - 1].last_changed);
				const ready = handOn(lastAt);
				if (ready.length) yield ready;
				done = Math.max(done, lastAt - 1);
				// Start again at the last second (the API includes its bound) or one below it (it may not).
				const rebased = Math.floor(lastAt / 1000) * 1000 - (inclusive ? 0 : 1000);
				if (rebased > since) {
					since = rebased;
					offset = 0;
				} else {
					offset += page.length - OVERLAP_ROWS;
				}
				previous = new Set(page.slice(-OVERLAP_ROWS).map((m) => String(m.id)));
			}
		},

		id: (m) => String(m.id),
		changedAt: (m) => String(m.last_changed),
	};
}
