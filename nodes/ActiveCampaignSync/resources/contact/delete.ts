import { forOperation, isRepeated404, type ItemOperation } from '../../../shared/operations';
import type { ApiClient } from '../../../shared/transport';
import type { AcContext } from '../../types';
import { checkContactLocator, contactLocator } from './fields';

export const deleteContact: ItemOperation<AcContext> = {
	description: forOperation('contact', 'delete', [contactLocator]),

	prepare(_context, i) {
		checkContactLocator(this, i);
	},

	async execute({ client, lookups }, i) {
		const id = await lookups.contactId(i);
		try {
			await client.request({ method: 'DELETE', path: '/contacts/{contactId}', params: { contactId: id }, subject: `contact ${id}`, itemIndex: i });
		} catch (error) {
			// A retry after a lost answer finds nothing: deleted by the first attempt if a read agrees.
			if (!isRepeated404(error) || !(await isGone(client, id))) throw client.nodeError(error);
		}
		return { deleted: true };
	},
};

async function isGone(client: ApiClient, id: string): Promise<boolean> {
	try {
		await client.request({ method: 'GET', path: '/contacts/{contactId}', params: { contactId: id }, subject: `contact ${id}` });
		return false;
	} catch (error) {
		return (error as { httpCode?: string }).httpCode === '404';
	}
}
