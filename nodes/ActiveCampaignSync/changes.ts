import { ApplicationError, type IDataObject } from 'n8n-workflow';

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
 * Date filters are sent as wall time in the account's offset, since accounts may read them as
 * local time, in whole seconds chosen so that an inclusive and an exclusive reading of the bounds
 * (undocumented) both return the whole window; the window is then cut exactly by instants.
 *
 * The offset can change at any time (daylight saving, or the owner picks another zone), and a
 * contact's stamp keeps the offset it was written with, so no stamp shows the offset the account
 * reads filters with now. So the offset is checked, not trusted: the request that reads the clock
 * (the one request a poll makes besides its windows) asks for a reference contact (one known
 * contact, by ID, whose creation time never changes) in a two-second `created` window around its
 * creation, written in the kept offset. It comes back only if the account reads the filter as
 * meant, whatever the size or direction of a change. If it does not come back (the offset changed,
 * or the reference was deleted), the poll finds the offset before reading any window: the newest
 * contact becomes the reference, the kept offset and the offsets of its stamps are tried, and if
 * none is read as meant, the shift is found by halving (`created_after` probes on the reference;
 * offsets are whole quarter hours within -12:00..+14:00, so at most 8 probes). That costs up to
 * 13 more requests (the newest contact, up to 3 offsets tried, 8 halvings, 1 check), once per
 * change of offset. Changes are never read with an offset that failed the check. An offset change
 * between the check and the last window of a poll (the owner picks another zone at that moment)
 * is caught by the same check made once more after the last window (`stillValid`, one request per
 * poll): the poll then emits nothing and keeps its cursor, and the next one finds the new offset
 * and reads the same changes again.
 */

/** Contacts read into memory per window at most (unless one second holds more); smaller when the poll wants fewer. */
export const WINDOW_LIMIT = 2000;

/** Offsets lie within -12:00..+14:00: a change shifts filters by at most 26 hours, in quarter hours. */
const MAX_SHIFT_QUARTERS = 26 * 4;

/** A contact the offset is checked on: its creation time never changes. */
interface Reference {
	id: string;
	created: number;
}

function reference(contact: IDataObject | undefined): Reference | undefined {
	const id = String(contact?.id ?? '');
	const created = stampMs(contact?.cdate);
	return /^\d+$/.test(id) && !Number.isNaN(created) ? { id, created } : undefined;
}

function readReference(memo: IDataObject): Reference | undefined {
	const kept = memo.ref as IDataObject | undefined;
	if (!kept || typeof kept !== 'object') return undefined;
	return typeof kept.id === 'string' && /^\d+$/.test(kept.id) && typeof kept.created === 'number' && Number.isFinite(kept.created)
		? { id: kept.id, created: kept.created }
		: undefined;
}

/** The offset of a contact's latest stamp. */
function newestZone(contact: IDataObject): string | undefined {
	const u = stampMs(contact.udate);
	const c = stampMs(contact.cdate);
	return (u >= c ? stampZone(contact.udate) : undefined) ?? stampZone(contact.cdate);
}

/** Minutes east of UTC of `+05:30`, `-06:00` or `Z`. */
function zoneMinutes(zone: string): number {
	const m = /^([+-])(\d\d):?(\d\d)$/.exec(zone);
	return m ? (m[1] === '-' ? -1 : 1) * (Number(m[2]) * 60 + Number(m[3])) : 0;
}

function zoneText(minutes: number): string {
	const abs = Math.abs(minutes);
	return `${minutes < 0 ? '-' : '+'}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
}

export function contactChanges(client: ApiClient, event: 'contactCreated' | 'contactChanged'): ChangeSource<IDataObject> {
	const field = event === 'contactCreated' ? 'cdate' : 'udate';
	const [afterParam, beforeParam] =
		event === 'contactCreated' ? ['filters[created_after]', 'filters[created_before]'] : ['filters[updated_after]', 'filters[updated_before]'];
	/** The offset the account reads date filters with (checked each poll), and the reference contact it is checked on. */
	let zone: string | undefined;
	let ref: Reference | undefined;

	type Page = { contacts: IDataObject[]; total?: number };
	const list = async (query: Record<string, string | number>): Promise<Page> => {
		const body = await client.request<IDataObject>({ method: 'GET', path: '/contacts', query });
		const contacts = Array.isArray(body.contacts) ? (body.contacts as IDataObject[]) : [];
		const total = Number((body.meta as IDataObject | undefined)?.total);
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

	/** Whether the account reads a filter written in `at` as meant: the reference comes back from a two-second window around its creation. */
	const readsAsMeant = async (at: Reference, offset: string) => {
		const { contacts } = await list({
			ids: at.id,
			'filters[created_after]': formatInZone(at.created - 1000, offset),
			'filters[created_before]': formatInZone(at.created + 1000, offset),
			limit: 1,
		});
		return contacts.some((c) => String(c.id) === at.id);
	};

	/**
	 * The offset the account reads filters with, found with the newest contact as the reference:
	 * the kept offset (the old reference was deleted), then its stamps' offsets, then by halving the
	 * shift between what is sent and what is read. Fails the poll (which then keeps its cursor)
	 * rather than read changes with an offset that is not read as meant.
	 */
	const locate = async (found: IDataObject) => {
		const at = reference(found);
		if (!at) throw new ApplicationError(`ActiveCampaign answered a contact without a readable ID or creation time (${String(found.id)}): cannot check the account's time zone`);
		ref = at;
		const tried = new Set<string>();
		for (const offset of [zone, stampZone(found.udate), stampZone(found.cdate)]) {
			if (offset === undefined || tried.has(offset)) continue;
			tried.add(offset);
			if (await readsAsMeant(at, offset)) {
				zone = offset;
				return;
			}
		}
		// The shift s (sent minus read, whole quarter hours) of filters written in `sent`: a
		// `created_after` of (created - x) returns the reference exactly when s < x.
		const sent = zone ?? stampZone(found.cdate) ?? 'Z';
		let low = -MAX_SHIFT_QUARTERS;
		let high = MAX_SHIFT_QUARTERS;
		while (low < high) {
			const mid = Math.floor((low + high) / 2);
			const { contacts } = await list({ ids: at.id, 'filters[created_after]': formatInZone(at.created - (mid * 900 + 450) * 1000, sent), limit: 1 });
			if (contacts.some((c) => String(c.id) === at.id)) high = mid;
			else low = mid + 1;
		}
		const offset = zoneText(zoneMinutes(sent) - low * 15);
		if (!(await readsAsMeant(at, offset))) {
			throw new ApplicationError('ActiveCampaign\'s date filters match no time zone offset: the trigger cannot read changes safely; nothing was emitted');
		}
		zone = offset;
	};

	return {
		// AC documents ordering by cdate and id (not udate): the newest contact either way.
		sample: async () => (await list({ [event === 'contactCreated' ? 'orders[cdate]' : 'orders[id]']: 'DESC', limit: 1 })).contacts,

		async providerNow(after, memo) {
			zone = typeof memo.zone === 'string' ? memo.zone : undefined;
			ref = readReference(memo);
			let newest: IDataObject | undefined;
			/** The newest contact (by ID: creation order), read without filters, so its answer does not depend on the offset. */
			const readNewest = async () => (newest = (await list({ 'orders[id]': 'DESC', limit: 1 })).contacts[0]);
			if (ref && zone !== undefined && (await readsAsMeant(ref, zone))) {
				// The kept offset is the one the account reads filters with.
			} else if (after === undefined) {
				// Activation: nothing is read this poll; the newest contact's offset is checked by the next one.
				const found = await readNewest();
				ref = reference(found);
				zone = found ? newestZone(found) : zone;
			} else {
				const found = await readNewest();
				if (found) await locate(found);
			}
			if (client.serverDate !== undefined) return client.serverDate;
			// No Date header: the provider's clock is at least in the newest stamp's second (what
			// comes later in that second is caught by the overlap of the next poll).
			const at = stampMs((newest ?? (await readNewest()))?.[field]);
			return Number.isNaN(at) ? undefined : at + 1000;
		},

		// The kept offset is still the one the account reads: else a window may have been read in a
		// zone the account had left (its contacts not returned), and the poll must not move on.
		stillValid: async () => !ref || zone === undefined || (await readsAsMeant(ref, zone)),

		memo: () => ({ ...(zone ? { zone } : {}), ...(ref ? { ref: { id: ref.id, created: ref.created } } : {}) }),

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
