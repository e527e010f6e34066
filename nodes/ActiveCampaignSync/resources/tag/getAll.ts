import type { IDataObject } from 'n8n-workflow';

import { forOperation, type ItemOperation, readLimit, returnAllAndLimit } from '../../../shared/operations';
import { collectPages } from '../../../shared/transport';
import { readCollection, readLabel } from '../../../shared/values';
import type { AcContext } from '../../types';
import { activeCampaignPages } from '../../transport';

export const getAll: ItemOperation<AcContext> = {
	description: forOperation('tag', 'getAll', [
		...returnAllAndLimit(),
		{
			displayName: 'Filters',
			name: 'filters',
			type: 'collection',
			placeholder: 'Add Filter',
			default: {},
			options: [{ displayName: 'Search', name: 'search', type: 'string', default: '', description: 'Tags whose name contains this text' }],
		},
	]),

	prepare(_context, i) {
		readLimit(this, i);
		readLabel(this, readCollection(this, 'filters', 'Filters', i).search, 'Search filter', i);
	},

	async execute({ client }, i) {
		const limit = readLimit(this, i);
		const text = readLabel(this, readCollection(this, 'filters', 'Filters', i).search, 'Search filter', i);
		const query = text ? { search: text } : {};
		return collectPages(activeCampaignPages<IDataObject>(client, '/tags', 'tags', query, { limit }));
	},
};
