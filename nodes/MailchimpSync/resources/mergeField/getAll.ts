import type { IDataObject } from 'n8n-workflow';

import { forOperation, type ItemOperation, readLimit, returnAllAndLimit } from '../../../shared/operations';
import { collectPages } from '../../../shared/transport';
import type { McContext } from '../../types';
import { mailchimpPages } from '../../transport';
import { audienceLocator } from '../audience/locator';

export const getAll: ItemOperation<McContext> = {
	description: forOperation('mergeField', 'getAll', [audienceLocator, ...returnAllAndLimit()]),

	prepare({ lookups }, i) {
		lookups.audienceId(i);
		readLimit(this, i);
	},

	async execute({ client, lookups }, i) {
		const id = lookups.audienceId(i);
		return collectPages(mailchimpPages<IDataObject>(client, '/lists/{listId}/merge-fields', 'merge_fields', {}, { limit: readLimit(this, i), params: { listId: id }, itemIndex: i }));
	},
};
