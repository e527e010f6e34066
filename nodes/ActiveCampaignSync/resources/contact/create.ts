import { forOperation, type ItemOperation, readEmail } from '../../../shared/operations';
import type { AcContext } from '../../router';
import { contactFields, writeContact } from './fields';

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

	async execute(context, i) {
		return writeContact(this, context, i, '/contacts');
	},
};
