import type { IDataObject } from 'n8n-workflow';

import { type ChangeSource, compareChanges, formatInZone, stampMs, stampZone } from '../shared/polling';
import type { ApiClient } from '../shared/transport';
import { AC_PAGE_SIZE } from './transport';

/**
 * Contacts created, or created or updated, as a change source for the polling trigger
 * (design: ../shared/polling.ts; facts: API-NOTES.md, "Change times and filters").
 *
 * ActiveCampaign cannot sort contacts by `udate`, and offsets shift when a contact is deleted
 * mid-read. So a window of change times is read with keyset paging (`orders[id]=ASC` +
 * `id_greater`), which nothing can shift, and sorted here. A window holding more than
 * WINDOW_LIMIT contacts (or the poll's Max Items, if fewer) (by the first page's `meta.total`) is halved first, so a large backlog is
 * read in change order, window by window, and a poll stops reading once it has its Max Items.
 * `meta.total` only sizes windows: reading stops on a short page, so a contact created mid-read is
 * never cut off by a total given earlier.
 *
 * The request that reads the provider's clock (its `Date` header) also learns the account's
 * offset: it reads from an hour below the window, so that after an autumn daylight-saving switch
 * (the offset moves west by an hour) an account reading filters as local time still returns the
 * changes since the last poll, which carry the new offset. Date filters are sent as wall time in
 * the account's own offset (taken from the newest stamp seen, and kept between polls), since
 * accounts may read them as local time, in whole
 * seconds chosen so that an inclusive and an exclusive reading of the bounds (undocumented) both
 * return the whole window; the window is then cut exactly by instants.
 */

/** Contacts read into memory per window at most (unless one second holds more); smaller when the poll wants fewer. */
export const WINDOW_LIMIT = 2000;
/** How far the offset kept from the last poll can be stale: a daylight-saving switch. */
const ZONE_SHIFT_MS = 3_600_000;

export function contactChanges(client: ApiClient, event: 'contactCreated' | 'contactChanged'): ChangeSource<IDataObject> {
	const field = event === 'contactCreated' ? 'cdate' : 'udate';
	const [afterParam, beforeParam] =
		event === 'contactCreated' ? ['filters[created_after]', 'filters[created_before]'] : ['filters[updated_after]', 'filters[updated_before]'];
	/** The account's offset, and the newest stamp seen with it (a daylight-saving switch shows there first). */
	let zone: string | undefined;
	let newest = Number.NEGATIVE_INFINITY;

	type Page = { contacts: IDataObject[]; total?: number };
	const list = async (query: Record<string, string | number>): Promise<Page> => {
		const body = await client.request<IDataObject>({ method: 'GET', path: '/contacts', query });
		const contacts = Array.isArray(body.contacts) ? (body.contacts as IDataObject[]) : [];
		const total = Number((body.meta as IDataObject | undefined)?.total);
		for (const c of contacts) {
			const at = stampMs(c[field]);
			const seenZone = stampZone(c[field]);
			if (seenZone && at > newest) {
				newest = at;
				zone = seenZone;
			}
		}
		return { contacts, total: Number.isFinite(total) ? total : undefined };
	};

	/**
	 * One page of the window (after, until] in id order (no upper bound: to the end). The bounds are
	 * sent in whole seconds, `after` rounded down and `until` rounded down plus one second, so an
	 * inclusive or an exclusive reading both return every contact of the window.
	 */
	const windowPage = (after: number, until: number | undefined, idGreater?: string) =>
		list({
			[afterParam]: formatInZone(after, zone),
			...(until === undefined ? {} : { [beforeParam]: formatInZone(until + 1000, zone) }),
			'orders[id]': 'ASC',
			...(idGreater ? { id_greater: idGreater } : {}),
			limit: AC_PAGE_SIZE,
		});

	return {
		// AC documents ordering by cdate and id (not udate): the newest contact either way.
		sample: async () => (await list({ [event === 'contactCreated' ? 'orders[cdate]' : 'orders[id]']: 'DESC', limit: 1 })).contacts,

		async providerNow(after, memo) {
			if (typeof memo.zone === 'string') zone = memo.zone;
			if (after !== undefined && zone !== undefined) {
				// The answer's Date header is the clock, and its newest stamp the offset now: read from an
				// hour earlier, since a filter read as local time with a stale offset may mean an hour later.
				await windowPage(after - ZONE_SHIFT_MS, undefined);
				if (client.serverDate !== undefined) return client.serverDate;
			}
			// Offset not known yet (or no Date header): the newest contact gives the offset and a clock.
			const { contacts } = await list({ 'orders[id]': 'DESC', limit: 1 });
			if (client.serverDate !== undefined) return client.serverDate;
			const at = stampMs(contacts[0]?.[field]);
			// No Date header: the provider's clock is at least in the newest stamp's second (what
			// comes later in that second is caught by the overlap of the next poll).
			return Number.isNaN(at) ? undefined : at + 1000;
		},

		memo: () => (zone ? { zone } : {}),

		async *changes(after: number, until: number, wanted: number) {
			const limit = Math.min(WINDOW_LIMIT, Math.max(wanted, 5 * AC_PAGE_SIZE));
			let from = after;
			// Window length: starts with all of it, shrinks while a window holds too many, and then
			// follows what the last window held, so a long backlog costs few probes per window.
			let span = until - after;
			while (from < until) {
				let to = Math.min(until, from + span);
				let first = await windowPage(from, to);
				// Shrink the window until it fits in memory, down to one second: in proportion to what it
				// holds (changes spread evenly need one probe), at least by half.
				while ((first.total ?? 0) > limit && to - from > 1000) {
					const share = Math.min(0.5, (0.8 * limit) / (first.total ?? limit));
					to = from + Math.max(1000, Math.floor(((to - from) * share) / 1000) * 1000);
					first = await windowPage(from, to);
				}
				span = (first.total ?? 0) * 2 < limit ? (to - from) * 2 : to - from;
				const rows: Array<{ at: number; id: string; contact: IDataObject }> = [];
				const keep = (contacts: IDataObject[]) => {
					for (const contact of contacts) {
						const at = stampMs(contact[field]);
						// Unreadable stamps are kept (NaN): the trigger refuses them with a clear error.
						if (Number.isNaN(at) || (at > from && at <= to)) rows.push({ at, id: String(contact.id), contact });
					}
				};
				keep(first.contacts);
				let page = first.contacts;
				while (page.length >= AC_PAGE_SIZE) {
					page = (await windowPage(from, to, String(page[page.length - 1].id))).contacts;
					keep(page);
				}
				rows.sort(compareChanges);
				for (let i = 0; i < rows.length; i += 1000) yield rows.slice(i, i + 1000).map((r) => r.contact);
				from = to;
			}
		},

		id: (c) => String(c.id),
		changedAt: (c) => String(c[field]),
	};
}
