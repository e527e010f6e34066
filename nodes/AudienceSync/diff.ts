/**
 * The differences between an ActiveCampaign list and a Mailchimp audience, and what the sync
 * policy does about each one. Pure: no n8n, no I/O, no clock. The readers hand in compact records,
 * the node turns the differences into items and the writes into bulk calls.
 *
 * The policy, in words (the README and docs/audience-sync.md say the same for marketers):
 * - Email is the key, compared trimmed and lower-cased (as both providers compare it; no Unicode
 *   normalisation, which neither provider applies). An address that is not a valid email is
 *   reported, never matched or written. The same address twice on one side is reported and left
 *   alone until someone merges it, except for consent: an opt-out on either side is still carried.
 * - Consent moves only towards less subscribed, whatever the direction: an unsubscribe, a bounce or
 *   a clean on either side is carried to the other side, never undone, and nobody who is
 *   unsubscribed, bounced or cleaned on either side is subscribed.
 * - Someone new to the target is added only when subscribed on the source (pending is not
 *   subscribed): as subscribed, or as pending (double opt-in), as the user picks. Someone
 *   unsubscribed or bounced on the source is added to the target as unsubscribed, so a later import
 *   there cannot subscribe them.
 * - Field values go from source to target; both ways, a field that differs goes the way the
 *   conflict policy says (the newer change, or a named side; a tie goes to ActiveCampaign). An
 *   empty value never erases a filled one: the filled side fills the empty one.
 */

import { PairStore, type PairStoreOptions } from './store';

/**
 * The status vocabulary of both sides. Bounced (ActiveCampaign) and cleaned (Mailchimp) are one
 * status. Archived (Mailchimp) is someone an admin put aside: the sync leaves them alone.
 */
export type Status = 'subscribed' | 'pending' | 'unsubscribed' | 'bounced' | 'transactional' | 'archived';

export type Side = 'activeCampaign' | 'mailchimp';

export const SIDE_NAMES: Record<Side, string> = { activeCampaign: 'ActiveCampaign', mailchimp: 'Mailchimp' };

const other = (side: Side): Side => (side === 'activeCampaign' ? 'mailchimp' : 'activeCampaign');

/** One person on one side, as the readers keep it: a few short strings. */
export interface SyncRecord {
	/** The address as the provider stores it, trimmed. */
	email: string;
	status: Status;
	/** The mapped fields' values, in mapping order, trimmed; '' when empty. */
	fields: string[];
	/** When the record last changed (epoch ms); NaN when unknown. */
	changedAt: number;
	/** The provider's id (ActiveCampaign contact id); '' where it follows from the address (Mailchimp's subscriber hash). */
	id: string;
}

export type Direction = 'activeCampaignToMailchimp' | 'mailchimpToActiveCampaign' | 'both';
export type ConflictPolicy = 'newerWins' | 'activeCampaignWins' | 'mailchimpWins';

export interface DiffOptions {
	direction: Direction;
	conflictPolicy: ConflictPolicy;
	/** Status of someone added to the target for being subscribed on the source. */
	newMemberStatus: 'subscribed' | 'pending';
	/** Whether an address is one (the same test the nodes apply to input). */
	isValidEmail: (email: string) => boolean;
	/** Labels of the mapped fields, per side, in mapping order (for reasons). */
	fieldLabels?: Record<Side, string[]>;
	/** Whether two different texts of a mapped field (by index) hold the same value (a number, a date). */
	sameValue?: (field: number, activeCampaign: string, mailchimp: string) => boolean;
}

export type Kind = 'onlyInActiveCampaign' | 'onlyInMailchimp' | 'fieldsDiffer' | 'statusDiffers' | 'duplicate' | 'invalidEmail';
export type Action = 'create' | 'update' | 'unsubscribe';

/** A write on one side: the status to give (create, unsubscribe) and the fields to set, by mapping index. */
export interface Write {
	side: Side;
	action: Action;
	status?: 'subscribed' | 'pending' | 'unsubscribed';
	fields: Array<[number, string]>;
	/** An address held by several ActiveCampaign records: the ids of those to unsubscribe. */
	ids?: string[];
}

export interface Difference {
	/** The normalised address. */
	key: string;
	kind: Kind;
	/** The record on each side (the first, for a duplicate). */
	activeCampaign?: SyncRecord;
	mailchimp?: SyncRecord;
	/** All records of a side that holds the address more than once. */
	duplicates?: { side: Side; records: SyncRecord[] };
	/** Whether the statuses differ, and the mapping indexes of the fields that differ. */
	statusDiffers: boolean;
	fieldsDiffer: number[];
	/** At most one write per side; none when the policy holds the difference. */
	writes: Write[];
	/** Why the policy writes nothing (or leaves part of the difference as it is). */
	reason?: string;
	/** Apply: a change made while the run was under way (someone unsubscribed), and what the run did about it. */
	live?: string;
}

/** Trimmed and lower-cased: how both providers compare addresses. */
export const emailKey = (email: string): string => email.trim().toLowerCase();

/** Whether a status is an opt-out (unsubscribed, bounced or cleaned): never undone by the sync. */
export const isOptedOut = (status: Status): boolean => status === 'unsubscribed' || status === 'bounced';

/** Statuses that compare equal for the sync: opted out (unsubscribed, bounced/cleaned) is one class. */
function consent(status: Status): 'subscribed' | 'pending' | 'optedOut' | 'transactional' | 'archived' {
	return status === 'unsubscribed' || status === 'bounced' ? 'optedOut' : status;
}

/** Whether the direction writes values from `from` to the other side. */
export const flows = (direction: Direction, from: Side): boolean =>
	direction === 'both' || (from === 'activeCampaign' ? direction === 'activeCampaignToMailchimp' : direction === 'mailchimpToActiveCampaign');

/** The side whose value wins when both hold a different, non-empty value. */
function conflictWinner(options: DiffOptions, ac: SyncRecord, mc: SyncRecord): Side {
	if (options.direction === 'activeCampaignToMailchimp') return 'activeCampaign';
	if (options.direction === 'mailchimpToActiveCampaign') return 'mailchimp';
	if (options.conflictPolicy === 'activeCampaignWins') return 'activeCampaign';
	if (options.conflictPolicy === 'mailchimpWins') return 'mailchimp';
	const a = Number.isFinite(ac.changedAt) ? ac.changedAt : Number.NEGATIVE_INFINITY;
	const m = Number.isFinite(mc.changedAt) ? mc.changedAt : Number.NEGATIVE_INFINITY;
	return m > a ? 'mailchimp' : 'activeCampaign';
}

const ARCHIVED = 'Archived in Mailchimp: the sync leaves archived members alone (unarchive them there to sync them again)';

/** Someone on one side only: added to the other side when the direction and the consent policy allow. */
function onlyOn(side: Side, record: SyncRecord, key: string, options: DiffOptions): Difference {
	const target = other(side);
	const difference: Difference = {
		key,
		kind: side === 'activeCampaign' ? 'onlyInActiveCampaign' : 'onlyInMailchimp',
		[side]: record,
		statusDiffers: false,
		fieldsDiffer: [],
		writes: [],
	};
	const fields = record.fields.map((value, i) => [i, value] as [number, string]).filter(([, value]) => value !== '');
	const status = consent(record.status);
	if (status === 'archived') {
		difference.reason = ARCHIVED;
	} else if (!flows(options.direction, side)) {
		difference.reason = `Not in ${SIDE_NAMES[target]}; the direction is ${SIDE_NAMES[target]} → ${SIDE_NAMES[side]}`;
	} else if (status === 'optedOut') {
		// Carried as an unsubscribed member, so no later import on the target can subscribe them.
		difference.writes.push({ side: target, action: 'create', status: 'unsubscribed', fields });
	} else if (status === 'pending') {
		difference.reason = `Pending in ${SIDE_NAMES[side]}: not confirmed yet, so not added to ${SIDE_NAMES[target]}`;
	} else if (status === 'transactional') {
		difference.reason = `Transactional in ${SIDE_NAMES[side]}: never opted in, so not added to ${SIDE_NAMES[target]}`;
	} else if (target === 'activeCampaign' && options.newMemberStatus === 'pending') {
		difference.reason = 'New members are to be pending, and ActiveCampaign\'s API cannot add a contact to a list as unconfirmed';
	} else {
		difference.writes.push({ side: target, action: 'create', status: options.newMemberStatus, fields });
	}
	return difference;
}

/** Whether a mapped field's two values agree: the same text, or (a number, a date) the same value. */
const same = (options: DiffOptions, i: number, a: string, m: string): boolean => a === m || (a !== '' && m !== '' && !!options.sameValue?.(i, a, m));

/** Someone on both sides: status first (consent), then the mapped fields. Undefined when they agree. */
function onBoth(ac: SyncRecord, mc: SyncRecord, key: string, options: DiffOptions): Difference | undefined {
	if (ac.status === 'archived' || mc.status === 'archived') {
		const fieldsDiffer = ac.fields.map((a, i) => (same(options, i, a, mc.fields[i] ?? '') ? -1 : i)).filter((i) => i >= 0);
		const statusDiffers = consent(ac.status) !== consent(mc.status);
		if (!statusDiffers && !fieldsDiffer.length) return undefined;
		const kind = statusDiffers ? 'statusDiffers' : 'fieldsDiffer';
		return { key, kind, activeCampaign: ac, mailchimp: mc, statusDiffers, fieldsDiffer, writes: [], reason: ARCHIVED };
	}
	const held: string[] = [];
	const writes: Record<Side, Write | undefined> = { activeCampaign: undefined, mailchimp: undefined };
	const acConsent = consent(ac.status);
	const mcConsent = consent(mc.status);
	const statusDiffers = acConsent !== mcConsent;
	if (statusDiffers) {
		if (acConsent === 'optedOut' || mcConsent === 'optedOut') {
			// Carried whatever the direction: consent only moves towards less subscribed.
			const to: Side = acConsent === 'optedOut' ? 'mailchimp' : 'activeCampaign';
			writes[to] = { side: to, action: 'unsubscribe', status: 'unsubscribed', fields: [] };
		} else {
			const pendingSide = acConsent === 'pending' ? 'activeCampaign' : mcConsent === 'pending' ? 'mailchimp' : undefined;
			held.push(
				pendingSide
					? `pending in ${SIDE_NAMES[pendingSide]} (not confirmed): the sync never counts pending as subscribed, nor asks a subscribed person to confirm again`
					: `transactional in ${SIDE_NAMES[acConsent === 'transactional' ? 'activeCampaign' : 'mailchimp']} (never opted in): the sync does not subscribe them`,
			);
		}
	}

	const fieldsDiffer: number[] = [];
	const label = (side: Side, i: number) => options.fieldLabels?.[side][i] ?? `field ${i + 1}`;
	for (let i = 0; i < ac.fields.length; i++) {
		const a = ac.fields[i] ?? '';
		const m = mc.fields[i] ?? '';
		if (same(options, i, a, m)) continue;
		fieldsDiffer.push(i);
		// A filled value fills an empty one; never the other way round.
		const from: Side = a === '' ? 'mailchimp' : m === '' ? 'activeCampaign' : conflictWinner(options, ac, mc);
		const to = other(from);
		if (!flows(options.direction, from)) {
			held.push(`${label(to, i)} is empty in ${SIDE_NAMES[to]}: the direction does not write ${SIDE_NAMES[to]}, and an empty value never erases ${SIDE_NAMES[from]}'s`);
			continue;
		}
		const write = (writes[to] ??= { side: to, action: 'update', fields: [] });
		write.fields.push([i, from === 'activeCampaign' ? a : m]);
	}
	if (!statusDiffers && !fieldsDiffer.length) return undefined;
	const difference: Difference = {
		key,
		kind: statusDiffers ? 'statusDiffers' : 'fieldsDiffer',
		activeCampaign: ac,
		mailchimp: mc,
		statusDiffers,
		fieldsDiffer,
		writes: [writes.activeCampaign, writes.mailchimp].filter((w): w is Write => !!w),
	};
	if (held.length) difference.reason = held.map((h) => h.charAt(0).toUpperCase() + h.slice(1)).join('; ');
	return difference;
}

/** How far from subscribed a status is: of two readings of one record, the higher one is kept. */
const CAUTION: Record<Status, number> = { subscribed: 0, transactional: 1, pending: 2, archived: 3, unsubscribed: 4, bounced: 5 };

/** A side's first record of each address, read from the compact store. */
export interface FirstRecords {
	get(key: string): SyncRecord | undefined;
	has(key: string): boolean;
}

/**
 * One side's records by key, built as pages arrive: the first record of each address (compact, in
 * a store both sides of a sync share: see pairedIndexes), every record of addresses held more than
 * once, and the records whose address is not valid.
 */
export class SideIndex {
	readonly repeated = new Map<string, SyncRecord[]>();
	readonly invalid: SyncRecord[] = [];
	/** Records added (valid or not). */
	size = 0;
	readonly first: FirstRecords;

	/** @internal the store (shared with the other side's index by pairedIndexes) */
	readonly store: PairStore;

	constructor(
		private readonly isValidEmail: (email: string) => boolean,
		readonly side: Side = 'activeCampaign',
		store?: PairStore,
	) {
		this.store = store ?? new PairStore();
		this.first = { get: (key) => this.store.get(this.side, key), has: (key) => this.store.has(this.side, key) };
	}

	add(record: SyncRecord): void {
		this.size++;
		if (!this.isValidEmail(record.email.trim())) {
			this.invalid.push(record);
			return;
		}
		const key = emailKey(record.email);
		if (!this.store.has(this.side, key)) {
			this.store.set(this.side, key, record);
			return;
		}
		const found = this.store.get(this.side, key)!;
		const all = this.repeated.get(key);
		// Mailchimp holds one member per address (its id is the MD5 of the lower-cased address), so a
		// second reading is the same member, read again on pages that shifted during the read. An
		// ActiveCampaign record is the same when its id is: the first record's, or (an address held
		// by several contacts) one of the others'.
		const readings = all ?? [found];
		const same = this.side === 'mailchimp' ? 0 : record.id ? readings.findIndex((r) => r.id === record.id) : -1;
		if (same >= 0) {
			// The same record twice: its status changed between two reads (one per status). The less
			// subscribed of the two is kept, so a change made during the read never subscribes anyone.
			if (CAUTION[record.status] <= CAUTION[readings[same].status]) return;
			if (all) all[same] = record;
			if (same === 0) this.store.set(this.side, key, record);
			return;
		}
		if (all) all.push(record);
		else this.repeated.set(key, [found, record]);
	}

	addAll(records: Iterable<SyncRecord>): this {
		for (const record of records) this.add(record);
		return this;
	}
}

/** The two indexes of one sync, sharing one compact store (an address both sides hold is kept once). */
export function pairedIndexes(isValidEmail: (email: string) => boolean, storeOptions?: PairStoreOptions): Record<Side, SideIndex> {
	const store = new PairStore(storeOptions);
	return { activeCampaign: new SideIndex(isValidEmail, 'activeCampaign', store), mailchimp: new SideIndex(isValidEmail, 'mailchimp', store) };
}

/** Indexes built apart, as a pair: each side's records added again, in the order they were kept. */
function paired(ac: SideIndex, mc: SideIndex, isValidEmail: (email: string) => boolean): Record<Side, SideIndex> {
	const pair = pairedIndexes(isValidEmail);
	for (const [from, to] of [
		[ac, pair.activeCampaign],
		[mc, pair.mailchimp],
	] as const) {
		for (let n = 0; n < from.store.size; n++) if (from.store.holds(from.side, n)) to.add(from.store.record(from.side, n, from.store.key(n))!);
		for (const records of from.repeated.values()) to.addAll(records.slice(1));
		to.addAll(from.invalid);
	}
	return pair;
}

function invalidDifference(side: Side, record: SyncRecord): Difference {
	return {
		key: emailKey(record.email),
		kind: 'invalidEmail',
		[side]: record,
		statusDiffers: false,
		fieldsDiffer: [],
		writes: [],
		reason: `Not a valid email address in ${SIDE_NAMES[side]}: never matched or written`,
	};
}

function duplicateDifference(key: string, side: Side, records: SyncRecord[], otherRecord: SyncRecord | undefined): Difference {
	const ids = records.map((r) => r.id || r.email).join(', ');
	const difference: Difference = {
		key,
		kind: 'duplicate',
		[side]: records[0],
		[other(side)]: otherRecord,
		duplicates: { side, records },
		statusDiffers: false,
		fieldsDiffer: [],
		writes: [],
		reason: `${records.length} ${SIDE_NAMES[side]} records share this address (ids ${ids}): merge them in ${SIDE_NAMES[side]}; until then the sync leaves this address alone`,
	};
	// Consent is carried even so (whatever the direction): an opt-out on either side, on one of the
	// records, ends the subscriptions the sync can end for this address. Nothing else is written.
	if (!otherRecord || otherRecord.status === 'archived') return difference;
	const canChange = (r: SyncRecord) => r.status !== 'archived' && consent(r.status) !== 'optedOut';
	if (consent(otherRecord.status) !== 'optedOut' && !records.some((r) => consent(r.status) === 'optedOut')) return difference;
	const done: string[] = [];
	if (canChange(otherRecord)) {
		difference.writes.push({ side: other(side), action: 'unsubscribe', status: 'unsubscribed', fields: [] });
		done.push(`it is unsubscribed in ${SIDE_NAMES[other(side)]}`);
	}
	const left = records.filter(canChange);
	if (left.length) {
		// The records still subscribed are the ones to unsubscribe, each by its id.
		difference[side] = left[0];
		difference.writes.push({ side, action: 'unsubscribe', status: 'unsubscribed', fields: [], ids: left.map((r) => r.id) });
		const ids = left.map((r) => r.id || r.email).join(', ');
		done.push(left.length === 1 ? `the ${SIDE_NAMES[side]} record still on the list (id ${ids}) is unsubscribed` : `its ${left.length} ${SIDE_NAMES[side]} records still on the list (ids ${ids}) are unsubscribed`);
	}
	difference.statusDiffers = difference.writes.length > 0;
	difference.reason = `${records.length} ${SIDE_NAMES[side]} records share this address (ids ${ids}), and it is unsubscribed or bounced somewhere: ${done.join('; ')}. Merge them in ${SIDE_NAMES[side]}; until then the sync writes nothing else for this address`;
	return difference;
}

/** Records compared between two progress ticks of diffIndexes. */
export const TICK_EVERY = 2000;

/**
 * The differences between the two sides, one per person (and one per invalid record), with the
 * policy's writes. A generator, so the caller can give its event loop a turn now and then: besides
 * the differences it yields `undefined` every TICK_EVERY records compared, also where none differ.
 * People both sides hold alike are passed over on their compact form, without decoding them.
 */
export function* diffIndexes(acIndex: SideIndex, mcIndex: SideIndex, options: DiffOptions): Generator<Difference | undefined> {
	const shared = acIndex.store === mcIndex.store && acIndex.side === 'activeCampaign' && mcIndex.side === 'mailchimp';
	const { activeCampaign: ac, mailchimp: mc } = shared ? { activeCampaign: acIndex, mailchimp: mcIndex } : paired(acIndex, mcIndex, options.isValidEmail);
	const store = ac.store;
	for (const record of ac.invalid) yield invalidDifference('activeCampaign', record);
	for (const record of mc.invalid) yield invalidDifference('mailchimp', record);

	// Everyone ActiveCampaign holds, then those only Mailchimp holds (as the two indexes were read).
	// Alike on the bytes (the same consent class, the values kept once): nothing to decode.
	const repeated = ac.repeated.size > 0 || mc.repeated.size > 0;
	let compared = 0;
	for (let n = 0; n < store.size; n++) {
		if (++compared % TICK_EVERY === 0) yield undefined;
		if (!store.holds('activeCampaign', n) || (!repeated && store.alike(n))) continue;
		const key = store.key(n);
		const acAll = ac.repeated.get(key);
		const mcAll = mc.repeated.get(key);
		if (acAll) {
			yield duplicateDifference(key, 'activeCampaign', acAll, mc.first.get(key));
			continue;
		}
		if (mcAll) {
			yield duplicateDifference(key, 'mailchimp', mcAll, ac.first.get(key));
			continue;
		}
		if (!store.holds('mailchimp', n)) {
			yield onlyOn('activeCampaign', store.record('activeCampaign', n, key)!, key, options);
			continue;
		}
		if (store.alike(n)) continue;
		const difference = onBoth(store.record('activeCampaign', n, key)!, store.record('mailchimp', n, key)!, key, options);
		if (difference) yield difference;
	}
	for (let n = 0; n < store.size; n++) {
		if (store.holds('activeCampaign', n)) continue;
		if (++compared % TICK_EVERY === 0) yield undefined;
		const key = store.key(n);
		const mcAll = mc.repeated.get(key);
		yield mcAll ? duplicateDifference(key, 'mailchimp', mcAll, undefined) : onlyOn('mailchimp', store.record('mailchimp', n, key)!, key, options);
	}
}

/** One person's difference from their records (one on each side at most), as diffIndexes finds it; undefined when they agree. */
export function diffPerson(key: string, ac: SyncRecord | undefined, mc: SyncRecord | undefined, options: DiffOptions): Difference | undefined {
	if (ac && mc) return onBoth(ac, mc, key, options);
	if (ac) return onlyOn('activeCampaign', ac, key, options);
	return mc ? onlyOn('mailchimp', mc, key, options) : undefined;
}

/** The differences between two record sets (see diffIndexes), without the progress ticks. */
export function* diff(activeCampaign: Iterable<SyncRecord>, mailchimp: Iterable<SyncRecord>, options: DiffOptions): Generator<Difference> {
	const index = pairedIndexes(options.isValidEmail);
	index.activeCampaign.addAll(activeCampaign);
	index.mailchimp.addAll(mailchimp);
	for (const d of diffIndexes(index.activeCampaign, index.mailchimp, options)) if (d) yield d;
}

/** Every kind, for summaries (a count of 0 is still shown). */
export const KINDS: Kind[] = ['onlyInActiveCampaign', 'onlyInMailchimp', 'fieldsDiffer', 'statusDiffers', 'duplicate', 'invalidEmail'];
