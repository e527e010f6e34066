import type { IDataObject } from 'n8n-workflow';

import { forOperation, type ItemOperation, readEmail } from '../../../shared/operations';
import type { AcContext } from '../../router';
import { contactBody, contactFields, writeContact } from './fields';

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

	async check({ lookups }, i) {
		const email = readEmail(this, this.getNodeParameter('email', i), i);
		await contactBody(lookups, i, this.getNodeParameter('additionalFields', i, {}) as IDataObject, email);
	},

	async execute(context, i) {
		return writeContact(this, context, i, '/contact/sync');
	},
};
