import type { IDataObject } from 'n8n-workflow';

import { contactsByIds, contactsOf } from '../ActiveCampaignSync/imports';
import { AC_LIST_STATUSES } from '../ActiveCampaignSync/reader';
import { type MemberWrite, readAudienceStatuses, writeMembers } from '../MailchimpSync/memberWriter';
import { syncStatusOf } from '../MailchimpSync/reader';
import { type BatchEntry, collectingRun } from '../shared/operations';
import { type ApplyTargets, type Outcomes, type Planned, setListStatus } from './apply';
import { type Difference, type DiffOptions, diffPerson, emailKey, isOptedOut, SIDE_NAMES, type Side, type Status, type SyncRecord } from './diff';
import { statusOn } from './items';

/**
 * Unsubscribes made while an Apply is under way (issue 19: "a member who unsubscribes on one side
 * while the run is under way stays unsubscribed on both"). Reading a large list takes minutes, and
 * the plan is what was read. So Apply looks again, twice:
 *
 * 1. Just before its first write: people who unsubscribed (or bounced, or were cleaned) since they
 *    were read are planned again with the status they have now, so the run never adds them to the
 *    other side as subscribed, and carries the unsubscribe instead.
 * 2. After its last write: whoever unsubscribed meanwhile is unsubscribed on the other side too.
 *
 * Where it looks: in Mailchimp, the members changed since the read began (`since_last_changed`, on
 * Mailchimp's clock from its `Date` header; one request per 1,000 changed members); in
 * ActiveCampaign, which has no such filter for list statuses (API-NOTES.md), the list status of
 * the contacts this run writes to Mailchimp as subscribed (`GET /contacts?ids[]=…&listid&status`,
 * 100 a request). So an unsubscribe made in ActiveCampaign by someone this run does not write to
 * Mailchimp reaches Mailchimp on the next run; Mailchimp's reach ActiveCampaign in the same run.
 * The writers never subscribe anyone again on the side they unsubscribed on (Mailchimp: the members
 * changed since the read are written with status_if_new; ActiveCampaign: field updates leave list
 * statuses alone).
 */

/**
 * People opted out since the plan read them, per side: key → their status now; and (`signedUp`)
 * Mailchimp members subscribed now (pending is not subscribed) who may have been read as opted out.
 */
export type OptOuts = Record<Side, Map<string, Status>> & { signedUp: Map<string, Status> };

export interface LiveWatch {
	targets: ApplyTargets;
	options: DiffOptions;
	/** A person's record as the plan read it; undefined when not read, or held twice on that side. */
	lookup: (side: Side, key: string) => SyncRecord | undefined;
	/** People this run may still write beyond the plan (Max Changes less the plan's changes). */
	room: number;
}

/** What the summary says about changes made during the run. */
export interface LiveReport {
	/** People found unsubscribed, bounced or cleaned since they were read, per side where that happened. */
	optedOut: Record<Side, number>;
	/** Of them, people whose opt-out this run carried to the other side (or kept from being subscribed there). */
	carried: number;
	/** People read as unsubscribed in Mailchimp who signed up again before the writes: not unsubscribed in ActiveCampaign on the old reading. */
	signedUpAgain: number;
	/** People left for the next run: past Max Changes. */
	leftForNextRun: number;
	/** Why the second look, after the writes, could not be made (the writes' outcomes stand). */
	error?: string;
}

const other = (side: Side): Side => (side === 'activeCampaign' ? 'mailchimp' : 'activeCampaign');

export function newReport(): LiveReport {
	return { optedOut: { activeCampaign: 0, mailchimp: 0 }, carried: 0, signedUpAgain: 0, leftForNextRun: 0 };
}

/** Contacts this run writes to Mailchimp (added, or fields) while they are active on the ActiveCampaign list: id → key. */
function watchedContacts(differences: Difference[]): Map<string, string> {
	const ids = new Map<string, string>();
	for (const d of differences) {
		const ac = d.activeCampaign;
		if (!ac?.id || ac.status !== 'subscribed' || d.kind === 'duplicate') continue;
		if (d.writes.some((w) => w.side === 'mailchimp' && w.action !== 'unsubscribe')) ids.set(ac.id, d.key);
	}
	return ids;
}

/** ActiveCampaign contacts of `ids` (id → key) no longer active on the list, with their list status when it is an opt-out. */
async function acOptOuts(targets: ApplyTargets, ids: Map<string, string>, found: Map<string, Status>): Promise<void> {
	const { client, listId } = targets.activeCampaign;
	const all = [...ids.keys()];
	const active = new Set<string>();
	await contactsByIds(client, all, { listid: listId, status: '1' }, (answer) => {
		for (const c of contactsOf(answer)) active.add(String(c.id));
	});
	// Rare: those no longer active, asked for the two opt-out statuses.
	const gone = all.filter((id) => !active.has(id));
	for (const [code, status] of AC_LIST_STATUSES.filter(([, s]) => isOptedOut(s))) {
		if (!gone.length) break;
		await contactsByIds(client, gone, { listid: listId, status: code }, (answer) => {
			for (const c of contactsOf(answer)) if (ids.has(String(c.id))) found.set(ids.get(String(c.id))!, status);
		});
	}
}

/** Reads who opted out since the plan's read: every such Mailchimp member, and the watched ActiveCampaign contacts. */
export async function readOptOuts(watch: LiveWatch, differences: Difference[]): Promise<OptOuts> {
	const { targets } = watch;
	const found: OptOuts = { activeCampaign: new Map(), mailchimp: new Map(), signedUp: new Map() };
	const since = targets.mailchimp.since;
	await Promise.all([
		since
			? readAudienceStatuses(targets.mailchimp.client, targets.mailchimp.audienceId, () => true, since).then(({ statuses }) => {
					for (const [email, raw] of statuses) {
						const status = syncStatusOf(raw);
						if (!status) continue;
						if (isOptedOut(status)) found.mailchimp.set(emailKey(email), status);
						// Pending is a signup nobody confirmed yet: not consent, so the opt-out read stands.
						else if (status === 'subscribed') found.signedUp.set(emailKey(email), status);
					}
				})
			: undefined,
		acOptOuts(targets, watchedContacts(differences), found.activeCampaign),
	]);
	return found;
}

const LEFT = 'left for the next run (past Max Changes)';

/** Room for one more person changed beyond the plan: false (and counted as left for the next run) past Max Changes. */
function takeRoom(watch: LiveWatch, report: LiveReport): boolean {
	if (watch.room <= 0) {
		report.leftForNextRun++;
		return false;
	}
	watch.room--;
	return true;
}

const liveNote = (side: Side, status: Status) => `${statusOn(status, side).replace(/^./, (c) => c.toUpperCase())} in ${SIDE_NAMES[side]} while this run was under way`;

/** Who opted out on `side` after being read as not opted out: their difference (if any) and their records now. */
function* changed(watch: LiveWatch, differences: Difference[], found: OptOuts) {
	const byKey = new Map<string, number>();
	differences.forEach((d, i) => byKey.set(d.key, i));
	for (const side of ['mailchimp', 'activeCampaign'] as const) {
		for (const [key, status] of found[side]) {
			const at = byKey.get(key);
			const d = at === undefined ? undefined : differences[at];
			// An address held twice or not valid is left as its line says.
			if (d && (d.kind === 'duplicate' || d.kind === 'invalidEmail')) continue;
			// This run's own write, or a change on a side this run unsubscribes anyway.
			if (d?.writes.some((w) => w.side === side && w.status === 'unsubscribed')) continue;
			const before = d ? d[side] : watch.lookup(side, key);
			const otherRecord = d ? d[other(side)] : watch.lookup(other(side), key);
			if (before && isOptedOut(before.status)) continue;
			// New on this side since the read, or on neither side as read: nothing to carry.
			if (!before && !d) continue;
			if (!before && !otherRecord) continue;
			const now: SyncRecord = before ? { ...before, status } : { email: otherRecord!.email, status, fields: [...otherRecord!.fields], changedAt: Number.NaN, id: '' };
			yield { key, side, status, at, d, now, otherRecord };
		}
	}
}

/**
 * Before the first write: people who opted out since they were read are planned again with their
 * status now (an addition to the other side becomes an unsubscribe there, or an addition as
 * unsubscribed). People the plan found in agreement get a line of their own, within `room`.
 */
export function replan(watch: LiveWatch, differences: Difference[], found: OptOuts, report: LiveReport): void {
	for (const { key, side, status, at, d, now, otherRecord } of [...changed(watch, differences, found)]) {
		report.optedOut[side]++;
		const records = side === 'activeCampaign' ? [now, otherRecord] : [otherRecord, now];
		const again = diffPerson(key, records[0], records[1], watch.options);
		const note = liveNote(side, status);
		if (d && at !== undefined) {
			// A line the plan wrote nothing for counts against Max Changes once it gains a write.
			if (!d.writes.length && again?.writes.length && !takeRoom(watch, report)) {
				d.live = `${note}, after it was read: ${LEFT}`;
				continue;
			}
			if (again) {
				again.live = `${note}, after it was read: planned again with that status`;
				differences[at] = again;
			} else {
				// Both sides agree now (opted out on both): nothing left to write.
				d.writes = [];
				d[side] = now;
				d.live = `${note}, after it was read: nothing left to write`;
			}
			report.carried++;
			continue;
		}
		if (!again?.writes.length || !takeRoom(watch, report)) continue;
		again.live = `${note}, after it was read: carried to ${SIDE_NAMES[other(side)]}`;
		differences.push(again);
		report.carried++;
	}
	// Read as unsubscribed in Mailchimp, subscribed there again now (a signup form): the unsubscribe
	// in ActiveCampaign the old reading planned is dropped. Never the other way: an opt-out in
	// ActiveCampaign still unsubscribes them in Mailchimp (the writer keeps the status they have now).
	differences.forEach((d, at) => {
		const status = found.signedUp.get(d.key);
		const member = d.mailchimp;
		if (!status || !member || !isOptedOut(member.status) || d.kind === 'duplicate' || d.kind === 'invalidEmail') return;
		const again = diffPerson(d.key, d.activeCampaign, { ...member, status }, watch.options);
		if (again?.writes.some((w) => w.side === 'mailchimp' && w.action === 'unsubscribe')) return;
		const note = `${statusOn(status, 'mailchimp').replace(/^./, (c) => c.toUpperCase())} again in Mailchimp while this run was under way, after it was read`;
		if (again) {
			again.live = `${note}: planned again with that status`;
			differences[at] = again;
		} else {
			d.writes = [];
			d.mailchimp = { ...member, status };
			d.live = `${note}: nothing left to write`;
		}
		report.signedUpAgain++;
	});
}

/**
 * After the last write: whoever opted out meanwhile and is still subscribed (or pending) on the
 * other side, as read or as this run wrote them, is unsubscribed there. Their line says so.
 */
export async function carry(watch: LiveWatch, differences: Difference[], outcomes: Outcomes, found: OptOuts, report: LiveReport): Promise<void> {
	const toAc: Planned[] = [];
	const toMc: Planned[] = [];
	for (const { key, side, status, d, now, otherRecord } of [...changed(watch, differences, found)]) {
		report.optedOut[side]++;
		const target = other(side);
		const note = liveNote(side, status);
		const written = d?.writes.find((w) => w.side === target);
		const outcome = d ? outcomes.get(d)?.[target] : undefined;
		const ok = !!outcome && outcome.status !== 'failed';
		if (written && ok && written.status === 'unsubscribed') continue;
		const subscribedThere = written && written.action === 'create' ? ok : !!otherRecord && !isOptedOut(otherRecord.status) && otherRecord.status !== 'archived';
		if (!subscribedThere) continue;
		let difference = d;
		if (!difference) {
			const records = side === 'activeCampaign' ? [now, otherRecord] : [otherRecord, now];
			difference = diffPerson(key, records[0], records[1], watch.options);
			if (!difference?.writes.length || !takeRoom(watch, report)) continue;
			difference.writes = difference.writes.filter((w) => w.side === target && w.action === 'unsubscribe');
			differences.push(difference);
		} else {
			// A line the plan wrote nothing for counts against Max Changes once it gains a write.
			if (!difference.writes.length && !takeRoom(watch, report)) {
				difference.live = `${note}: ${LEFT}`;
				continue;
			}
			difference[side] = now;
			difference.statusDiffers = true;
			if (difference.kind === 'fieldsDiffer') difference.kind = 'statusDiffers';
			if (written) {
				written.status = 'unsubscribed';
				if (written.action === 'update') written.action = 'unsubscribe';
			} else {
				difference.writes.push({ side: target, action: 'unsubscribe', status: 'unsubscribed', fields: [] });
			}
		}
		difference.live = `${note}: unsubscribed in ${SIDE_NAMES[target]} too`;
		const write = difference.writes.find((w) => w.side === target)!;
		(target === 'activeCampaign' ? toAc : toMc).push({ difference, write });
		report.carried++;
	}
	const fresh: Outcomes = new Map();
	const { targets } = watch;
	await Promise.all([
		setListStatus(
			targets,
			toAc,
			async (p) => {
				const known = p.difference.activeCampaign?.id || outcomes.get(p.difference)?.activeCampaign?.contactId;
				if (typeof known === 'string' && known) return known;
				const email = (p.difference.mailchimp ?? p.difference.activeCampaign)!.email;
				const contact = await targets.activeCampaign.lookups.contactByEmail(email);
				if (!contact) throw targets.activeCampaign.client.inputError(`ActiveCampaign has no contact ${email}`);
				return String(contact.id);
			},
			fresh,
		),
		unsubscribeMembers(targets, toMc, fresh),
	]);
	for (const [difference, bySide] of fresh) {
		for (const [side, result] of Object.entries(bySide) as Array<[Side, IDataObject]>) {
			const found = outcomes.get(difference) ?? {};
			const before = found[side];
			if (result.status === 'failed') {
				found[side] = before ? { ...before, status: 'failed', error: `${before.status === 'created' ? 'Created' : 'Written'}, but not unsubscribed afterwards: ${String(result.error)}` } : result;
			} else if (before?.status === 'created' || before?.status === 'failed') {
				found[side] = { ...before, note: `${before.status === 'created' ? 'Created, then unsubscribed' : 'Unsubscribed'}: ${difference.live}` };
			} else {
				found[side] = { ...before, ...result, status: 'unsubscribed' };
			}
			outcomes.set(difference, found);
		}
	}
}

/** Unsubscribes Mailchimp members (batch subscribe with the status given, 500 a call). */
async function unsubscribeMembers(targets: ApplyTargets, planned: Planned[], outcomes: Outcomes): Promise<void> {
	if (!planned.length) return;
	const { client, audienceId } = targets.mailchimp;
	const entries: Array<BatchEntry<MemberWrite>> = planned.map(({ difference }, index) => ({
		index,
		items: [index],
		input: { audience: audienceId, email: (difference.mailchimp ?? difference.activeCampaign)!.email, status: 'unsubscribed', overwrite: true, body: {} },
	}));
	const run = collectingRun<MemberWrite>();
	try {
		await writeMembers(client, entries, run);
	} catch (error) {
		run.fail(entries.filter((e) => !run.settled(e)), error);
	}
	entries.forEach((entry, n) => {
		const outcome = run.outcome(entry);
		outcomes.set(planned[n].difference, { ...outcomes.get(planned[n].difference), mailchimp: outcome.status === 'failed' ? outcome : { ...outcome, status: 'unsubscribed' } });
	});
}
