import type { IDataObject, IExecuteFunctions, NodeOperationError } from 'n8n-workflow';

import { AC_ID, type Lookups as AcLookups, readRef } from '../ActiveCampaignSync/lookups';
import type { AcField } from '../ActiveCampaignSync/reader';
import { audienceFromLocator, loadMergeFields, type MergeField, matchMergeField } from '../MailchimpSync/lookups';
import type { ApiClient } from '../shared/transport';
import { locatorParts, readBoolean, readChoice, readId, readLabel, readText, shown, valueError } from '../shared/values';
import type { ConflictPolicy, Direction, Side } from './diff';

/** What one run of Audience Sync is asked to do, read and checked before any request. */
export interface SyncSettings {
	mode: 'plan' | 'apply';
	direction: Direction;
	conflictPolicy: ConflictPolicy;
	newMemberStatus: 'subscribed' | 'pending';
	/** Max Changes as given: a count, or a share of the larger side. */
	maxChanges: { count: number } | { percent: number };
}

/** A mapped pair: the contact field, the merge field, and how each side names it in items. */
export interface FieldPair {
	ac: AcField;
	labels: Record<Side, string>;
	/** The merge field's type and date format, where its value is compared as a value, not as text. */
	value?: { type: 'number' } | { type: 'date' | 'birthday'; format?: string };
}

/** A number as Mailchimp's number fields hold it; NaN when the text is not one. */
const numberOf = (text: string): number => (/^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(text.trim()) ? Number(text.trim()) : Number.NaN);

/**
 * Year (0 when absent), month and day of a date as either side writes it: `2024-03-05` (also with a
 * time), or `03/05/2024` / `03/05` read in the merge field's format (month first unless it says `DD`
 * first). Undefined when the text is not one.
 */
function dateOf(text: string, format = 'MM/DD/YYYY'): [number, number, number] | undefined {
	const iso = /^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T].*)?$/.exec(text.trim());
	if (iso) return [Number(iso[1]), Number(iso[2]), Number(iso[3])];
	const slashed = /^(\d{1,2})\/(\d{1,2})(?:\/(\d{4}))?$/.exec(text.trim());
	if (!slashed) return undefined;
	const dayFirst = /^\s*D/i.test(format);
	const [month, day] = dayFirst ? [slashed[2], slashed[1]] : [slashed[1], slashed[2]];
	return [Number(slashed[3] ?? 0), Number(month), Number(day)];
}

/**
 * Whether two texts of a pair hold the same value: Mailchimp keeps a number merge field as a number
 * and a date in its field's format (API-NOTES.md), so `42.0` and `42`, or `2024-03-05` and
 * `03/05/2024`, are one value. A birthday has no year: month and day are compared.
 */
export function sameValue(pairs: FieldPair[]): (field: number, activeCampaign: string, mailchimp: string) => boolean {
	return (i, a, m) => {
		const value = pairs[i]?.value;
		if (!value) return false;
		if (value.type === 'number') {
			const x = numberOf(a);
			return Number.isFinite(x) && x === numberOf(m);
		}
		const x = dateOf(a, value.format);
		const y = dateOf(m, value.format);
		if (!x || !y) return false;
		return x[1] === y[1] && x[2] === y[2] && (value.type === 'birthday' || x[0] === y[0]);
	};
}

/** How a merge field's values compare (see sameValue). */
function valueOf(field: MergeField): FieldPair['value'] {
	if (field.type === 'number') return { type: 'number' };
	if (field.type === 'date' || field.type === 'birthday') return { type: field.type, format: field.dateFormat };
	return undefined;
}

const STANDARD: Array<{ field: 'firstName' | 'lastName' | 'phone'; tag: string }> = [
	{ field: 'firstName', tag: 'FNAME' },
	{ field: 'lastName', tag: 'LNAME' },
	{ field: 'phone', tag: 'PHONE' },
];

const choice = <T extends string>(ctx: IExecuteFunctions, name: string, label: string, allowed: readonly T[], fallback: T): T =>
	readChoice(ctx, ctx.getNodeParameter(name, 0, fallback), label, allowed);

/** `10%`, `500`, or a number: anything else (negative, fractional count, over 100 %) is refused. */
export function readMaxChanges(ctx: IExecuteFunctions, value: unknown): SyncSettings['maxChanges'] {
	const text = readText(ctx, value, 'Max Changes');
	const percent = /^(\d+(?:\.\d+)?)\s*%$/.exec(text);
	if (percent && Number(percent[1]) <= 100) return { percent: Number(percent[1]) };
	if (/^\d+$/.test(text)) return { count: Number(text) };
	throw valueError(ctx, `Max Changes ${shown(value)} is neither a whole number of people nor a percentage up to 100% (like 10%)`);
}

/** The people Max Changes allows to change, for sides of these sizes. */
export function maxChangesFor(max: SyncSettings['maxChanges'], larger: number): number {
	return 'count' in max ? max.count : Math.ceil((max.percent / 100) * larger);
}

export function readSettings(ctx: IExecuteFunctions): SyncSettings {
	const mode = choice(ctx, 'mode', 'Mode', ['plan', 'apply'] as const, 'plan');
	const direction = choice(ctx, 'direction', 'Direction', ['activeCampaignToMailchimp', 'mailchimpToActiveCampaign', 'both'] as const, 'activeCampaignToMailchimp');
	return {
		mode,
		direction,
		conflictPolicy: direction === 'both' ? choice(ctx, 'conflictPolicy', 'Field Conflicts', ['newerWins', 'activeCampaignWins', 'mailchimpWins'] as const, 'newerWins') : 'newerWins',
		newMemberStatus: choice(ctx, 'newMemberStatus', 'New Members Status', ['subscribed', 'pending'] as const, 'subscribed'),
		maxChanges: readMaxChanges(ctx, ctx.getNodeParameter('maxChanges', 0, '10%')),
	};
}

/** An ActiveCampaign list or tag from its locator: By Name by name only, By ID (or picked) by ID only, checked to exist. */
export async function locateAc(ctx: IExecuteFunctions, client: ApiClient, lookups: AcLookups, kind: 'list' | 'tag', parameter: string, optional: boolean): Promise<{ id: string; name: string } | undefined> {
	const locator = locatorParts(ctx.getNodeParameter(parameter, 0, { mode: 'list', value: '' }));
	const label = kind === 'list' ? 'ActiveCampaign list' : 'Tag';
	const value = readLabel(ctx, locator.value, `${label} ${locator.mode === 'name' ? 'name' : 'ID'}`);
	if (!value) {
		if (optional) return undefined;
		throw valueError(ctx, `No ${label} given`);
	}
	if (locator.mode === 'name') return lookups.require(kind, { name: value });
	const id = readId(ctx, value, { field: `${label} ID`, what: kind, pattern: AC_ID, rule: `is not a number{at}: give the ID of a ${kind}, or switch to By Name` });
	const answer = await client.request<IDataObject>({ method: 'GET', path: kind === 'list' ? '/lists/{id}' : '/tags/{id}', params: { id }, subject: `the ${kind} with ID ${id}` });
	const found = (answer[kind] ?? {}) as IDataObject;
	return { id, name: String(kind === 'list' ? found.name : found.tag) };
}

/** The audience from its locator, checked to exist (its name comes back for the summary). */
export async function locateAudience(ctx: IExecuteFunctions, client: ApiClient): Promise<{ id: string; name: string }> {
	const id = audienceFromLocator(ctx, ctx.getNodeParameter('audience', 0));
	const answer = await client.request<IDataObject>({ method: 'GET', path: '/lists/{listId}', params: { listId: id }, query: { fields: 'id,name' }, subject: `the audience ${id}` });
	return { id, name: String(answer.name ?? id) };
}

/**
 * The field pairs to compare: the default three (those whose merge field the audience has; the
 * others are named in `leftOut`) and the user's pairs, each side checked to exist, none twice.
 */
export async function readPairs(ctx: IExecuteFunctions, acLookups: AcLookups, mcClient: ApiClient, audienceId: string): Promise<{ pairs: FieldPair[]; leftOut: string[] }> {
	const mergeFields = await loadMergeFields(mcClient, audienceId);
	const hasTag = (tag: string) => mergeFields.find((f) => f.tag.toUpperCase() === tag.toUpperCase());
	const pairs: FieldPair[] = [];
	const leftOut: string[] = [];
	if (readBoolean(ctx, ctx.getNodeParameter('mapDefaultFields', 0, true), 'Map Names and Phone', undefined, true)) {
		for (const { field, tag } of STANDARD) {
			const found = hasTag(tag);
			if (found) pairs.push({ ac: { standard: field }, labels: { activeCampaign: field, mailchimp: found.tag }, value: valueOf(found) });
			else leftOut.push(`${field} ↔ ${tag}`);
		}
	}
	const given = ctx.getNodeParameter('fieldPairs.pairs', 0, []) as unknown;
	for (const [n, raw] of (Array.isArray(given) ? given : []).entries()) {
		const pair = (raw ?? {}) as IDataObject;
		const where = `More Fields pair ${n + 1}`;
		const acValue = readText(ctx, pair.activeCampaignField, `${where}: ActiveCampaign field`);
		const tagValue = readText(ctx, pair.mailchimpField, `${where}: merge field`);
		// As every merge field input takes it: its tag (what the dropdown gives), or name: and its name.
		const field = matchMergeField(audienceId, mergeFields, tagValue);
		if (!('tag' in field)) throw valueError(ctx, `${where}: ${field.problem}${field.advice ? `: ${field.advice}` : ''}`, undefined, field.description);
		// An address is an object of parts (street, city, zip, ...), never one value: compared as one,
		// every member's address would look empty and be "filled" from ActiveCampaign.
		if (field.type === 'address') {
			throw valueError(ctx, `${where}: merge field ${field.tag} is an address (several parts: street, city, zip, ...), which Audience Sync cannot compare with one ActiveCampaign field: pick a text merge field`);
		}
		let ac: AcField;
		let acLabel: string;
		const standard = STANDARD.find((s) => s.field === acValue);
		if (standard) {
			ac = { standard: standard.field };
			acLabel = standard.field;
		} else {
			// A custom field, as every dropdown of IDs takes it: its ID, or name: and its title; an error names the pair.
			await acLookups.all('custom field'); // a failed read stays the API error it is
			let known: { id: string; name: string };
			try {
				known = await acLookups.require('custom field', readRef(ctx, acValue, 'custom field'));
			} catch (error) {
				const { message, description } = error as NodeOperationError;
				throw valueError(ctx, `${where}: ${message}`, undefined, description ?? undefined);
			}
			ac = { customFieldId: known.id };
			acLabel = known.name;
		}
		pairs.push({ ac, labels: { activeCampaign: acLabel, mailchimp: field.tag }, value: valueOf(field) });
	}
	const seen = new Set<string>();
	for (const pair of pairs) {
		for (const key of [`ac:${'standard' in pair.ac ? pair.ac.standard : pair.ac.customFieldId}`, `mc:${pair.labels.mailchimp}`]) {
			if (seen.has(key)) throw valueError(ctx, `The field ${shown(key.slice(3))} is mapped twice: each field may appear in one pair only`);
			seen.add(key);
		}
	}
	return { pairs, leftOut };
}
