import { NodeOperationError, type IDataObject, type IExecuteFunctions, type INodeProperties } from 'n8n-workflow';

import { readEmail } from '../../../shared/operations';
import { type Lookups, MEMBER_STATUSES } from '../../lookups';

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
						'Choose from the list, or specify an ID using an <a href="https://docs.n8n.io/code/expressions/">expression</a>',
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
	const status = String(value ?? '').trim().toLowerCase();
	if (!(MEMBER_STATUSES as readonly string[]).includes(status)) {
		throw new NodeOperationError(ctx.getNode(), `${field} "${String(value)}" is not a Mailchimp member status (item ${itemIndex}); use one of ${MEMBER_STATUSES.join(', ')}`, {
			itemIndex,
		});
	}
	return status;
}

/** Checks the item's email and the statuses it names, without any request. */
export function checkMember(ctx: IExecuteFunctions, itemIndex: number, statuses: Array<[string, string]> = [], collection?: string): void {
	readEmail(ctx, ctx.getNodeParameter('email', itemIndex), itemIndex);
	for (const [param, label] of statuses) readStatus(ctx, ctx.getNodeParameter(param, itemIndex), itemIndex, label);
	if (collection) {
		const fields = ctx.getNodeParameter(collection, itemIndex, {}) as IDataObject;
		if (fields.status !== undefined) readStatus(ctx, fields.status, itemIndex, 'Status');
		if (fields.emailAddress !== undefined) readEmail(ctx, fields.emailAddress, itemIndex, 'New email');
	}
}

/** The member body parts a collection of options gives: merge fields resolved by tag or name. */
export async function memberBody(lookups: Lookups, audienceId: string, fields: IDataObject, itemIndex: number): Promise<IDataObject> {
	const body: IDataObject = {};
	if (fields.language) body.language = fields.language;
	if (fields.vip !== undefined) body.vip = fields.vip;
	if (fields.status !== undefined) body.status = String(fields.status).toLowerCase();
	if (fields.emailAddress !== undefined) body.email_address = String(fields.emailAddress).trim();
	const entries = ((fields.mergeFields as IDataObject | undefined)?.field as IDataObject[] | undefined) ?? [];
	if (entries.length) body.merge_fields = await lookups.mergeFieldValues(audienceId, entries, itemIndex);
	return body;
}

/** What every member write starts from: the audience, the email, and the body its fields give. */
export async function memberWrite(ctx: IExecuteFunctions, lookups: Lookups, i: number, collection: string) {
	const audience = lookups.audienceId(i);
	const email = readEmail(ctx, ctx.getNodeParameter('email', i), i);
	const fields = ctx.getNodeParameter(collection, i, {}) as IDataObject;
	const body: IDataObject = { ...(await memberBody(lookups, audience, fields, i)), email_address: email };
	return { audience, email, fields, body };
}
