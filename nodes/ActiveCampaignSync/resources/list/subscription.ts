import type { IDataObject } from 'n8n-workflow';

import { forOperation, type ItemOperation } from '../../../shared/operations';
import type { AcContext } from '../../types';
import { checkContactLocator, contactLocator } from '../contact/fields';
import { listLocator } from './locator';

/** Subscribe (status 1) and Unsubscribe (status 2) differ only in the status they send. */
export function subscription(operation: 'subscribe' | 'unsubscribe', status: 1 | 2): ItemOperation<AcContext> {
	return {
		description: forOperation('list', operation, [listLocator, contactLocator]),

		async prepare({ lookups }, i) {
			checkContactLocator(this, i);
			await lookups.locate('list', 'list', i);
		},

		async execute({ client, lookups }, i) {
			const list = await lookups.locate('list', 'list', i);
			const contact = await lookups.contactId(i);
			const answer = await client.request<IDataObject>({
				method: 'POST',
				path: '/contactLists',
				body: { contactList: { list: list.id, contact, status } },
				subject: `contact ${contact} on list ${list.id}`,
				itemIndex: i,
			});
			return answer.contactList as IDataObject;
		},
	};
}
