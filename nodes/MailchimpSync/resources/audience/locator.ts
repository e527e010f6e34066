import type { INodeProperties } from 'n8n-workflow';

/** An audience from a searchable dropdown (all pages) or by ID. */
export const audienceLocator: INodeProperties = {
	displayName: 'Audience',
	name: 'audience',
	type: 'resourceLocator',
	default: { mode: 'list', value: '' },
	required: true,
	modes: [
		{ displayName: 'From List', name: 'list', type: 'list', typeOptions: { searchListMethod: 'searchAudiences', searchable: true } },
		{ displayName: 'By ID', name: 'id', type: 'string', placeholder: 'a1b2c3d4e5' },
	],
};
