import {
	NodeConnectionTypes,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeType,
	type INodeTypeDescription,
} from 'n8n-workflow';

import { AC_CREDENTIAL } from '../ActiveCampaignSync/transport';
import { mailchimpCredentials } from '../MailchimpSync/transport';
import { syncProperties } from './description';
import { listSearch, loadOptions } from './methods';
import { runAudienceSync } from './run';

/** Both services: the ActiveCampaign key, and Mailchimp's key or OAuth2 (the node's Mailchimp Authentication). */
const credentials = [{ name: AC_CREDENTIAL, required: true }, ...mailchimpCredentials];

export class AudienceSync implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Audience Sync',
		name: 'audienceSync',
		icon: { light: 'file:audienceSync.svg', dark: 'file:audienceSync.dark.svg' },
		group: ['transform'],
		version: 1,
		subtitle: '={{$parameter["mode"] === "apply" ? "Apply" : "Plan"}}',
		description: 'Compare an ActiveCampaign list with a Mailchimp audience, show the differences, and apply them safely',
		defaults: { name: 'Audience Sync' },
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main, NodeConnectionTypes.Main],
		outputNames: ['Differences', 'Summary'],
		usableAsTool: true,
		credentials,
		properties: syncProperties,
	};

	methods = { loadOptions, listSearch };

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return runAudienceSync.call(this);
	}
}
