import type { IDataObject } from 'n8n-workflow';

import { subscriberHash } from '../MailchimpSync/lookups';

import { type Action, type Difference, KINDS, SIDE_NAMES, type Side, type Status, type SyncRecord, type Write } from './diff';
import type { FieldPair } from './settings';

/** How the sync's differences look as n8n items, and the summary's counts. */

const SIDES: Side[] = ['activeCampaign', 'mailchimp'];

/** A status in the side's own words (Mailchimp says cleaned where ActiveCampaign says bounced). */
export const statusOn = (status: Status | string, side: Side): string => (status === 'bounced' && side === 'mailchimp' ? 'cleaned' : status);

/** The order of significance when one person gets writes of two kinds. */
const RANK: Action[] = ['create', 'unsubscribe', 'update'];

export function primaryAction(d: Difference): Action | 'none' {
	for (const action of RANK) if (d.writes.some((w) => w.action === action)) return action;
	return 'none';
}

export function target(d: Difference): string | null {
	if (!d.writes.length) return null;
	return d.writes.length > 1 ? 'both' : SIDE_NAMES[d.writes[0].side];
}

/** The record's id; a Mailchimp member's is the MD5 of its lower-cased address. */
const recordId = (side: Side, record: SyncRecord): string => record.id || (side === 'mailchimp' ? subscriberHash(record.email) : '');

function view(side: Side, record: SyncRecord | undefined, pairs: FieldPair[], shown: number[]): IDataObject | null {
	if (!record) return null;
	const out: IDataObject = { id: recordId(side, record), email: record.email, status: statusOn(record.status, side) };
	for (const i of shown) out[pairs[i].labels[side]] = record.fields[i] ?? '';
	out.changedAt = Number.isFinite(record.changedAt) ? new Date(record.changedAt).toISOString() : null;
	return out;
}

export function writeView(w: Write, pairs: FieldPair[]): IDataObject {
	const out: IDataObject = { on: SIDE_NAMES[w.side], action: w.action };
	if (w.status) out.status = statusOn(w.status, w.side);
	out.fields = Object.fromEntries(w.fields.map(([i, value]) => [pairs[i].labels[w.side], value]));
	return out;
}

/** One Differences item: the kind, both sides' values of what differs, the action (or none and why). */
export function differenceItem(d: Difference, pairs: FieldPair[]): IDataObject {
	const onlyOne = !d.activeCampaign || !d.mailchimp;
	const shown = onlyOne ? pairs.map((_, i) => i) : d.fieldsDiffer;
	const differs = [...(d.statusDiffers ? ['status'] : []), ...d.fieldsDiffer.map((i) => `${pairs[i].labels.activeCampaign} ↔ ${pairs[i].labels.mailchimp}`)];
	const item: IDataObject = {
		email: (d.activeCampaign ?? d.mailchimp)!.email,
		kind: d.kind,
		differs,
		activeCampaign: view('activeCampaign', d.activeCampaign, pairs, shown),
		mailchimp: view('mailchimp', d.mailchimp, pairs, shown),
		action: primaryAction(d),
		target: target(d),
		writes: d.writes.map((w) => writeView(w, pairs)),
	};
	if (d.duplicates) item.duplicates = d.duplicates.records.map((r) => ({ id: recordId(d.duplicates!.side, r), email: r.email, status: statusOn(r.status, d.duplicates!.side) }));
	if (d.reason) item.reason = d.reason;
	if (d.live) item.duringRun = d.live;
	return item;
}

/** Counts per kind, per action (per person), and writes per side and action. */
export function counts(differences: Difference[]): IDataObject {
	const byKind: Record<string, number> = Object.fromEntries(KINDS.map((k) => [k, 0]));
	const byAction: Record<string, number> = { create: 0, update: 0, unsubscribe: 0, none: 0 };
	const writes: Record<Side, Record<Action, number>> = {
		activeCampaign: { create: 0, update: 0, unsubscribe: 0 },
		mailchimp: { create: 0, update: 0, unsubscribe: 0 },
	};
	for (const d of differences) {
		byKind[d.kind]++;
		byAction[primaryAction(d)]++;
		for (const w of d.writes) writes[w.side][w.action]++;
	}
	return { differences: differences.length, byKind, byAction, writes: Object.fromEntries(SIDES.map((s) => [s, writes[s]])) };
}
