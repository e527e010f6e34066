import type { INodeProperties } from 'n8n-workflow';

/** A tag picked from a searchable dropdown (all pages), typed as an ID, or named. */
export const tagLocator: INodeProperties = {
	displayName: 'Tag',
	name: 'tag',
	type: 'resourceLocator',
	default: { mode: 'list', value: '' },
	required: true,
	modes: [
		{ displayName: 'From List', name: 'list', type: 'list', typeOptions: { searchListMethod: 'searchTags', searchable: true } },
		{
			displayName: 'By ID',
			name: 'id',
			type: 'string',
			placeholder: '7',
			validation: [{ type: 'regex', properties: { regex: '^\\d+$', errorMessage: 'A tag ID is a number' } }],
		},
		{ displayName: 'By Name', name: 'name', type: 'string', placeholder: 'customer' },
	],
};
