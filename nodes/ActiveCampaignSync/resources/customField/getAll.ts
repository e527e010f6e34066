import type { IDataObject } from 'n8n-workflow';

import { forOperation, type ItemOperation, readLimit, returnAllAndLimit } from '../../../shared/operations';
import { collectPages } from '../../../shared/transport';
import type { AcContext } from '../../types';
import { activeCampaignPages } from '../../transport';

export const getAll: ItemOperation<AcContext> = {
	description: forOperation('customField', 'getAll', returnAllAndLimit()),

	prepare(_context, i) {
		readLimit(this, i);
	},

	async execute({ client }, i) {
		const limit = readLimit(this, i);
		return collectPages(activeCampaignPages<IDataObject>(client, '/fields', 'fields', {}, { limit }));
	},
};
