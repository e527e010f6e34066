import { createHash } from 'crypto';

import type { IDataObject, IExecuteFunctions, INode, INodeParameterResourceLocator } from 'n8n-workflow';

import type { ApiClient } from '../shared/transport';
import { readId } from '../shared/values';
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

export const MEMBER_STATUSES = ['subscribed', 'unsubscribed', 'cleaned', 'pending', 'transactional'] as const;

export interface MergeField {
	tag: string;
	name: string;
	type: string;
}

/** Merge fields per audience for one execution (all pages, loaded once), and the audience locator. */
export class Lookups {
	private readonly mergeFields = new Map<string, Promise<MergeField[]>>();

	constructor(
		readonly client: ApiClient,
		private readonly ctx: IExecuteFunctions,
	) {}

	audienceId(itemIndex: number): string {
		return audienceFromLocator(this.ctx, this.ctx.getNodeParameter('audience', itemIndex), itemIndex);
	}

	fields(audienceId: string): Promise<MergeField[]> {
		let found = this.mergeFields.get(audienceId);
		if (!found) {
			found = loadMergeFields(this.client, audienceId);
			this.mergeFields.set(audienceId, found);
		}
		return found;
	}

	/** `{FNAME: 'Jane'}` from entries keyed by tag (FNAME) or name (First Name). */
	async mergeFieldValues(audienceId: string, entries: IDataObject[], itemIndex: number): Promise<IDataObject> {
		const known = await this.fields(audienceId);
		const out: IDataObject = {};
		for (const entry of entries) {
			const key = String(entry.field ?? '').trim();
			const lower = key.toLowerCase();
			const field = known.find((f) => f.tag.toLowerCase() === lower) ?? known.find((f) => f.name.toLowerCase() === lower);
			if (!field) {
				throw this.client.inputError(
					`Unknown merge field "${key}" in audience ${audienceId} (item ${itemIndex})`,
					itemIndex,
					`Merge fields of this audience: ${known.map((f) => `${f.tag} (${f.name})`).join(', ')}`,
				);
			}
			let value = entry.value;
			if (field.type === 'address' && typeof value === 'string' && value.trim().startsWith('{')) {
				try {
					value = JSON.parse(value) as IDataObject;
				} catch {
					throw this.client.inputError(`Merge field ${field.tag} needs an address object; "${value}" is not valid JSON (item ${itemIndex})`, itemIndex);
				}
			}
			out[field.tag] = value as IDataObject;
		}
		return out;
	}
}

export async function loadMergeFields(client: ApiClient, audienceId: string): Promise<MergeField[]> {
	const out: MergeField[] = [];
	for await (const page of mailchimpPages<IDataObject>(client, '/lists/{listId}/merge-fields', 'merge_fields', {}, { params: { listId: audienceId } })) {
		for (const f of page) out.push({ tag: String(f.tag), name: String(f.name), type: String(f.type) });
	}
	return out;
}

/** Mailchimp's error title on a failed request (Member Exists, Forgotten Email Not Subscribed...). */
export function errorTitle(error: unknown): string | undefined {
	const body = (error as { errorResponse?: { body?: { title?: unknown } } }).errorResponse?.body;
	return typeof body?.title === 'string' ? body.title : undefined;
}
