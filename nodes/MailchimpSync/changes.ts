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
 * the next request starts one second below that last second. Deep offsets into a changing result
 * are never used, so a member that changes mid-read (and moves to the end) shifts nothing.
 *
 * When one second holds more than a page, that second is read alone (bounds one second either
 * side, cut here), with `offset`. Mailchimp does not document the order of members that share a
 * `last_changed` second, and a database paging with LIMIT/OFFSET does not promise one, so no
 * request is assumed to continue the previous one: the second's pages are read again and again,
 * collecting members by id, until as many were collected as the largest total the API gave for
 * that query. A past second only loses members (one changed again moves out, and is read later
 * with its new change), so by then every member still in it has been read, in one request per
 * page if the order is stable, in a few rounds if it is not. A second is handed on complete,
 * sorted by id, so a poll can stop inside it and the next one go on after the last id.
 */

/** Rounds of reading one crowded second before the poll gives up (to be retried whole next time). */
const MAX_SECOND_ROUNDS = 40;

export function memberChanges(client: ApiClient, node: INode, audience: string, status: string): ChangeSource<IDataObject> {
	const path = '/lists/{listId}/members';
	let zone: string | undefined;
	/** The first page of `changes`, read with the clock. */
	let head: { after: number; page: IDataObject[] } | undefined;

	const read = async (query: Record<string, string | number>) => {
		const body = await client.request<IDataObject>({
			method: 'GET',
			path,
			params: { listId: audience },
			query: { ...(status ? { status } : {}), sort_field: 'last_changed', ...query },
		});
		const members = Array.isArray(body.members) ? (body.members as IDataObject[]) : [];
		for (const m of members) zone ??= stampZone(m.last_changed);
		const total = Number(body.total_items);
		return { members, total: Number.isFinite(total) ? total : members.length };
	};
	const list = async (query: Record<string, string | number>) => (await read(query)).members;

	/** Every member changed in the second starting at `second` (ms), whatever order ties come in (see above). */
	const readSecond = async (second: number) => {
		const found = new Map<string, IDataObject>();
		let most = 0;
		let offset = 0;
		let reads = 0;
		for (;;) {
			const { members, total } = await read({
				sort_dir: 'ASC',
				since_last_changed: formatInZone(second - 1000, zone),
				before_last_changed: formatInZone(second + 1000, zone),
				count: MC_PAGE_SIZE,
				offset,
			});
			reads++;
			most = Math.max(most, total);
			for (const m of members) found.set(String(m.id), m);
			if (found.size >= most) break;
			if (reads > MAX_SECOND_ROUNDS * Math.ceil(most / MC_PAGE_SIZE)) {
				throw new NodeOperationError(node, 'Mailchimp members changed faster than the poll could page through them; nothing was emitted, and the next poll tries again');
			}
			offset = offset + MC_PAGE_SIZE < most ? offset + MC_PAGE_SIZE : 0;
		}
		return [...found.values()].filter((m) => stampMs(m.last_changed) === second);
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
			/** Whether the API was seen to include members stamped exactly at `since_last_changed`. */
			let inclusive = false;

			const handOn = (below: number) => {
				const ready = [...pending.values()].filter((p) => p.at < below).sort(compareChanges);
				for (const p of ready) pending.delete(`${p.id}\n${p.at}`);
				return ready.map((p) => p.member);
			};
			const keep = (member: IDataObject, at: number) => {
				if (at > done) pending.set(`${String(member.id)}\n${at}`, { at, id: String(member.id), member });
			};

			for (;;) {
				const page =
					head && head.after === after && since === Math.floor(after / 1000) * 1000
						? head.page
						: await list({ sort_dir: 'ASC', since_last_changed: formatInZone(since, zone), count: MC_PAGE_SIZE, offset: 0 });
				head = undefined;
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
					keep(member, at);
				}
				if (beyond || page.length < MC_PAGE_SIZE) {
					const rest = handOn(Number.POSITIVE_INFINITY);
					if (rest.length) yield rest;
					return;
				}
				// A full page: every second before its last one is complete.
				const lastAt = stampMs(page[page.length - 1].last_changed);
				// Start again at the last second (the API includes its bound) or one below it (it may not).
				const rebased = Math.floor(lastAt / 1000) * 1000 - (inclusive ? 0 : 1000);
				if (rebased > since) {
					const ready = handOn(lastAt);
					if (ready.length) yield ready;
					done = Math.max(done, lastAt - 1);
					since = rebased;
					continue;
				}
				// The page is one crowded second: read that second alone, whole, then go on after it.
				const second = Math.floor(lastAt / 1000) * 1000;
				if (second > done) {
					for (const member of await readSecond(second)) keep(member, second);
					const ready = handOn(second + 1);
					if (ready.length) yield ready;
					done = Math.max(done, second);
				}
				since = second + (inclusive ? 1000 : 0);
			}
		},

		id: (m) => String(m.id),
		changedAt: (m) => String(m.last_changed),
	};
}
