import type { IDataObject } from 'n8n-workflow';

import { type BatchEntry, type BatchRun, writeEach } from '../shared/operations';
import type { ApiClient } from '../shared/transport';
import { subscriberHash } from './lookups';
import { MC_BATCH_SIZE, MC_PAGE_SIZE, mailchimpPages } from './transport';

/**
 * Mailchimp's bulk member writer: Create or Update Many uses it, and so can any node that writes
 * many members (the Audience Sync node applies its differences through it). Every entry gets one
 * outcome through the runner's BatchRun: `created`, `updated`, `succeeded` (written, but whether
 * it was created or updated is not known: see below) or `failed` with Mailchimp's reason.
 *
 * Subscription policy, the same as Create or Update (PUT with `status_if_new`): the status applies
 * to new members only, unless `overwrite`. Batch subscribe (`POST /lists/{id}`, 500 members a call)
 * has no `status_if_new`: with `update_existing: true` it sets the status it is given on existing
 * members too (API-NOTES.md). So existing members are written with the status they already have:
 *
 * 1. The audience's statuses are read once (`fields=members.email_address,members.status`, 1,000
 *    a page, pages in parallel) when that costs fewer requests than the PUTs it can save: the first
 *    page when there are at least two members to write, the rest only when the audience's pages
 *    are fewer than half the members to write (`worthReading`). A caller that has read the audience
 *    already passes the statuses in (no read).
 * 2. Members read as `subscribed` or `unsubscribed` go in batch calls with `update_existing: true`
 *    and that status, which leaves it as it is. Just before, the members changed since the read
 *    began are read again (`since_last_changed`, one request as a rule) and written with PUT and
 *    `status_if_new` instead; so are the members archived since (a second read with
 *    `status=archived`, in parallel: the default list leaves them out). Those two reads only
 *    narrow the window between the read and the batch calls to one round trip. So they are skipped
 *    when the audience was read by this call in one request (one page, or the first page only) and
 *    no other request comes before the batch calls: that window is one round trip already (the
 *    page's answer, up to 1,000 members, takes somewhat longer than a since-read's). These calls
 *    start before the run's other batch calls (after those that unsubscribe with Overwrite Status),
 *    so they never wait for a connection behind calls that carry nothing read. Either way,
 *    what happens in the last round trip is not seen: Mailchimp refuses to subscribe again a member
 *    who unsubscribed (or bounced) in it (*Member In Compliance State*), and such a member is then
 *    written with PUT and `status_if_new` too, so it stays unsubscribed; but a member who signs up
 *    again in it is written back `unsubscribed`, and one archived in it is brought back (API-NOTES.md).
 * 3. Members not read (new ones, archived ones, and any the read missed) go in batch calls with
 *    `update_existing: false`: new members are created with the status for new members, and the
 *    ones that exist after all come back as existing (`ERROR_CONTACT_EXISTS`) and are written with
 *    PUT and `status_if_new`, as are members read as `pending`, `cleaned` or `transactional`
 *    (writing `pending` again could send a new confirmation email).
 * 4. `overwrite`: batch calls with `update_existing: true` and the given status (no read).
 *
 * A batch call whose answer was lost (a timeout, a reset, a 5xx) is sent again: it never doubles a
 * member, but the members the lost attempt created then look existing. Those that were not known
 * to exist before are reported `succeeded` with a note, never `updated`: whether they were created
 * is not known.
 *
 * Requests for N members to keep (none overwritten) in an audience of A members, with K of the N
 * read as subscribed or unsubscribed, U = N - K, and P of them (members existing but not batched:
 * pending, cleaned, transactional, archived, or refused as above) written with PUT:
 * reads R = ceil(A / 1000) when ceil(A / 1000) < N / 2, else 1 (for N >= 2) or 0, plus one read of the
 * members changed since and one of the members archived since when K > 0 and R > 1 (R = 1: none);
 * total = R + ceil(K / 500) + ceil(U / 500) + P. (A run writing to several audiences reads the
 * members changed since for each one with K > 0, but the last audience read when it was read in one
 * request and no other needs them. Statuses a caller passes in: R = 0, plus the two reads when K > 0
 * and the caller passes the time of its read.)
 * Overwritten members: ceil(N / 500).
 */

export interface MemberWrite {
	audience: string;
	email: string;
	/** The status of new members; of every member with `overwrite`. */
	status: string;
	overwrite: boolean;
	/** Member fields (merge fields, language, VIP...), without status and email. */
	body: IDataObject;
}

/** Lower-cased email → the member's status, for the members of one audience read so far. */
export type AudienceStatuses = Map<string, string>;

export interface WriteMembersOptions {
	/** Statuses already read, per audience ID: that audience is not read again. */
	statuses?: Map<string, AudienceStatuses>;
	/**
	 * Per audience ID, when those statuses were read (Mailchimp's clock, ISO 8601, as
	 * `readAudienceStatuses` gives it): members changed since are read again just before writing.
	 */
	readSince?: Map<string, string>;
}

type Entry = BatchEntry<MemberWrite>;

/** Statuses written back unchanged in a batch call: writing them again changes nothing. */
const KEPT_IN_BATCH = new Set(['subscribed', 'unsubscribed']);

/** The note of a member a repeated batch call found existing, which the lost attempt may have created. */
export const CREATED_OR_UPDATED =
	'The first answer to this batch call was lost and the call was sent again: that first attempt may have created this member, so whether it was created or updated is not known';

/**
 * Whether to read the whole audience (`pages` pages) for `members` members whose existence is not
 * known. Reading wastes `pages` requests when all are new; not reading costs up to `members` PUTs
 * when all exist, of which reading saves `members - pages`. Read when the waste is the smaller:
 * `pages < members / 2` (so 1,000 new members for an audience of 900,000 cost 2 batch calls and
 * one page, not 900 pages).
 */
export const worthReading = (pages: number, members: number) => pages * 2 < members;

/** What a read of an audience's statuses gives. */
export interface StatusRead {
	statuses: AudienceStatuses;
	/**
	 * A time (Mailchimp's clock, ISO 8601) no later than the moment the read began, from the first
	 * page's `Date` header: members changed since are read again before writing. Undefined without
	 * a `Date` header.
	 */
	since?: string;
	/** The requests the read took (pages read). */
	requests: number;
}

/** Mailchimp's clock as `since_last_changed` takes it: `2015-10-21T15:41:36+00:00`. */
export const mailchimpTime = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, '+00:00');

const STATUS_FIELDS = 'members.email_address,members.status,total_items';

/**
 * Reads the statuses of an audience's members (archived ones are not listed), the members changed
 * since `since` only when it is given. Stops after the first page when `readRest(total)` says the
 * other pages are not worth it; what was read is returned. With `wanted` (lower-cased addresses),
 * only those members are kept: writing 50,000 members into an audience of 2,000,000 holds 50,000
 * statuses, not 2,000,000.
 */
export async function readAudienceStatuses(
	client: ApiClient,
	audience: string,
	readRest: (total: number) => boolean = () => true,
	since?: string,
	status?: string,
	wanted?: ReadonlySet<string>,
): Promise<StatusRead> {
	const statuses: AudienceStatuses = new Map();
	let total = 0;
	let began: string | undefined;
	const started = Date.now();
	const pages = mailchimpPages<IDataObject>(
		client,
		'/lists/{listId}/members',
		'members',
		{ fields: STATUS_FIELDS, since_last_changed: since, status },
		{
			params: { listId: audience },
			onTotal: (t) => {
				total = t;
				// The Date header has whole seconds, and the page was read some time before it was sent:
				// back by the time the request took, plus two seconds.
				if (client.serverDate !== undefined) began = mailchimpTime(client.serverDate - (Date.now() - started) - 2000);
			},
		},
	);
	let requests = 0;
	for await (const page of pages) {
		requests++;
		for (const m of page) {
			if (!m || typeof m.email_address !== 'string') continue;
			const email = m.email_address.toLowerCase();
			if (!wanted || wanted.has(email)) statuses.set(email, String(m.status));
		}
		// Leaving the loop here stops the read before its other pages are asked for.
		if (requests === 1 && !readRest(total)) break;
	}
	return { statuses, since: began, requests };
}

/** One batch subscribe call to make. */
interface Call {
	audience: string;
	entries: Entry[];
	/** `known`: existing members, written with their own status; `unknown`: update_existing off; `overwrite`: the given status for all. */
	mode: 'known' | 'unknown' | 'overwrite';
	statuses?: AudienceStatuses;
}

/** Writes the entries (any audiences, any mix of overwrite): see the comment at the top. */
export async function writeMembers(client: ApiClient, entries: Entry[], run: BatchRun<MemberWrite>, options: WriteMembersOptions = {}): Promise<void> {
	const groups = new Map<string, Entry[]>();
	for (const entry of entries) {
		const key = `${entry.input.audience}\n${entry.input.overwrite}`;
		const group = groups.get(key);
		if (group) group.push(entry);
		else groups.set(key, [entry]);
	}
	/** Batch calls with Overwrite Status (no read): sent after the calls that carry statuses read, unless they unsubscribe. */
	const overwriting: Call[] = [];
	/** Existing members written with PUT and status_if_new, with whether created-or-updated is unknown. */
	const puts: Array<{ entry: Entry; unsure: boolean }> = [];
	/** Per audience to keep statuses in: what was read, and the members sorted by it. */
	const plans: Array<{ audience: string; read: StatusRead; known: Entry[]; unknown: Entry[] }> = [];
	/** The plan whose statuses this call read last: no other request of the run comes between that read and the batch calls. */
	let lastRead: (typeof plans)[number] | undefined;
	for (const group of groups.values()) {
		const { audience, overwrite } = group[0].input;
		if (overwrite) {
			for (const chunk of chunks(group)) overwriting.push({ audience, entries: chunk, mode: 'overwrite' });
			continue;
		}
		const given = options.statuses?.get(audience);
		const read: StatusRead = given
			? { statuses: given, since: options.readSince?.get(audience), requests: 0 }
			: group.length >= 2
				? await readAudienceStatuses(
						client,
						audience,
						(total) => worthReading(Math.ceil(total / MC_PAGE_SIZE), group.length),
						undefined,
						undefined,
						new Set(group.map((entry) => entry.input.email.toLowerCase())),
					)
				: { statuses: new Map(), requests: 0 };
		const plan = { audience, read, known: [] as Entry[], unknown: [] as Entry[] };
		for (const entry of group) {
			const status = read.statuses.get(entry.input.email.toLowerCase());
			if (status === undefined) plan.unknown.push(entry);
			else if (KEPT_IN_BATCH.has(status)) plan.known.push(entry);
			else puts.push({ entry, unsure: false });
		}
		plans.push(plan);
		if (read.requests) lastRead = plan;
	}
	// Members whose status changed since the read (they unsubscribed, or signed up again, or were
	// archived) are not written with the status read: they go with PUT and status_if_new, which keeps
	// the status they have now. They are read again just before the batch calls, which leaves those
	// calls a window of one round trip after that read. An audience read by this call in one request,
	// with nothing after it, leaves the batch calls the same window already: it is not read again.
	const mayChange = plans.filter((plan) => plan.known.length && plan.read.since);
	const fresh = lastRead && lastRead.read.requests === 1 && mayChange.length === 1 && mayChange[0] === lastRead;
	await Promise.all(
		(fresh ? [] : mayChange).map(async ({ audience, read, known }) => {
			// The default member list leaves archived members out, so the members archived since are
			// read too (in parallel): a batch call with update_existing would bring them back.
			const [current, archived] = await Promise.all([
				readAudienceStatuses(client, audience, () => true, read.since),
				readAudienceStatuses(client, audience, () => true, read.since, 'archived'),
			]);
			const changed = new Map([...current.statuses, ...archived.statuses]);
			if (!changed.size) return;
			const still = known.filter((entry) => !changed.has(entry.input.email.toLowerCase()));
			for (const entry of known) if (changed.has(entry.input.email.toLowerCase())) puts.push({ entry, unsure: false });
			known.length = 0;
			for (const entry of still) known.push(entry);
		}),
	);
	// The order calls start in: those that unsubscribe first (consent); then the calls that write the
	// statuses read, whose window closes when they arrive (behind 10 other calls it would last a whole
	// batch call longer); then the other calls, which carry nothing read.
	const unsubscribing = (call: Call) => call.entries.some((entry) => entry.input.status === 'unsubscribed');
	const calls: Call[] = overwriting.filter(unsubscribing);
	for (const { audience, read, known } of plans) for (const chunk of chunks(known)) calls.push({ audience, entries: chunk, mode: 'known', statuses: read.statuses });
	for (const call of overwriting) if (!unsubscribing(call)) calls.push(call);
	for (const { audience, unknown } of plans) for (const chunk of chunks(unknown)) calls.push({ audience, entries: chunk, mode: 'unknown' });
	// In parallel within the key's in-flight limit, shared with everything else the key does in this
	// process (the pacer). Duplicates were merged before, so no two calls carry the same address; a
	// member's PUT starts only after its batch call answered.
	await run.sendChunks(
		calls.map((call) => call.entries),
		client.api.pacer.parallelism,
		async (_, position) => {
			for (const put of await batchSubscribe(client, run, calls[position])) puts.push(put);
		},
	);
	if (puts.length) await putEach(client, run, puts);
}

function chunks(entries: Entry[]): Entry[][] {
	const out: Entry[][] = [];
	for (let start = 0; start < entries.length; start += MC_BATCH_SIZE) out.push(entries.slice(start, start + MC_BATCH_SIZE));
	return out;
}

/** One batch subscribe call; outcomes settled per member. Returns the members to write with PUT. */
async function batchSubscribe(client: ApiClient, run: BatchRun<MemberWrite>, { audience, entries, mode, statuses }: Call): Promise<Array<{ entry: Entry; unsure: boolean }>> {
	let repeated = false;
	// A call that fails as a whole fails its members (sendChunks: error items, or the run stops).
	const answer = ((await client.request<IDataObject>({
		method: 'POST',
		path: '/lists/{listId}',
		params: { listId: audience },
		body: {
			members: entries.map(({ input }) => ({
				...input.body,
				email_address: input.email,
				status: mode === 'known' ? statuses!.get(input.email.toLowerCase()) : input.status,
			})),
			update_existing: mode !== 'unknown',
		},
		subject: `a batch of ${entries.length} members for audience ${audience}`,
		onRepeat: () => (repeated = true),
	})) ?? {}) as IDataObject;
	const list = (value: unknown) => (Array.isArray(value) ? (value as IDataObject[]).filter((v) => v && typeof v === 'object') : []);
	// Members that existed before the call: `updated` is true for them whatever happened to the call.
	const existedBefore = mode === 'known' || !repeated;
	const outcome = new Map<string, IDataObject>();
	const toPut = new Set<string>();
	for (const m of list(answer.new_members)) outcome.set(String(m.email_address).toLowerCase(), { status: 'created', id: m.id, memberStatus: m.status });
	for (const m of list(answer.updated_members)) {
		const written = { id: m.id, memberStatus: m.status };
		outcome.set(String(m.email_address).toLowerCase(), existedBefore ? { status: 'updated', ...written } : { status: 'succeeded', ...written, note: CREATED_OR_UPDATED });
	}
	for (const e of list(answer.errors)) {
		const email = String(e.email_address).toLowerCase();
		// Existing after all (update_existing off), or refused the status it had when read (it changed since):
		// written with status_if_new, which keeps whatever status it has now.
		if ((mode === 'unknown' && e.error_code === 'ERROR_CONTACT_EXISTS') || (mode === 'known' && !e.field)) {
			toPut.add(email);
			continue;
		}
		const failure: IDataObject = { status: 'failed', error: String(e.error ?? 'Refused by Mailchimp'), errorCode: e.error_code };
		if (e.field) failure.field = `${String(e.field)}${e.field_message ? `: ${String(e.field_message)}` : ''}`;
		outcome.set(email, failure);
	}
	const again: Array<{ entry: Entry; unsure: boolean }> = [];
	for (const entry of entries) {
		const email = entry.input.email.toLowerCase();
		if (toPut.has(email) && !outcome.has(email)) again.push({ entry, unsure: !existedBefore });
		else run.settle(entry, outcome.get(email) ?? { status: 'failed', error: 'Mailchimp gave no result for this address' });
	}
	return again;
}

/** Existing members, written as Create or Update writes one: PUT with status_if_new, within the key's in-flight limit. */
function putEach(client: ApiClient, run: BatchRun<MemberWrite>, puts: Array<{ entry: Entry; unsure: boolean }>): Promise<void> {
	const unsure = new Set(puts.filter((p) => p.unsure).map((p) => p.entry));
	return writeEach(
		puts.map((p) => p.entry),
		client.api.pacer.parallelism,
		run,
		async (entry) => {
			const { index, input } = entry;
			const member = ((await client.request<IDataObject>({
				method: 'PUT',
				path: '/lists/{listId}/members/{hash}',
				params: { listId: input.audience, hash: subscriberHash(input.email) },
				body: { ...input.body, email_address: input.email, status_if_new: input.status },
				subject: `the member ${input.email}`,
				itemIndex: index,
			})) ?? {}) as IDataObject;
			const written = { id: member.id, memberStatus: member.status };
			return unsure.has(entry) ? { status: 'succeeded', ...written, note: CREATED_OR_UPDATED } : { status: 'updated', ...written };
		},
	);
}
