import { forOperation, type ItemOperation, readEmail } from '../../../shared/operations';
import type { AcContext } from '../../router';
import { contactFields, writeContact } from './fields';

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

	async execute(context, i) {
		return writeContact(this, context, i, '/contact/sync');
	},
};
