import type { IDataObject } from 'n8n-workflow';

import { forOperation, type ItemOperation, readLimit, returnAllAndLimit } from '../../../shared/operations';
import { collectPages } from '../../../shared/transport';
import type { McContext } from '../../types';
import { mailchimpPages } from '../../transport';

export const getAll: ItemOperation<McContext> = {
	description: forOperation('audience', 'getAll', returnAllAndLimit()),

	prepare(_context, i) {
		readLimit(this, i);
	},

	async execute({ client }, i) {
		return collectPages(mailchimpPages<IDataObject>(client, '/lists', 'lists', {}, { limit: readLimit(this, i) }));
	},
};
