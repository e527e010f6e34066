import type { IExecuteFunctions, IDataObject } from 'n8n-workflow';

import { forOperation, type ItemOperation, readDate, readLimit, returnAllAndLimit } from '../../../shared/operations';
import { collectPages } from '../../../shared/transport';
import { readChoice, readCollection, readText } from '../../../shared/values';
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
		readQuery(this, i);
	},

	async execute({ client, lookups }, i) {
		const audience = lookups.audienceId(i);
		const query = readQuery(this, i);
		return collectPages(mailchimpPages<IDataObject>(client, '/lists/{listId}/members', 'members', query, { limit: readLimit(this, i), params: { listId: audience }, itemIndex: i }));
	},
};

/** The item's filters as Mailchimp's query, checked without any request. */
function readQuery(ctx: IExecuteFunctions, i: number): Record<string, string> {
	readLimit(ctx, i);
	const filters = readCollection(ctx, 'filters', 'Filters', i);
	const query: Record<string, string> = {};
	if (filters.status !== undefined && filters.status !== '') {
		const status = readText(ctx, filters.status, 'Status filter', i).toLowerCase();
		query.status = status === 'archived' ? status : readStatus(ctx, status, i, 'Status filter');
	}
	for (const [name, param] of [
		['changedSince', 'since_last_changed'],
		['changedBefore', 'before_last_changed'],
	]) {
		if (filters[name]) query[param] = readDate(ctx, filters[name], i, name);
	}
	if (filters.sort !== undefined && filters.sort !== '') {
		query.sort_field = 'last_changed';
		query.sort_dir = readChoice(ctx, filters.sort, 'Sort', ['ASC', 'DESC'], i);
	}
	return query;
}
