import { forOperation, type ItemOperation } from '../../../shared/operations';
import type { AcContext } from '../../types';
import { checkContactWrite, contactFields, writeContact } from './fields';

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

	async prepare(context, i) {
		await checkContactWrite(this, context, i);
	},

	async execute(context, i) {
		return writeContact(this, context, i, '/contact/sync');
	},
};
