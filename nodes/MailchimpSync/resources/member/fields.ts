import { NodeOperationError, type IDataObject, type IExecuteFunctions, type INodeProperties } from 'n8n-workflow';

import { readEmail } from '../../../shared/operations';
import { pickKnown, readBoolean, readCollection, readLabel, readNames, readText, shown, valueError } from '../../../shared/values';
import { ADDRESS_PARTS, type Lookups, MEMBER_STATUSES, subscriberHash } from '../../lookups';

/** Member properties shared by the member operations. */

export const emailProperty: INodeProperties = {
	displayName: 'Email',
	name: 'email',
	type: 'string',
	placeholder: 'name@email.com',
	required: true,
	default: '',
	description: 'The member\'s email address; the node computes Mailchimp\'s subscriber hash from it',
};

const STATUS_OPTIONS = [
	{ name: 'Cleaned', value: 'cleaned' },
	{ name: 'Pending', value: 'pending', description: 'Sends a double opt-in confirmation email' },
	{ name: 'Subscribed', value: 'subscribed' },
	{ name: 'Transactional', value: 'transactional' },
	{ name: 'Unsubscribed', value: 'unsubscribed' },
];

export function statusProperty(name: string, displayName: string, description: string): INodeProperties {
	return { displayName, name, type: 'options', options: STATUS_OPTIONS, default: 'subscribed', description };
}

export const mergeFieldsOption: INodeProperties = {
	displayName: 'Merge Fields',
	name: 'mergeFields',
	type: 'fixedCollection',
	typeOptions: { multipleValues: true },
	default: {},
	placeholder: 'Add Merge Field',
	options: [
		{
			displayName: 'Field',
			name: 'field',
			values: [
				{
					displayName: 'Field Name or ID',
					name: 'field',
					type: 'options',
					typeOptions: { loadOptionsMethod: 'getMergeFields', loadOptionsDependsOn: ['audience.value'] },
					default: '',
					description:
						'In an expression: the merge tag (FNAME), or name: and the field\'s name (name:First Name). Choose from the list, or specify an ID using an <a href="https://docs.n8n.io/code/expressions/">expression</a>.',
				},
				{ displayName: 'Value', name: 'value', type: 'string', default: '' },
			],
		},
	],
};

export const memberOptions: INodeProperties[] = [
	{ displayName: 'Language', name: 'language', type: 'string', default: '', placeholder: 'en' },
	mergeFieldsOption,
	{ displayName: 'VIP', name: 'vip', type: 'boolean', default: false, description: 'Whether the member is a VIP' },
];

/** A status typed or chosen, checked against Mailchimp's statuses. */
export function readStatus(ctx: IExecuteFunctions, value: unknown, itemIndex: number, field: string): string {
	const status = readText(ctx, value, field, itemIndex).toLowerCase();
	if (!(MEMBER_STATUSES as readonly string[]).includes(status)) {
		throw new NodeOperationError(ctx.getNode(), `${field} ${shown(status)} is not a Mailchimp member status (item ${itemIndex}); use one of ${MEMBER_STATUSES.join(', ')}`, {
			itemIndex,
		});
	}
	return status;
}

/** Checks the item's email and the statuses it names, without any request. */
export function checkMember(ctx: IExecuteFunctions, itemIndex: number, statuses: Array<[string, string]> = [], collection?: string): void {
	readEmail(ctx, ctx.getNodeParameter('email', itemIndex), itemIndex);
	for (const [param, label] of statuses) readStatus(ctx, ctx.getNodeParameter(param, itemIndex), itemIndex, label);
	if (collection) readMemberFields(ctx, readCollection(ctx, collection, collection === 'updateFields' ? 'Update Fields' : 'Additional Fields', itemIndex), itemIndex);
}

const MEMBER_FIELDS = ['language', 'vip', 'status', 'emailAddress', 'mergeFields', 'tags'] as const;

/**
 * The scalar parts of a member collection, read and checked without any request: language, VIP
 * (yes/no), status, new email, tags, and the merge field entries (names and values, resolved later).
 */
export function readMemberFields(ctx: IExecuteFunctions, fields: IDataObject, itemIndex: number) {
	const known = pickKnown(fields, MEMBER_FIELDS);
	const out: { language?: string; vip?: boolean; status?: string; emailAddress?: string; tags: string[]; mergeFields: Array<{ field: string; value: unknown }> } = {
		tags: readNames(ctx, known.tags, 'Tags', itemIndex),
		mergeFields: mergeFieldEntries(ctx, known.mergeFields, itemIndex),
	};
	const language = readLabel(ctx, known.language, 'Language', itemIndex);
	if (language) out.language = language;
	if (known.vip !== undefined && known.vip !== '') out.vip = readBoolean(ctx, known.vip, 'VIP', itemIndex);
	if (known.status !== undefined && known.status !== '') out.status = readStatus(ctx, known.status, itemIndex, 'Status');
	if (known.emailAddress !== undefined && known.emailAddress !== '') out.emailAddress = readEmail(ctx, known.emailAddress, itemIndex, 'New email');
	return out;
}

/** Merge field entries of a fixedCollection: a name or tag (a label) and a value each. Values are checked against the field's type later. */
function mergeFieldEntries(ctx: IExecuteFunctions, collection: unknown, itemIndex: number): Array<{ field: string; value: unknown }> {
	if (collection === undefined || collection === null || collection === '') return [];
	const entries = typeof collection === 'object' && !Array.isArray(collection) ? (collection as IDataObject).field ?? [] : undefined;
	if (!Array.isArray(entries)) throw valueError(ctx, `Merge Fields must be a list of field and value pairs (item ${itemIndex})`, itemIndex);
	return entries.map((entry: unknown) => {
		const e = pickKnown(entry, ['field', 'value']);
		const field = readLabel(ctx, e.field, 'Merge field name', itemIndex);
		if (!field) throw valueError(ctx, `A merge field has no name or tag (item ${itemIndex})`, itemIndex);
		// Only an address field takes an object, and only with address parts: anything else is refused before any request.
		const value = e.value;
		if (Array.isArray(value)) throw valueError(ctx, `Merge field ${shown(field)} is a list, not text (item ${itemIndex})`, itemIndex);
		if (value !== null && typeof value === 'object' && (!Object.keys(value).length || Object.keys(value).some((k) => !(ADDRESS_PARTS as readonly string[]).includes(k)))) {
			throw valueError(ctx, `Merge field ${shown(field)} is an object; only an address takes one, with ${ADDRESS_PARTS.join(', ')} (item ${itemIndex})`, itemIndex);
		}
		return { field, value };
	});
}

/**
 * The member body parts a collection of options gives: merge fields resolved by tag or name.
 * Everything local is checked first, so a bad item sends no request (not even the merge-field read).
 */
export async function memberBody(ctx: IExecuteFunctions, lookups: Lookups, audienceId: string, fields: IDataObject, itemIndex: number): Promise<IDataObject> {
	const read = readMemberFields(ctx, fields, itemIndex);
	const body: IDataObject = {};
	if (read.language !== undefined) body.language = read.language;
	if (read.vip !== undefined) body.vip = read.vip;
	if (read.status !== undefined) body.status = read.status;
	if (read.emailAddress !== undefined) body.email_address = read.emailAddress;
	if (read.mergeFields.length) body.merge_fields = await lookups.mergeFieldValues(audienceId, read.mergeFields, itemIndex);
	return body;
}

/** What every member write starts from: the audience, the email, and the body its fields give. */
/**
 * The member an item names: its audience and email, and the request parts that address it
 * (`/lists/{listId}/members/{hash}` plus `action`, the hash computed from the email, the subject).
 */
export function memberAt(ctx: IExecuteFunctions, lookups: Lookups, i: number, action = '') {
	const audience = lookups.audienceId(i);
	const email = readEmail(ctx, ctx.getNodeParameter('email', i), i);
	const request = { path: `/lists/{listId}/members/{hash}${action}`, params: { listId: audience, hash: subscriberHash(email) }, subject: `the member ${email} in audience ${audience}`, itemIndex: i };
	return { audience, email, request };
}

export async function memberWrite(ctx: IExecuteFunctions, lookups: Lookups, i: number, collection: string) {
	const { audience, email } = memberAt(ctx, lookups, i);
	const fields = readCollection(ctx, collection, collection === 'updateFields' ? 'Update Fields' : 'Additional Fields', i);
	const tags = readMemberFields(ctx, fields, i).tags;
	const body: IDataObject = { ...(await memberBody(ctx, lookups, audience, fields, i)), email_address: email };
	return { audience, email, fields, tags, body };
}
