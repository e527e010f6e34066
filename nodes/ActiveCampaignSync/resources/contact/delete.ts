import { forOperation, type ItemOperation } from '../../../shared/operations';
import type { AcContext } from '../../types';
import { checkContactLocator, contactLocator } from './fields';

export const deleteContact: ItemOperation<AcContext> = {
	description: forOperation('contact', 'delete', [contactLocator]),

	prepare(_context, i) {
		checkContactLocator(this, i);
	},

	async execute({ client, lookups }, i) {
		const id = await lookups.contactId(i);
		await client.request({ method: 'DELETE', path: '/contacts/{contactId}', params: { contactId: id }, subject: `contact ${id}`, itemIndex: i });
		return { deleted: true };
	},
};
