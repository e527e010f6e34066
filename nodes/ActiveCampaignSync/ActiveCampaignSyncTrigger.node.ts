import {
	NodeConnectionTypes,
	type IDataObject,
	type INodeExecutionData,
	type INodeType,
	type INodeTypeDescription,
	type IPollFunctions,
} from 'n8n-workflow';

import { collectPages } from '../shared/transport';
import { pollChanges } from '../shared/polling';
import { simplifyContact } from './resources/contact/fields';
import { activeCampaignClient, activeCampaignPages } from './transport';

/** Polls ActiveCampaign for contacts created, or created or updated, since the last poll. */
export class ActiveCampaignSyncTrigger implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'ActiveCampaign Sync Trigger',
		name: 'activeCampaignSyncTrigger',
		icon: { light: 'file:activeCampaignSync.svg', dark: 'file:activeCampaignSync.dark.svg' },
		group: ['trigger'],
		version: 1,
		subtitle: '={{$parameter["event"]}}',
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
			{
				displayName: 'Simplify',
				name: 'simplify',
				type: 'boolean',
				default: true,
				description: 'Whether to return a simplified version of the response instead of the raw data',
			},
		],
	};

	async poll(this: IPollFunctions): Promise<INodeExecutionData[][] | null> {
		const created = this.getNodeParameter('event') === 'contactCreated';
		const simplify = this.getNodeParameter('simplify', true) as boolean;
		const dateField = created ? 'cdate' : 'udate';
		const client = await activeCampaignClient(this);
		const contacts = (query: IDataObject, limit?: number) =>
			collectPages(activeCampaignPages<IDataObject>(client, '/contacts', 'contacts', query as Record<string, string>, { limit, stableOrder: !limit }));
		return pollChanges(this, {
			// AC documents ordering by cdate and id (not udate): the newest contact either way.
			sample: () => contacts({ [created ? 'orders[cdate]' : 'orders[id]']: 'DESC' }, 1),
			changedSince: (since) => contacts({ [created ? 'filters[created_after]' : 'filters[updated_after]']: since }),
			id: (c) => String(c.id),
			changedAt: (c) => String(c[dateField]),
			shape: simplify ? simplifyContact : undefined,
		});
	}
}
