import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import { readEmail } from '../../../shared/operations';
import { pickKnown, readCollection, readLabel, readText, shown } from '../../../shared/values';

import { type Lookups, readContactLocator, readRef, type Ref } from '../../lookups';
import type { AcContext } from '../../types';

/** Contact properties shared by Create, Create or Update and Update. */
export function contactFields(name: 'additionalFields' | 'updateFields'): INodeProperties {
	return {
		displayName: name === 'additionalFields' ? 'Additional Fields' : 'Update Fields',
		name,
		type: 'collection',
		placeholder: 'Add Field',
		default: {},
		options: [
			...(name === 'updateFields'
				? [{ displayName: 'Email', name: 'email', type: 'string', placeholder: 'name@email.com', default: '' } as INodeProperties]
				: []),
			{ displayName: 'First Name', name: 'firstName', type: 'string', default: '' },
			{ displayName: 'Last Name', name: 'lastName', type: 'string', default: '' },
			{ displayName: 'Phone', name: 'phone', type: 'string', default: '' },
			{
				displayName: 'Custom Fields',
				name: 'customFields',
				type: 'fixedCollection',
				typeOptions: { multipleValues: true },
				default: {},
				placeholder: 'Add Custom Field',
				options: [
					{
						displayName: 'Field',
						name: 'field',
						values: [
							{
								displayName: 'Field Name or ID',
								name: 'field',
								type: 'options',
								typeOptions: { loadOptionsMethod: 'getCustomFields' },
								default: '',
								description: 'In an expression: the field\'s ID, or name: and its title or personalisation tag (name:Company). Choose from the list, or specify an ID using an <a href="https://docs.n8n.io/code/expressions/">expression</a>.',
							},
							{ displayName: 'Value', name: 'value', type: 'string', default: '' },
						],
					},
				],
			},
		],
	};
}

/** The `{contact:{...}}` body for the item, with custom fields resolved from names or ids. */
export async function contactBody(
	lookups: Lookups,
	itemIndex: number,
	fields: IDataObject,
	email?: string,
): Promise<IDataObject> {
	const contact: IDataObject = {};
	if (email !== undefined) contact.email = email;
	// Every value is read (scalars only) before any lookup, so a bad item sends no request at all.
	for (const [key, label] of [['firstName', 'First name'], ['lastName', 'Last name'], ['phone', 'Phone']] as const) {
		const value = readLabel(lookups.client, fields[key], label, itemIndex);
		if (value !== '') contact[key] = value;
	}
	const custom = customFieldEntries(lookups, fields, itemIndex);
	if (custom.length) {
		const fieldValues: IDataObject[] = [];
		for (const entry of custom) {
			const field = await lookups.require('custom field', entry.field, itemIndex);
			fieldValues.push({ field: field.id, value: entry.value });
		}
		contact.fieldValues = fieldValues;
	}
	return { contact };
}

/** The Custom Fields entries of a collection: a field (ID, or name: and a name) and a scalar value each. */
function customFieldEntries(lookups: Lookups, fields: IDataObject, itemIndex: number): Array<{ field: Ref; value: string }> {
	const collection = fields.customFields;
	if (collection === undefined || collection === null || collection === '') return [];
	if (typeof collection !== 'object' || Array.isArray(collection)) {
		throw lookups.client.inputError(`Custom Fields must be a list of field and value pairs (item ${itemIndex})`, itemIndex);
	}
	const entries = (collection as IDataObject).field ?? [];
	if (!Array.isArray(entries)) throw lookups.client.inputError(`Custom Fields must be a list of field and value pairs (item ${itemIndex})`, itemIndex);
	return entries.map((entry: unknown) => {
		const e = pickKnown(entry, ['field', 'value']);
		const label = readLabel(lookups.client, e.field, 'Custom field name', itemIndex);
		if (!label) throw lookups.client.inputError(`A custom field has no name or ID (item ${itemIndex})`, itemIndex);
		return { field: readRef(lookups.client, label, 'custom field', itemIndex), value: readText(lookups.client, e.value, `Custom field ${shown(label)}`, itemIndex) };
	});
}

/** The contact fields a Simplify output keeps. */
export function simplifyContact(contact: IDataObject): IDataObject {
	const { id, email, firstName, lastName, phone, cdate, udate } = contact;
	return { id, email, firstName, lastName, phone, cdate, udate };
}

export const simplifyProperty: INodeProperties = {
	displayName: 'Simplify',
	name: 'simplify',
	type: 'boolean',
	default: true,
	description: 'Whether to return a simplified version of the response instead of the raw data',
};

/** A contact by ID or by email, as every contact-targeting operation asks for it. */
export const contactLocator: INodeProperties = {
	displayName: 'Contact',
	name: 'contact',
	type: 'resourceLocator',
	default: { mode: 'email', value: '' },
	required: true,
	modes: [
		{
			displayName: 'By Email',
			name: 'email',
			type: 'string',
			placeholder: 'name@email.com',
		},
		{
			displayName: 'By ID',
			name: 'id',
			type: 'string',
			placeholder: '42',
			validation: [{ type: 'regex', properties: { regex: '^\\d+$', errorMessage: 'A contact ID is a number' } }],
		},
	],
};

/** The contact locator's value is a well-formed email or a numeric ID. */
export function checkContactLocator(ctx: IExecuteFunctions, itemIndex: number): void {
	readContactLocator(ctx, ctx.getNodeParameter('contact', itemIndex), itemIndex);
}

/** Create and Create or Update check the same input: the email, and custom field names. */
export async function checkContactWrite(ctx: IExecuteFunctions, { lookups }: AcContext, i: number): Promise<void> {
	const email = readEmail(ctx, ctx.getNodeParameter('email', i), i);
	await contactBody(lookups, i, readCollection(ctx, 'additionalFields', 'Additional Fields', i), email);
}

/** Create (POST /contacts) and Create or Update (POST /contact/sync) send the same body. */
export async function writeContact(ctx: IExecuteFunctions, { client, lookups }: AcContext, i: number, path: '/contacts' | '/contact/sync'): Promise<IDataObject> {
	const email = readEmail(ctx, ctx.getNodeParameter('email', i), i);
	const fields = readCollection(ctx, 'additionalFields', 'Additional Fields', i);
	const body = await contactBody(lookups, i, fields, email);
	const answer = await client.request<IDataObject>({ method: 'POST', path, body, subject: `the contact ${email}`, itemIndex: i });
	return { ...(answer.contact as IDataObject), fieldValues: answer.fieldValues };
}
