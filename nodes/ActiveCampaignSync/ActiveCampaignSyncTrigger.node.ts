import { NodeConnectionTypes, type INodeExecutionData, type INodeType, type INodeTypeDescription, type IPollFunctions } from 'n8n-workflow';

import { maxItemsPerPollProperty, pollChanges, readMaxItemsPerPoll } from '../shared/polling';
import { readBoolean, readChoice } from '../shared/values';
import { contactChanges } from './changes';
import { simplifyContact, simplifyProperty } from './resources/contact/fields';
import { activeCampaignClient } from './transport';

const EVENTS = ['contactCreated', 'contactChanged'] as const;

/** Polls ActiveCampaign for contacts created, or created or updated, since the last poll. */
export class ActiveCampaignSyncTrigger implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'ActiveCampaign Sync Trigger',
		name: 'activeCampaignSyncTrigger',
		icon: { light: 'file:activeCampaignSync.svg', dark: 'file:activeCampaignSync.dark.svg' },
		group: ['trigger'],
		version: 1,
		subtitle: '={{$parameter["event"] === "contactCreated" ? "Contact Created" : "Contact Created or Updated"}}',
		description: 'Starts the workflow when ActiveCampaign contacts are created or updated (polling)',
		defaults: { name: 'ActiveCampaign Sync Trigger' },
		inputs: [],
		outputs: [NodeConnectionTypes.Main],
		polling: true,
		credentials: [{ name: 'activeCampaignSyncApi', required: true }],
		properties: [
			{
				displayName: 'Event',
				name: 'event',
				type: 'options',
				options: [
					{ name: 'Contact Created', value: 'contactCreated', description: 'New contacts only' },
					{ name: 'Contact Created or Updated', value: 'contactChanged', description: 'New contacts and changes to existing ones' },
				],
				default: 'contactChanged',
			},
			simplifyProperty,
			maxItemsPerPollProperty,
		],
	};

	async poll(this: IPollFunctions): Promise<INodeExecutionData[][] | null> {
		const event = readChoice(this, this.getNodeParameter('event', 'contactChanged'), 'Event', EVENTS);
		const simplify = readBoolean(this, this.getNodeParameter('simplify', true), 'Simplify', undefined, true);
		const maxItems = readMaxItemsPerPoll(this);
		const source = contactChanges(await activeCampaignClient(this), event);
		return pollChanges(this, { ...source, shape: simplify ? simplifyContact : undefined }, maxItems);
	}
}
