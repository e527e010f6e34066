import type { IDataObject } from 'n8n-workflow';

import { forOperation, type ItemOperation, readLimit, returnAllAndLimit } from '../../../shared/operations';
import { collectPages } from '../../../shared/transport';
import { readCollection, readLabel } from '../../../shared/values';
import type { AcContext } from '../../types';
import { activeCampaignPages } from '../../transport';

export const getAll: ItemOperation<AcContext> = {
	description: forOperation('list', 'getAll', [
		...returnAllAndLimit(),
		{
			displayName: 'Filters',
			name: 'filters',
			type: 'collection',
			placeholder: 'Add Filter',
			default: {},
			options: [{ displayName: 'Name', name: 'name', type: 'string', default: '', description: 'Lists whose name contains this text' }],
		},
	]),

	prepare(_context, i) {
		readLimit(this, i);
		readLabel(this, readCollection(this, 'filters', 'Filters', i).name, 'Name filter', i);
	},

	async execute({ client }, i) {
		const limit = readLimit(this, i);
		const text = readLabel(this, readCollection(this, 'filters', 'Filters', i).name, 'Name filter', i);
		const query = text ? { 'filters[name]': text } : {};
		return collectPages(activeCampaignPages<IDataObject>(client, '/lists', 'lists', query, { limit }));
	},
};
