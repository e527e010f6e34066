import {
	NodeConnectionTypes,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeType,
	type INodeTypeDescription,
} from 'n8n-workflow';

import { limitsProperty } from '../shared/limits';
import { listSearch, loadOptions } from './methods';
import { contactDescription } from './resources/contact';
import { customFieldDescription } from './resources/customField';
import { listDescription } from './resources/list';
import { tagDescription } from './resources/tag';
import { route } from './router';
import { requestsPerSecondProperty } from './transport';

export class ActiveCampaignSync implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'ActiveCampaign Sync',
		name: 'activeCampaignSync',
		icon: { light: 'file:activeCampaignSync.svg', dark: 'file:activeCampaignSync.dark.svg' },
		group: ['output'],
		version: 1,
		subtitle: '={{$parameter["operation"] + ": " + $parameter["resource"]}}',
		description: 'Read and write ActiveCampaign contacts, lists, tags and custom fields, with bulk upserts',
		defaults: { name: 'ActiveCampaign Sync' },
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		usableAsTool: true,
		credentials: [{ name: 'activeCampaignSyncApi', required: true }],
		properties: [
			{
				displayName: 'Resource',
				name: 'resource',
				type: 'options',
				noDataExpression: true,
				options: [
					{ name: 'Contact', value: 'contact' },
					{ name: 'Custom Field', value: 'customField' },
					{ name: 'List', value: 'list' },
					{ name: 'Tag', value: 'tag' },
				],
				default: 'contact',
			},
			...contactDescription,
			...listDescription,
			...tagDescription,
			...customFieldDescription,
			limitsProperty(requestsPerSecondProperty),
		],
	};

	methods = { loadOptions, listSearch };

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return route.call(this);
	}
}
