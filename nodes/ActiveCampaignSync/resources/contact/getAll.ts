import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';

import { forOperation, type ItemOperation, readDate, readEmail, readLimit, returnAllAndLimit } from '../../../shared/operations';
import { readBoolean, readChoice, readLabel } from '../../../shared/values';
import { collectPages } from '../../../shared/transport';
import type { AcContext } from '../../types';
import { activeCampaignPages } from '../../transport';
import { readRef } from '../../lookups';
import { simplifyContact, simplifyProperty } from './fields';

const DATE_FILTERS: Array<[string, string]> = [
	['createdBefore', 'filters[created_before]'],
	['createdAfter', 'filters[created_after]'],
	['updatedBefore', 'filters[updated_before]'],
	['updatedAfter', 'filters[updated_after]'],
];

export const getAll: ItemOperation<AcContext> = {
	description: forOperation('contact', 'getAll', [
		...returnAllAndLimit(),
		{
			displayName: 'Filters',
			name: 'filters',
			type: 'collection',
			placeholder: 'Add Filter',
			default: {},
			options: [
				{ displayName: 'Created After', name: 'createdAfter', type: 'dateTime', default: '' },
				{ displayName: 'Created Before', name: 'createdBefore', type: 'dateTime', default: '' },
				{ displayName: 'Email', name: 'email', type: 'string', placeholder: 'name@email.com', default: '', description: 'Only the contact with exactly this email' },
				{
					displayName: 'List Name or ID',
					name: 'list',
					type: 'options',
					typeOptions: { loadOptionsMethod: 'getLists' },
					default: '',
					description: 'Only contacts subscribed to this list. In an expression: the list\'s ID, or name: and its name (name:Newsletter). Choose from the list, or specify an ID using an <a href="https://docs.n8n.io/code/expressions/">expression</a>.',
				},
				{ displayName: 'Search', name: 'search', type: 'string', default: '', description: 'Contacts whose email, name or phone contains this text' },
				{
					displayName: 'Status',
					name: 'status',
					type: 'options',
					default: '-1',
					options: [
						{ name: 'Active', value: '1' },
						{ name: 'Any', value: '-1' },
						{ name: 'Bounced', value: '3' },
						{ name: 'Unconfirmed', value: '0' },
						{ name: 'Unsubscribed', value: '2' },
					],
				},
				{
					displayName: 'Tag Name or ID',
					name: 'tag',
					type: 'options',
					typeOptions: { loadOptionsMethod: 'getTags' },
					default: '',
					description: 'Only contacts with this tag. In an expression: the tag\'s ID, or name: and its name (name:customer). Choose from the list, or specify an ID using an <a href="https://docs.n8n.io/code/expressions/">expression</a>.',
				},
				{ displayName: 'Updated After', name: 'updatedAfter', type: 'dateTime', default: '' },
				{ displayName: 'Updated Before', name: 'updatedBefore', type: 'dateTime', default: '' },
			],
		},
		simplifyProperty,
	]),

	async prepare({ lookups }, i) {
		const { names } = readFilters(this, i);
		if (names.list) await lookups.require('list', names.list, i);
		if (names.tag) await lookups.require('tag', names.tag, i);
	},

	async execute({ client, lookups }, i) {
		const { limit, query, names, simplify } = readFilters(this, i);
		if (names.list) query.listid = (await lookups.require('list', names.list, i)).id;
		if (names.tag) query.tagid = (await lookups.require('tag', names.tag, i)).id;
		const pages = activeCampaignPages<IDataObject>(client, '/contacts', 'contacts', query, { limit, stableOrder: true });
		return collectPages(pages, simplify ? simplifyContact : undefined);
	},
};

const STATUSES = ['-1', '0', '1', '2', '3'] as const;

/** Every filter of the item, read and checked without any request (list and tag names are looked up later). */
function readFilters(ctx: IExecuteFunctions, i: number) {
	const limit = readLimit(ctx, i);
	const filters = ctx.getNodeParameter('filters', i, {}) as IDataObject;
	const query: Record<string, string> = {};
	if (filters.email !== undefined && filters.email !== '') query.email = readEmail(ctx, filters.email, i, 'Email filter');
	const search = readLabel(ctx, filters.search, 'Search filter', i);
	if (search) query.search = search;
	if (filters.status !== undefined && filters.status !== '') {
		const status = readChoice(ctx, filters.status, 'Status filter', STATUSES, i);
		if (status !== '-1') query.status = status;
	}
	for (const [name, param] of DATE_FILTERS) if (filters[name]) query[param] = readDate(ctx, filters[name], i, name);
	const ref = (value: unknown, kind: 'list' | 'tag') => (value === undefined || value === null || value === '' ? undefined : readRef(ctx, value, kind, i));
	const names = { list: ref(filters.list, 'list'), tag: ref(filters.tag, 'tag') };
	const simplify = readBoolean(ctx, ctx.getNodeParameter('simplify', i, true), 'Simplify', i, true);
	return { limit, query, names, simplify };
}
