import type { IDataObject } from 'n8n-workflow';

import { forOperation, type ItemOperation } from '../../../shared/operations';
import type { McContext } from '../../types';
import { audienceLocator } from './locator';

export const get: ItemOperation<McContext> = {
	description: forOperation('audience', 'get', [audienceLocator]),

	prepare({ lookups }, i) {
		lookups.audienceId(i);
	},

	async execute({ client, lookups }, i) {
		const id = lookups.audienceId(i);
		return client.request<IDataObject>({ method: 'GET', path: '/lists/{listId}', params: { listId: id }, subject: `audience ${id}`, itemIndex: i });
	},
};
