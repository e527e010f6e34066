import type { IDataObject } from 'n8n-workflow';

import { forOperation, type ItemOperation, readDate, readLimit, returnAllAndLimit } from '../../../shared/operations';
import { collectPages } from '../../../shared/transport';
import type { McContext } from '../../types';
import { mailchimpPages } from '../../transport';
import { audienceLocator } from '../audience/locator';
import { readStatus } from './fields';

export const getAll: ItemOperation<McContext> = {
	description: forOperation('member', 'getAll', [
		audienceLocator,
		...returnAllAndLimit(),
		{
			displayName: 'Filters',
			name: 'filters',
			type: 'collection',
			placeholder: 'Add Filter',
			default: {},
			options: [
				{ displayName: 'Changed Before', name: 'changedBefore', type: 'dateTime', default: '', description: 'Members last changed before this time' },
				{ displayName: 'Changed Since', name: 'changedSince', type: 'dateTime', default: '', description: 'Members last changed at or after this time' },
				{
					displayName: 'Sort by Last Changed',
					name: 'sort',
					type: 'options',
					options: [
						{ name: 'Newest First', value: 'DESC' },
						{ name: 'Oldest First', value: 'ASC' },
					],
					default: 'ASC',
				},
				{
					displayName: 'Status',
					name: 'status',
					type: 'options',
					options: [
						{ name: 'Archived', value: 'archived' },
						{ name: 'Cleaned', value: 'cleaned' },
						{ name: 'Pending', value: 'pending' },
						{ name: 'Subscribed', value: 'subscribed' },
						{ name: 'Transactional', value: 'transactional' },
						{ name: 'Unsubscribed', value: 'unsubscribed' },
					],
					default: 'subscribed',
				},
			],
		},
	]),

	prepare({ lookups }, i) {
		lookups.audienceId(i);
		readLimit(this, i);
		const filters = this.getNodeParameter('filters', i, {}) as IDataObject;
		if (filters.status !== undefined && filters.status !== 'archived') readStatus(this, filters.status, i, 'Status filter');
	},

	async execute({ client, lookups }, i) {
		const audience = lookups.audienceId(i);
		const filters = this.getNodeParameter('filters', i, {}) as IDataObject;
		const query: Record<string, string> = {};
		if (filters.status) query.status = String(filters.status);
		for (const [name, param] of [
			['changedSince', 'since_last_changed'],
			['changedBefore', 'before_last_changed'],
		]) {
			if (filters[name]) query[param] = readDate(this, filters[name], i, name);
		}
		if (filters.sort) {
			query.sort_field = 'last_changed';
			query.sort_dir = String(filters.sort);
		}
		return collectPages(mailchimpPages<IDataObject>(client, '/lists/{listId}/members', 'members', query, { limit: readLimit(this, i), params: { listId: audience }, itemIndex: i }));
	},
};
