import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';

import { contactsByIds, contactsOf } from '../ActiveCampaignSync/imports';
import type { Lookups as AcLookups } from '../ActiveCampaignSync/lookups';
import { syncStatusOfListCode } from '../ActiveCampaignSync/reader';
import { upsertMany as acUpsertMany } from '../ActiveCampaignSync/resources/contact/upsertMany';
import { AC_IMPORT_THRESHOLD } from '../ActiveCampaignSync/transport';
import { type AudienceStatuses, type MemberWrite, writeMembers } from '../MailchimpSync/memberWriter';
import { type BatchEntry, collectingRun, writeEach } from '../shared/operations';
import type { ApiClient } from '../shared/transport';
import { plainText } from '../shared/values';
import { type Difference, type Direction, emailKey, flows, isOptedOut, type Side, type Write } from './diff';
import { statusOn } from './items';
import type { FieldPair } from './settings';

/**
 * Apply: the writes of a plan, through the bulk writers the two services' nodes already use
 * (Mailchimp batch subscribe and its existing-member path; ActiveCampaign bulk import or
 * contact/sync, and list status changes), paced by the same per-account pacers as everything else.
 * Consent first: unsubscribes are sent before anything else. Every write gets exactly one outcome
 * (created, updated, unsubscribed, queued, or failed with the reason); a failed write never stops
 * the others, since a later run retries whatever is still different.
 */

type AcInput = Parameters<typeof acUpsertMany.executeBatch>[1][number]['input'];
type McInput = MemberWrite;

export interface ApplyTargets {
	ctx: IExecuteFunctions;
	pairs: FieldPair[];
	direction: Direction;
	activeCampaign: { client: ApiClient; lookups: AcLookups; listId: string; tagName?: string };
	/** `since`: Mailchimp's clock no later than the start of the plan's read (members changed since are read again before writing). */
	mailchimp: { client: ApiClient; audienceId: string; since?: string };
}

/** Each write's outcome, by difference and side. */
export type Outcomes = Map<Difference, Partial<Record<Side, IDataObject>>>;

export interface Planned {
	difference: Difference;
	write: Write;
	/** The ActiveCampaign record a list status change is for, when not the difference's own. */
	contactId?: string;
}

function record(outcomes: Outcomes, difference: Difference, side: Side, outcome: IDataObject): void {
	const found = outcomes.get(difference) ?? {};
	// A write made of two steps (fields, then the list status) fails if either step failed.
	if (found[side]?.status === 'failed') return;
	found[side] = outcome;
	outcomes.set(difference, found);
}

async function applyMailchimp(targets: ApplyTargets, planned: Planned[], outcomes: Outcomes): Promise<void> {
	if (!planned.length) return;
	const { pairs, mailchimp } = targets;
	const entries: Array<BatchEntry<McInput>> = planned.map(({ difference, write }, index) => {
		const merge = Object.fromEntries(write.fields.map(([i, value]) => [pairs[i].labels.mailchimp, value]));
		// An update names the member's status as read: used only if the member vanished meanwhile.
		const status = write.action === 'update' ? statusOn(difference.mailchimp!.status, 'mailchimp') : write.status!;
		const input: McInput = {
			audience: mailchimp.audienceId,
			email: (difference.mailchimp ?? difference.activeCampaign)!.email,
			status,
			overwrite: write.action === 'unsubscribe',
			body: Object.keys(merge).length ? { merge_fields: merge } : {},
		};
		return { index, items: [index], input };
	});
	// The statuses the plan read: the writer keeps them in batch calls without reading the audience again.
	const statuses: AudienceStatuses = new Map();
	for (const { difference } of planned) if (difference.mailchimp) statuses.set(difference.mailchimp.email.toLowerCase(), statusOn(difference.mailchimp.status, 'mailchimp'));
	const run = collectingRun<McInput>();
	try {
		// The members changed since the plan's read began (they unsubscribed, signed up again, were
		// archived) are read again and written with status_if_new, which keeps the status they have now.
		const readSince = mailchimp.since ? new Map([[mailchimp.audienceId, mailchimp.since]]) : undefined;
		await writeMembers(mailchimp.client, entries, run, { statuses: new Map([[mailchimp.audienceId, statuses]]), readSince });
	} catch (error) {
		run.fail(entries.filter((e) => !run.settled(e)), error);
	}
	entries.forEach((entry, n) => {
		const { difference, write } = planned[n];
		const outcome = { ...run.outcome(entry) };
		if (outcome.status !== 'failed') {
			if (write.action === 'unsubscribe') outcome.status = 'unsubscribed';
			else if (write.action === 'create' && outcome.status === 'updated') outcome.note = 'Already in Mailchimp when written: its fields were updated and its status kept';
		}
		record(outcomes, difference, 'mailchimp', outcome);
	});
}

/** `{contact}` for contact/sync and the bulk import row, with only the fields this write sets. */
function acInput(targets: ApplyTargets, email: string, write: Write, lists: string[], tags: string[]): AcInput {
	const contact: IDataObject = { email };
	const row: IDataObject = { email, tags, subscribe: lists.map((listid) => ({ listid })) };
	const fieldValues: IDataObject[] = [];
	for (const [i, value] of write.fields) {
		const field = targets.pairs[i].ac;
		if ('standard' in field) {
			contact[field.standard] = value;
			row[{ firstName: 'first_name', lastName: 'last_name', phone: 'phone' }[field.standard]] = value;
		} else {
			fieldValues.push({ field: field.customFieldId, value });
		}
	}
	if (fieldValues.length) {
		contact.fieldValues = fieldValues;
		row.fields = fieldValues.map((f) => ({ id: f.field, value: f.value }));
	}
	return { email, sync: { contact }, row, tags, lists };
}

/**
 * ActiveCampaign's writes. From AC_IMPORT_THRESHOLD writes on, everything goes through Create or
 * Update Many's writer, unsubscribes included (an import row's `unsubscribe: [{listid}]`, 250 a
 * call); a row its writer sends with contact/sync instead (fewer than 10, or left alone) gets its
 * list status change afterwards. Fewer writes: a list status change per unsubscribe, first.
 */
async function applyActiveCampaign(targets: ApplyTargets, planned: Planned[], outcomes: Outcomes, fills: Planned[]): Promise<void> {
	if (!planned.length) return;
	const { ctx, activeCampaign } = targets;
	const { client, lookups, listId, tagName } = activeCampaign;
	const bulk = planned.length >= AC_IMPORT_THRESHOLD;
	// Contacts ActiveCampaign holds already get ids up to this one (ids grow with creation, API-NOTES.md).
	const lastIdBefore = planned.some((p) => p.write.action === 'create') ? await lastContactId(client) : undefined;
	const imported: string[] = [];

	// 1. Few writes: unsubscribes of contacts on the list, a list status change each (consent first).
	//    An address held by several records: each record by its id, also on the bulk path (an
	//    import row names an address, which is not enough to tell the records apart).
	const byId = planned.filter((p) => p.write.action === 'unsubscribe' && (!bulk || p.write.ids));
	const perRecord = byId.flatMap((p) =>
		(p.write.ids ?? [p.difference.activeCampaign!.id]).map((contactId) => ({
			...p,
			contactId,
		})),
	);
	await setListStatus(targets, perRecord, (p) => p.contactId!, outcomes);

	// 2. Through Create or Update Many's writer. New contacts subscribed on the source join the list
	//    (and get the tag the side is narrowed to); the unsubscribed are put on it as unsubscribed;
	//    nobody else's list status is touched.
	const upserts = planned.filter((p) => !byId.includes(p) || p.write.fields.length);
	const contactIds = new Map<Planned, string>();
	if (upserts.length) {
		const entries: Array<BatchEntry<AcInput>> = upserts.map(({ difference, write }, index) => {
			const creating = write.action === 'create';
			const email = (difference.activeCampaign ?? difference.mailchimp)!.email;
			// Narrowed by a tag, the list as read was only part of it: a "new" contact may be on it
			// already (unconfirmed, say), so it joins the list only once read back (step 3).
			const lists = creating && write.status === 'subscribed' && !tagName ? [listId] : [];
			const input = acInput(targets, email, write, lists, creating && tagName ? [tagName] : []);
			if (write.status === 'unsubscribed') input.row.unsubscribe = [{ listid: listId }];
			return { index, items: [index], input };
		});
		const run = collectingRun<AcInput>();
		try {
			await acUpsertMany.executeBatch.call(
				ctx,
				{
					client,
					lookups,
					onImported: (ids) => {
						for (const id of ids) imported.push(id);
					},
				},
				entries,
				run,
			);
		} catch (error) {
			run.fail(entries.filter((e) => !run.settled(e)), error);
		}
		entries.forEach((entry, n) => {
			const { difference, write } = upserts[n];
			const outcome = { ...run.outcome(entry) };
			if (outcome.status === 'succeeded') outcome.status = write.action === 'create' ? 'created' : write.action === 'unsubscribe' ? 'unsubscribed' : 'updated';
			if (outcome.notResubscribed && write.action === 'create') {
				// Already on the list (outside the tag the read was narrowed to) as unsubscribed or bounced: not created, not subscribed.
				outcome.status = 'updated';
				outcome.note = 'Already in ActiveCampaign, unsubscribed or bounced on the list: its fields were written and it stays unsubscribed';
			}
			// contact/sync (not an import) carried it: the list status is still to be set.
			if (typeof outcome.contactId === 'string') contactIds.set(upserts[n], outcome.contactId);
			record(outcomes, difference, 'activeCampaign', outcome);
		});
	}

	// 3. The contacts written as new, read back: see readBack.
	const creates = upserts.filter((p) => p.write.action === 'create');
	const back = await readBack(targets, creates, outcomes, [...creates.map((p) => contactIds.get(p)).filter((id) => id !== undefined), ...imported], lastIdBefore);
	for (const fill of back.fills) fills.push(fill);
	await joinList(targets, back.notOnList, outcomes);

	// 4. Unsubscribed on the list, where no import row did it: new contacts unsubscribed or bounced on
	//    the source, and (bulk) unsubscribes written with contact/sync.
	const statusLeft = upserts.filter(
		(p) =>
			p.write.status === 'unsubscribed' &&
			['created', 'unsubscribed'].includes(String(outcomes.get(p.difference)?.activeCampaign?.status)) &&
			(p.write.action === 'create' ? !bulk || contactIds.has(p) : bulk && contactIds.has(p)),
	);
	await setListStatus(
		targets,
		statusLeft,
		async (p) => {
			const known = contactIds.get(p) ?? p.difference.activeCampaign?.id;
			if (known) return known;
			const found = await lookups.contactByEmail(p.difference.mailchimp!.email);
			if (!found) throw client.inputError(`ActiveCampaign has no contact ${p.difference.mailchimp!.email} after creating it`);
			return String(found.id);
		},
		outcomes,
		'keep',
	);
}

/** The highest contact id of the account (`GET /contacts?orders[id]=DESC&limit=1`); undefined for an empty account. */
async function lastContactId(client: ApiClient): Promise<number | undefined> {
	const answer = await client.request<IDataObject>({
		method: 'GET',
		path: '/contacts',
		query: { 'orders[id]': 'DESC', limit: 1 },
		subject: 'the newest contact',
	});
	const id = Number(contactsOf(answer ?? {})[0]?.id);
	return Number.isFinite(id) ? id : undefined;
}

/**
 * The contacts written as new, read back by id (100 a request, with their list memberships and
 * mapped custom fields): the plan read the list (narrowed by a tag, maybe), so a contact that
 * existed outside it looked new. Such a contact keeps the values it had where Mailchimp's are empty
 * (an empty value never erases a filled one): those go to Mailchimp now, or the next Plan would find
 * them (idempotence). Its item says updated, not created; and when it is unsubscribed or bounced on
 * the list (outside the tag as read) it is unsubscribed in Mailchimp too. Returns the Mailchimp
 * writes to make, added to their differences.
 */
async function readBack(
	targets: ApplyTargets,
	creates: Planned[],
	outcomes: Outcomes,
	ids: string[],
	lastIdBefore: number | undefined,
): Promise<{ fills: Planned[]; notOnList: Planned[] }> {
	const { client, listId, tagName } = targets.activeCampaign;
	const byKey = new Map(creates.map((p) => [p.difference.key, p]));
	const customs = targets.pairs.some((pair) => 'customFieldId' in pair.ac);
	const fills: Planned[] = [];
	const notOnList: Planned[] = [];
	if (!ids.length) return { fills, notOnList };
	await contactsByIds(client, [...new Set(ids)], { include: customs ? 'contactLists,fieldValues' : 'contactLists' }, (answer) => {
		const rows = (name: string) => (Array.isArray(answer[name]) ? (answer[name] as IDataObject[]) : []);
		const values = new Map(rows('fieldValues').map((row) => [`${String(row.contact)}:${String(row.field)}`, plainText(row.value)]));
		const listStatus = new Map(
			rows('contactLists')
				.filter((row) => String(row.list) === listId)
				.map((row) => [String(row.contact), String(row.status)]),
		);
		for (const contact of contactsOf(answer)) {
			const planned = byKey.get(emailKey(String(contact.email ?? '')));
			const outcome = planned && outcomes.get(planned.difference)?.activeCampaign;
			if (!planned || !outcome || outcome.status === 'failed') continue;
			const id = String(contact.id);
			outcome.contactId ??= id;
			const onList = listStatus.get(id);
			const statusOnList = syncStatusOfListCode(onList);
			// Written without the list (a tag-narrowed run): joins it only where it is not on it at all.
			if (onList === undefined && tagName && planned.write.status === 'subscribed') notOnList.push(planned);
			if (lastIdBefore !== undefined && Number(id) <= lastIdBefore && outcome.status === 'created') {
				outcome.status = 'updated';
				const now =
					statusOnList && isOptedOut(statusOnList)
						? `; it is ${statusOnList} on the list and stays so`
						: statusOnList === 'pending'
							? '; it is unconfirmed on the list and stays so'
							: planned.write.status === 'subscribed'
								? ', and it is on the list'
								: '';
				outcome.note = `Already in ActiveCampaign, ${tagName ? `without the tag ${tagName}` : 'not on the list'} when read: its fields were written${now}`;
			}
			const member = planned.difference.mailchimp;
			if (!member) continue;
			const own = targets.pairs.map((pair, i): [number, string] => [
				i,
				'standard' in pair.ac ? plainText(contact[pair.ac.standard]) : (values.get(`${id}:${pair.ac.customFieldId}`) ?? ''),
			]);
			// Values go to Mailchimp only where the direction writes it; an opt-out goes whatever the direction (consent).
			const fields = flows(targets.direction, 'activeCampaign') ? own.filter(([i, value]) => value !== '' && (member.fields[i] ?? '') === '') : [];
			const optedOut = !!statusOnList && isOptedOut(statusOnList) && member.status !== 'archived';
			if (!fields.length && !optedOut) continue;
			const write: Write = optedOut
				? {
						side: 'mailchimp',
						action: 'unsubscribe',
						status: 'unsubscribed',
						fields,
					}
				: { side: 'mailchimp', action: 'update', fields };
			planned.difference.writes.push(write);
			fills.push({ difference: planned.difference, write });
		}
	});
	return { fills, notOnList };
}

/** Adds contacts to the list as active (Create or Update Many's writer: bulk import rows, or contact/sync and a list status). */
async function joinList(targets: ApplyTargets, planned: Planned[], outcomes: Outcomes): Promise<void> {
	if (!planned.length) return;
	const { ctx, activeCampaign } = targets;
	const { client, lookups, listId } = activeCampaign;
	const entries: Array<BatchEntry<AcInput>> = planned.map(({ difference }, index) => {
		const email = (difference.activeCampaign ?? difference.mailchimp)!.email;
		return {
			index,
			items: [index],
			input: {
				email,
				sync: { contact: { email } },
				row: { email, subscribe: [{ listid: listId }] },
				tags: [],
				lists: [listId],
			},
		};
	});
	const run = collectingRun<AcInput>();
	try {
		await acUpsertMany.executeBatch.call(ctx, { client, lookups }, entries, run);
	} catch (error) {
		run.fail(entries.filter((e) => !run.settled(e)), error);
	}
	entries.forEach((entry, n) => {
		const outcome = run.outcome(entry);
		const found = outcomes.get(planned[n].difference) ?? {};
		if (outcome.status === 'failed')
			found.activeCampaign = {
				...found.activeCampaign,
				...outcome,
				error: `Written, but not added to the list: ${String(outcome.error)}`,
			};
		else if (outcome.status === 'queued')
			found.activeCampaign = {
				...found.activeCampaign,
				note: `Written; its addition to the list was still being imported: ${String(outcome.note ?? '')}`,
			};
		outcomes.set(planned[n].difference, found);
	});
}

/**
 * Unsubscribes contacts from the list (contactLists status 2), five at a time. `done` is the
 * outcome's status, or `keep` for a second step after a write that already has its outcome.
 */
export async function setListStatus(
	targets: ApplyTargets,
	planned: Planned[],
	contactId: (p: Planned) => string | Promise<string>,
	outcomes: Outcomes,
	done = 'unsubscribed',
): Promise<void> {
	if (!planned.length) return;
	const { client, listId } = targets.activeCampaign;
	const entries: Array<BatchEntry<Planned>> = planned.map((p, index) => ({ index, items: [index], input: p }));
	const run = collectingRun<Planned>();
	await writeEach(entries, client.api.pacer.parallelism, run, async ({ input }) => {
		const contact = await contactId(input);
		await client.request({ method: 'POST', path: '/contactLists', body: { contactList: { list: listId, contact, status: 2 } }, subject: `contact ${contact} on list ${listId}` });
		return { status: done, contactId: contact };
	});
	for (const entry of entries) {
		const outcome = run.outcome(entry);
		const difference = entry.input.difference;
		if (done !== 'keep') {
			record(outcomes, difference, 'activeCampaign', outcome);
		} else if (outcome.status === 'failed') {
			// The contact was written but is not on the list as unsubscribed: say so.
			const found = outcomes.get(difference)!;
			found.activeCampaign = { ...outcome, error: `${found.activeCampaign?.status === 'created' ? 'Created' : 'Written'}, but not set unsubscribed on the list: ${String(outcome.error)}` };
		}
	}
}

/** Writes every planned change, both services at once (each on its own budget). */
export async function applyPlan(targets: ApplyTargets, differences: Difference[]): Promise<Outcomes> {
	const outcomes: Outcomes = new Map();
	const bySide: Record<Side, Planned[]> = { activeCampaign: [], mailchimp: [] };
	for (const difference of differences) for (const write of difference.writes) bySide[write.side].push({ difference, write });
	// Unsubscribes first on Mailchimp too: the writer starts its batch calls in the order of its groups.
	bySide.mailchimp.sort((a, b) => Number(b.write.action === 'unsubscribe') - Number(a.write.action === 'unsubscribe'));
	const fills: Planned[] = [];
	await Promise.all([applyMailchimp(targets, bySide.mailchimp, outcomes), applyActiveCampaign(targets, bySide.activeCampaign, outcomes, fills)]);
	// What contacts that existed outside the list as read hold, to Mailchimp (readBack).
	await applyMailchimp(targets, fills, outcomes);
	return outcomes;
}
