import type { IDataObject } from 'n8n-workflow';

import { forOperation, type ItemOperation, readEmail } from '../../../shared/operations';
import type { AcContext } from '../../router';
import { contactBody, contactFields } from './fields';

/** Create or Update: ActiveCampaign's contact/sync, keyed on email. Safe to repeat. */
export const upsert: ItemOperation<AcContext> = {
	description: forOperation('contact', 'upsert', [
		{
			displayName: 'Email',
			name: 'email',
			type: 'string',
			placeholder: 'name@email.com',
			required: true,
			default: '',
			description: 'The contact with this email is updated, or created when there is none',
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
		const answer = await client.request<IDataObject>({ method: 'POST', path: '/contact/sync', body, subject: `the contact ${email}`, itemIndex: i });
		return { ...(answer.contact as IDataObject), fieldValues: answer.fieldValues };
	},
};
