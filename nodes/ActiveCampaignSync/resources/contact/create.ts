import type { IDataObject } from 'n8n-workflow';

import { forOperation, type ItemOperation, readEmail } from '../../../shared/operations';
import type { AcContext } from '../../router';
import { contactBody, contactFields, writeContact } from './fields';

export const create: ItemOperation<AcContext> = {
	description: forOperation('contact', 'create', [
		{
			displayName: 'Email',
			name: 'email',
			type: 'string',
			placeholder: 'name@email.com',
			required: true,
			default: '',
			description: 'Fails if a contact with this email exists: use Create or Update to upsert',
		},
		contactFields('additionalFields'),
	]),

	async check({ lookups }, i) {
		const email = readEmail(this, this.getNodeParameter('email', i), i);
		await contactBody(lookups, i, this.getNodeParameter('additionalFields', i, {}) as IDataObject, email);
	},

	async execute(context, i) {
		return writeContact(this, context, i, '/contacts');
	},
};
