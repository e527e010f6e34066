import { createHash } from 'crypto';

import type { IDataObject, IExecuteFunctions, INode, INodeParameterResourceLocator } from 'n8n-workflow';

import type { ApiClient } from '../shared/transport';
import { itemParameter, NAME_FORM, pickKnown, readId, readText, shown, splitReference } from '../shared/values';
import { mailchimpPages } from './transport';

/**
 * A member's id: the MD5 of the lower-cased email. Users type emails, never hashes, and a member
 * is always addressed by this computed hash, never by raw input.
 */
export const subscriberHash = (email: string) => createHash('md5').update(email.trim().toLowerCase()).digest('hex');

/**
 * An audience (list) ID as Mailchimp documents it: "a string of letters and numbers" (10 in
 * practice, like a1b2c3d4e5; the length is not documented, so it is not enforced). See API-NOTES.md.
 */
export const AUDIENCE_ID = /^[A-Za-z0-9]{1,64}$/;

/** An audience ID from any source (locator, expression, trigger, dropdown), checked before it reaches a path. */
export function readAudienceId(ctx: { getNode(): INode }, value: unknown, itemIndex?: number): string {
	return readId(
		ctx,
		value,
		{ field: 'Audience ID', what: 'audience', pattern: AUDIENCE_ID, rule: 'is not a Mailchimp audience ID{at}: it has letters and digits only, like a1b2c3d4e5' },
		itemIndex,
	);
}

/** The audience of a resource locator parameter (`{__rl, mode, value}`, or a bare value from older workflows). */
export function audienceFromLocator(ctx: { getNode(): INode }, locator: unknown, itemIndex?: number): string {
	const value = locator && typeof locator === 'object' && !Array.isArray(locator) && '__rl' in locator ? (locator as INodeParameterResourceLocator).value : locator;
	return readAudienceId(ctx, value, itemIndex);
}

/** The parts of an address merge field value (Mailchimp's merge field docs). */
export const ADDRESS_PARTS = ['addr1', 'addr2', 'city', 'state', 'zip', 'country'] as const;

export const MEMBER_STATUSES = ['subscribed', 'unsubscribed', 'cleaned', 'pending', 'transactional'] as const;

export interface MergeField {
	tag: string;
	name: string;
	type: string;
	/** A date or birthday field's `options.date_format` (`MM/DD/YYYY`, `DD/MM`...), when Mailchimp gives one. */
	dateFormat?: string;
}

/** Merge fields per audience for one execution (all pages, loaded once), and the audience locator. */
export class Lookups {
	private readonly mergeFields = new Map<string, Promise<MergeField[]>>();

	constructor(
		readonly client: ApiClient,
		private readonly ctx: IExecuteFunctions,
	) {}

	audienceId(itemIndex: number): string {
		return audienceFromLocator(this.ctx, itemParameter(this.ctx, 'audience', itemIndex), itemIndex);
	}

	fields(audienceId: string): Promise<MergeField[]> {
		let found = this.mergeFields.get(audienceId);
		if (!found) {
			found = loadMergeFields(this.client, audienceId);
			this.mergeFields.set(audienceId, found);
		}
		return found;
	}

	/**
	 * `{FNAME: 'Jane'}` from entries keyed by merge tag (FNAME, what the dropdown gives) or by name
	 * with `name:` before it (name:First Name); never guessed from how the value looks. Only the
	 * audience's own tags become keys (never the user's text), and values are scalars, except an
	 * address field's object (or its JSON), of which only Mailchimp's address parts are kept.
	 */
	async mergeFieldValues(audienceId: string, entries: Array<{ field: string; value: unknown }>, itemIndex: number): Promise<IDataObject> {
		const known = await this.fields(audienceId);
		const out = new Map<string, unknown>();
		for (const entry of entries) {
			const field = this.mergeField(audienceId, known, entry.field, itemIndex);
			const value =
				field.type === 'address'
					? this.address(field.tag, entry.value, itemIndex)
					: field.type === 'number' && typeof entry.value === 'number' && Number.isFinite(entry.value)
						? entry.value
						: readText(this.client, entry.value, `Merge field ${field.tag}`, itemIndex);
			out.set(field.tag, value);
		}
		return Object.fromEntries(out) as IDataObject;
	}

	/** The merge field a value names: its tag, or `name:` and its name (several with that name: an error). */
	private mergeField(audienceId: string, known: MergeField[], value: string, itemIndex: number): MergeField {
		const match = matchMergeField(audienceId, known, value);
		if ('tag' in match) return match;
		throw this.client.inputError(`${match.problem} (item ${itemIndex})${match.advice ? `: ${match.advice}` : ''}`, itemIndex, match.description);
	}

	/** An address merge field's value: an object or its JSON, keeping Mailchimp's address parts (scalars) only. */
	private address(tag: string, value: unknown, itemIndex: number): unknown {
		let parsed = value;
		if (typeof value === 'string' && value.trim().startsWith('{')) {
			try {
				parsed = JSON.parse(value) as unknown;
			} catch {
				throw this.client.inputError(`Merge field ${tag} needs an address object; ${shown(value)} is not valid JSON (item ${itemIndex})`, itemIndex);
			}
		}
		if (parsed === null || typeof parsed !== 'object') return readText(this.client, parsed, `Merge field ${tag}`, itemIndex);
		if (Array.isArray(parsed)) throw this.client.inputError(`Merge field ${tag} needs an address object, not a list (item ${itemIndex})`, itemIndex);
		const parts = pickKnown(parsed, ADDRESS_PARTS);
		const address = new Map<string, string>();
		for (const part of ADDRESS_PARTS) if (part in parts) address.set(part, readText(this.client, parts[part], `Merge field ${tag} ${part}`, itemIndex));
		return Object.fromEntries(address);
	}
}

/**
 * The merge field a value names, as every merge field input takes it: its tag (what the dropdowns
 * give), or `name:` and its name; never guessed from how the value looks. When none (or several)
 * match: the problem, the advice and the audience's fields, for the caller to name where it is.
 */
export function matchMergeField(audienceId: string, known: MergeField[], value: string): MergeField | { problem: string; advice?: string; description: string } {
	const ref = splitReference(value);
	const lower = ('name' in ref ? ref.name : ref.key).toLowerCase();
	const found = known.filter((f) => ('name' in ref ? f.name : f.tag).trim().toLowerCase() === lower);
	if (found.length === 1) return found[0];
	const fields = `Merge fields of this audience: ${known.map((f) => `${f.tag} (${f.name})`).join(', ')}`;
	if (found.length > 1) {
		return { problem: `${found.length} merge fields of audience ${audienceId} are named ${shown(value)}`, advice: 'give the tag of the one you mean', description: fields };
	}
	if ('name' in ref) return { problem: `No merge field of audience ${audienceId} is named ${shown(ref.name)}`, description: fields };
	const named = known.find((f) => f.name.trim().toLowerCase() === lower);
	return {
		problem: `No merge field of audience ${audienceId} has the tag ${shown(ref.key)}`,
		advice: named ? `the field named so has the tag ${named.tag}; write ${named.tag}, or ${NAME_FORM}${ref.key} to give it by name` : undefined,
		description: `${fields}. A merge field is given by tag, or by name with ${NAME_FORM} before it.`,
	};
}

export async function loadMergeFields(client: ApiClient, audienceId: string): Promise<MergeField[]> {
	const out: MergeField[] = [];
	for await (const page of mailchimpPages<IDataObject>(client, '/lists/{listId}/merge-fields', 'merge_fields', {}, { params: { listId: audienceId } })) {
		for (const f of page) {
			const dateFormat = (f.options as IDataObject | undefined)?.date_format;
			out.push({ tag: String(f.tag), name: String(f.name), type: String(f.type), ...(typeof dateFormat === 'string' && dateFormat ? { dateFormat } : {}) });
		}
	}
	return out;
}

/** Mailchimp's error title on a failed request (Member Exists, Forgotten Email Not Subscribed...). */
export function errorTitle(error: unknown): string | undefined {
	const body = (error as { errorResponse?: { body?: { title?: unknown } } }).errorResponse?.body;
	return typeof body?.title === 'string' ? body.title : undefined;
}
