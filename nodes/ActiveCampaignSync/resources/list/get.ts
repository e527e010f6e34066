import type { IDataObject } from 'n8n-workflow';

import { forOperation, type ItemOperation } from '../../../shared/operations';
import type { AcContext } from '../../types';
import { listLocator } from './locator';

export const get: ItemOperation<AcContext> = {
	description: forOperation('list', 'get', [listLocator]),

	async prepare({ lookups }, i) {
		await lookups.locate('list', 'list', i);
	},

	async execute({ client, lookups }, i) {
		const list = await lookups.locate('list', 'list', i);
		const answer = await client.request<IDataObject>({ method: 'GET', path: '/lists/{listId}', params: { listId: list.id }, subject: `list ${list.id}`, itemIndex: i });
		return answer.list as IDataObject;
	},
};
