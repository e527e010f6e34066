import { NodeOperationError, type IDataObject, type IExecuteFunctions, type INode } from 'n8n-workflow';

import { isEmail, readEmail } from '../shared/operations';
import type { ApiClient } from '../shared/transport';
import { at, locatorParts, NAME_FORM, readId, readLabel, readText, shown, splitReference, valueError } from '../shared/values';
import { activeCampaignPages } from './transport';

/**
 * Names → ids for one execution: lists, tags and custom fields are loaded once (all pages) and
 * then looked up for every item; contacts are found by id or email.
 */

/** ActiveCampaign ids (contacts, lists, tags, fields) are numbers, sent as digit strings. */
export const AC_ID = /^\d{1,19}$/;

/**
 * The contact a `contact` locator names: a numeric ID (By ID, or digits), or an email (By Email,
 * or anything shaped like one). Checked without any request.
 */
export function readContactLocator(ctx: IExecuteFunctions, parameter: unknown, itemIndex: number): { id: string } | { email: string } {
	const locator = locatorParts(parameter);
	const value = readText(ctx, locator.value, locator.mode === 'email' ? 'Contact email' : 'Contact', itemIndex);
	if (locator.mode === 'email' || (locator.mode !== 'id' && isEmail(value))) return { email: readEmail(ctx, value, itemIndex, 'Contact email') };
	if (!AC_ID.test(value)) {
		throw new NodeOperationError(ctx.getNode(), `Contact ID ${shown(value)} is not a number (item ${itemIndex}); give an ID or switch to By Email`, { itemIndex });
	}
	return { id: value };
}

export interface Named {
	id: string;
	name: string;
	/** Other names it answers to (a custom field's personalisation tag). */
	aliases?: string[];
}

export type Kind = 'list' | 'tag' | 'custom field';

const SOURCES: Record<Kind, { path: string; key: string; name: (o: IDataObject) => string; aliases?: (o: IDataObject) => string[] }> = {
	list: { path: '/lists', key: 'lists', name: (o) => String(o.name) },
	tag: { path: '/tags', key: 'tags', name: (o) => String(o.tag) },
	'custom field': {
		path: '/fields',
		key: 'fields',
		name: (o) => String(o.title),
		aliases: (o) => [String(o.perstag ?? ''), `%${String(o.perstag ?? '')}%`],
	},
};

export async function loadAll(client: ApiClient, kind: Kind, query: Record<string, string> = {}): Promise<Named[]> {
	const source = SOURCES[kind];
	const out: Named[] = [];
	for await (const page of activeCampaignPages<IDataObject>(client, source.path, source.key, query)) {
		for (const o of page) out.push({ id: String(o.id), name: source.name(o), aliases: source.aliases?.(o).filter((a) => a && a !== '%%') });
	}
	return out;
}

/** An object given by ID or by name: which one is never guessed from how the value looks. */
export type Ref = { id: string } | { name: string };

const LABELS: Record<Kind, string> = { list: 'List', tag: 'Tag', 'custom field': 'Custom field' };

/**
 * The value of a field with a dropdown of IDs (custom fields, list and tag filters, lists of
 * Create or Update Many): an ID, or `name:` and a name. Checked without any request.
 */
export function readRef(ctx: { getNode(): INode }, value: unknown, kind: Kind, itemIndex?: number): Ref {
	const text = readLabel(ctx, value, `${LABELS[kind]} name or ID`, itemIndex);
	const ref = splitReference(text);
	if ('name' in ref) {
		if (!ref.name) throw valueError(ctx, `${LABELS[kind]} ${shown(text)} has no name after name:${at(itemIndex)}`, itemIndex);
		return ref;
	}
	if (!AC_ID.test(ref.key)) {
		throw valueError(
			ctx,
			`${LABELS[kind]} ${shown(ref.key)} is not an ID${at(itemIndex)}: pick it from the list, give its ID, or write ${NAME_FORM}${ref.key} to find it by name`,
			itemIndex,
			`A ${kind} is given by ID, or by name with ${NAME_FORM} before it, never guessed from how the value looks.`,
		);
	}
	return { id: ref.key };
}

export class Lookups {
	private readonly loaded = new Map<Kind, Promise<Named[]>>();

	constructor(
		readonly client: ApiClient,
		private readonly ctx: IExecuteFunctions,
	) {}

	all(kind: Kind): Promise<Named[]> {
		let found = this.loaded.get(kind);
		if (!found) {
			found = loadAll(this.client, kind);
			this.loaded.set(kind, found);
		}
		return found;
	}

	private readonly creating = new Map<string, Promise<Named>>();

	/**
	 * A tag by name only (a name is a name, whatever it looks like); a missing one is created once,
	 * however many items ask for it at once, and one created meanwhile elsewhere is used.
	 */
	async tagCreatingIfMissing(name: string, itemIndex: number): Promise<Named> {
		const found = await this.find('tag', { name }, itemIndex);
		if (found) return found;
		const key = name.trim().toLowerCase();
		let pending = this.creating.get(key);
		if (!pending) {
			pending = this.client
				.request<IDataObject>({
					method: 'POST',
					path: '/tags',
					body: { tag: { tag: name.trim(), tagType: 'contact', description: '' } },
					subject: `the tag ${shown(name.trim())}`,
					itemIndex,
				})
				.then(
					(answer) => {
						this.refresh('tag');
						const tag = answer.tag as IDataObject;
						return { id: String(tag.id), name: String(tag.tag) };
					},
					async (error: unknown) => {
						// Refused (422), most often because the tag was created meanwhile (another execution of
						// this workflow, a user): ActiveCampaign keeps one tag per name, so that one is used.
						if ((error as { errorResponse?: { status?: unknown } }).errorResponse?.status !== 422) throw error;
						this.refresh('tag');
						const found = await this.find('tag', { name }, itemIndex);
						if (!found) throw error;
						return found;
					},
				);
			this.creating.set(key, pending);
		}
		return pending;
	}

	/** Forget a kind after creating one, so the next lookup sees it. */
	refresh(kind: Kind): void {
		this.loaded.delete(kind);
	}

	/**
	 * The object with that ID, or with that name (case-insensitive; a custom field's title, then
	 * its personalisation tag); undefined when there is none. Several with that name is an input
	 * error listing their IDs: which one is meant is not guessed either.
	 */
	async find(kind: Kind, ref: Ref, itemIndex?: number): Promise<Named | undefined> {
		const all = await this.all(kind);
		if ('id' in ref) return all.find((o) => o.id === ref.id.trim());
		const wanted = ref.name.trim().toLowerCase();
		let found = all.filter((o) => o.name.trim().toLowerCase() === wanted);
		if (!found.length) found = all.filter((o) => o.aliases?.some((a) => a.toLowerCase() === wanted));
		if (found.length > 1) {
			throw this.client.inputError(
				`${found.length} ${kind}s are named ${shown(ref.name)}${at(itemIndex)}: give the ID of the one you mean`,
				itemIndex,
				`Their IDs: ${found.map((o) => o.id).join(', ')}`,
			);
		}
		return found[0];
	}

	/** Like find, but none is an input error naming the item. */
	async require(kind: Kind, ref: Ref, itemIndex?: number): Promise<Named> {
		const found = await this.find(kind, ref, itemIndex);
		if (!found) {
			const all = await this.all(kind);
			const known = all.slice(0, 10).map((o) => `${shown(o.name)} (ID ${o.id})`).join(', ');
			// Versions before issue 17 took such a name for an ID: say how to keep meaning that one (a hint, never a guess).
			const withThatId = 'name' in ref ? all.find((o) => o.id === ref.name.trim()) : undefined;
			throw this.client.inputError(
				'id' in ref ? `No ${kind} has the ID ${shown(ref.id)}${at(itemIndex)}` : `No ${kind} is named ${shown(ref.name)}${at(itemIndex)}`,
				itemIndex,
				[
					withThatId ? `The ${kind} with ID ${withThatId.id} is named ${shown(withThatId.name)}: if you meant that one, give its ID (By ID, or without name: in a field with a dropdown).` : '',
					known ? `Some ${kind}s in this account: ${known}` : `This account has no ${kind}s yet.`,
				].filter(Boolean).join(' '),
			);
		}
		return found;
	}

	/** A list, tag or custom field by its name only, never by ID. */
	named(kind: Kind, name: string, itemIndex: number): Promise<Named> {
		return this.require(kind, { name }, itemIndex);
	}

	/**
	 * A resource locator's value: By Name is looked up by name only; picked from the list or typed
	 * By ID it must be digits (ActiveCampaign ids are numbers), since it goes into request paths.
	 */
	async locate(kind: 'list' | 'tag', parameter: string, itemIndex: number): Promise<Named> {
		const locator = locatorParts(this.ctx.getNodeParameter(parameter, itemIndex));
		const label = LABELS[kind];
		const value = readLabel(this.ctx, locator.value, `${label} ${locator.mode === 'name' ? 'name' : 'ID'}`, itemIndex);
		if (!value) throw this.client.inputError(`No ${kind} given (item ${itemIndex})`, itemIndex);
		if (locator.mode === 'name') return this.named(kind, value, itemIndex);
		const id = readId(this.ctx, value, { field: `${label} ID`, what: kind, pattern: AC_ID, rule: `is not a number{at}: give the ID of a ${kind}, or switch to By Name` }, itemIndex);
		return { id, name: id };
	}

	/** The contact a `contact` resource locator names, by id or by email. */
	async contactId(itemIndex: number, parameter = 'contact'): Promise<string> {
		const contact = readContactLocator(this.ctx, this.ctx.getNodeParameter(parameter, itemIndex), itemIndex);
		if ('id' in contact) return contact.id;
		const found = await this.contactByEmail(contact.email);
		if (!found) throw this.client.inputError(`No ActiveCampaign contact has the email ${shown(contact.email)} (item ${itemIndex})`, itemIndex);
		return readId(this.ctx, found.id, { field: 'Contact ID', what: 'contact', pattern: AC_ID, rule: 'from ActiveCampaign is not a number{at}' }, itemIndex);
	}

	async contactByEmail(email: string): Promise<IDataObject | undefined> {
		const body = await this.client.request<{ contacts?: IDataObject[] }>({ method: 'GET', path: '/contacts', query: { email } });
		return body.contacts?.find((c) => String(c.email).toLowerCase() === email.toLowerCase());
	}
}
