import type { IDataObject } from 'n8n-workflow';

import { forOperation, type ItemOperation, readDate, readEmail, readLimit, returnAllAndLimit } from '../../../shared/operations';
import { collectPages } from '../../../shared/transport';
import type { AcContext } from '../../types';
import { activeCampaignPages } from '../../transport';
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
					description: 'Only contacts subscribed to this list. Choose from the list, or specify an ID or a name using an <a href="https://docs.n8n.io/code/expressions/">expression</a>. Choose from the list, or specify an ID using an <a href="https://docs.n8n.io/code/expressions/">expression</a>.',
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
					description: 'Only contacts with this tag. Choose from the list, or specify an ID or a name using an <a href="https://docs.n8n.io/code/expressions/">expression</a>. Choose from the list, or specify an ID using an <a href="https://docs.n8n.io/code/expressions/">expression</a>.',
				},
				{ displayName: 'Updated After', name: 'updatedAfter', type: 'dateTime', default: '' },
				{ displayName: 'Updated Before', name: 'updatedBefore', type: 'dateTime', default: '' },
			],
		},
		simplifyProperty,
	]),

	async prepare({ lookups }, i) {
		readLimit(this, i);
		const filters = this.getNodeParameter('filters', i, {}) as IDataObject;
		if (filters.list) await lookups.require('list', String(filters.list), i);
		if (filters.tag) await lookups.require('tag', String(filters.tag), i);
	},

	async execute({ client, lookups }, i) {
		const limit = readLimit(this, i);
		const filters = this.getNodeParameter('filters', i, {}) as IDataObject;
		const query: Record<string, string> = {};
		if (filters.email) query.email = readEmail(this, filters.email, i, 'Email filter');
		if (filters.search) query.search = String(filters.search);
		if (filters.status !== undefined && filters.status !== '-1') query.status = String(filters.status);
		if (filters.list) query.listid = (await lookups.require('list', String(filters.list), i)).id;
		if (filters.tag) query.tagid = (await lookups.require('tag', String(filters.tag), i)).id;
		for (const [name, param] of DATE_FILTERS) if (filters[name]) query[param] = readDate(this, filters[name], i, name);
		const simplify = this.getNodeParameter('simplify', i, true) as boolean;
		const pages = activeCampaignPages<IDataObject>(client, '/contacts', 'contacts', query, { limit, stableOrder: true });
		return collectPages(pages, simplify ? simplifyContact : undefined);
	},
};
