import { NodeConnectionTypes, type IExecuteFunctions, type INodeExecutionData, type INodeType, type INodeTypeDescription } from 'n8n-workflow';

import { limitsProperty } from '../shared/limits';
import { listSearch, loadOptions } from './methods';
import { audienceDescription } from './resources/audience';
import { memberDescription } from './resources/member';
import { memberTagDescription } from './resources/memberTag';
import { mergeFieldDescription } from './resources/mergeField';
import { route } from './router';
import { authenticationProperty, MC_MAX_IN_FLIGHT, mailchimpCredentials } from './transport';

export class MailchimpSync implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Mailchimp Sync',
		name: 'mailchimpSync',
		icon: { light: 'file:mailchimpSync.svg', dark: 'file:mailchimpSync.dark.svg' },
		group: ['output'],
		version: 1,
		subtitle: '={{$parameter["operation"] + ": " + $parameter["resource"]}}',
		description: 'Read and write Mailchimp audience members, tags and merge fields, with batch upserts',
		defaults: { name: 'Mailchimp Sync' },
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		usableAsTool: true,
		credentials: mailchimpCredentials,
		properties: [
			authenticationProperty,
			{
				displayName: 'Resource',
				name: 'resource',
				type: 'options',
				noDataExpression: true,
				options: [
					{ name: 'Audience', value: 'audience' },
					{ name: 'Member', value: 'member' },
					{ name: 'Member Tag', value: 'memberTag' },
					{ name: 'Merge Field', value: 'mergeField' },
				],
				default: 'member',
			},
			...audienceDescription,
			...memberDescription,
			...memberTagDescription,
			...mergeFieldDescription,
			limitsProperty({
				displayName: 'Max Simultaneous Requests',
				name: 'maxConcurrent',
				type: 'number',
				typeOptions: { minValue: 0, numberPrecision: 0 },
				// The provider's documented limit, as a literal (n8n's lint); 0 means the same.
				default: 10,
				description: `Mailchimp allows ${MC_MAX_IN_FLIGHT} at once per API key. Change it only if your account has another limit.`,
			}),
		],
	};

	methods = { loadOptions, listSearch };

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return route.call(this);
	}
}
