import { forOperation, type ItemOperation } from '../../../shared/operations';
import type { AcContext } from '../../types';
import { checkContactWrite, contactFields, writeContact } from './fields';

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

	async prepare(context, i) {
		await checkContactWrite(this, context, i);
	},

	async execute(context, i) {
		return writeContact(this, context, i, '/contacts');
	},
};
