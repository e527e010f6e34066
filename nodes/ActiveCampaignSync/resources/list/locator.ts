import type { INodeProperties } from 'n8n-workflow';

/** A list picked from a searchable dropdown (all pages), typed as an ID, or named. */
export const listLocator: INodeProperties = {
	displayName: 'List',
	name: 'list',
	type: 'resourceLocator',
	default: { mode: 'list', value: '' },
	required: true,
	modes: [
		{ displayName: 'From List', name: 'list', type: 'list', typeOptions: { searchListMethod: 'searchLists', searchable: true } },
		{
			displayName: 'By ID',
			name: 'id',
			type: 'string',
			placeholder: '3',
			validation: [{ type: 'regex', properties: { regex: '^\\d+$', errorMessage: 'A list ID is a number' } }],
		},
		{ displayName: 'By Name', name: 'name', type: 'string', placeholder: 'Newsletter' },
	],
};
