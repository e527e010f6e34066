import type { IDataObject } from 'n8n-workflow';

import { forOperation, type ItemOperation, readEmail } from '../../../shared/operations';
import type { AcContext } from '../../router';
import { contactBody, contactFields } from './fields';

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

	check(i) {
		readEmail(this, this.getNodeParameter('email', i), i);
	},

	async execute({ client, lookups }, i) {
		const email = readEmail(this, this.getNodeParameter('email', i), i);
		const fields = this.getNodeParameter('additionalFields', i, {}) as IDataObject;
		const body = await contactBody(lookups, i, fields, email);
		const answer = await client.request<IDataObject>({ method: 'POST', path: '/contacts', body, subject: `the contact ${email}`, itemIndex: i });
		return { ...(answer.contact as IDataObject), fieldValues: answer.fieldValues };
	},
};
