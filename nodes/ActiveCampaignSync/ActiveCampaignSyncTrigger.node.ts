import type { IDataObject, INodeExecutionData, INodeType, INodeTypeDescription, IPollFunctions } from 'n8n-workflow';

import { collectPages } from '../shared/transport';
import { type PollCursor, takeNew } from '../shared/polling';
import { simplifyContact } from './resources/contact/fields';
import { activeCampaignClient, activeCampaignPages } from './transport';

/** Polls ActiveCampaign for contacts created, or created or updated, since the last poll. */
export class ActiveCampaignSyncTrigger implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'ActiveCampaign Sync Trigger',
		name: 'activeCampaignSyncTrigger',
		icon: 'file:activeCampaignSync.svg',
		group: ['trigger'],
		version: 1,
		subtitle: '={{$parameter["event"]}}',
		description: 'Starts the workflow when ActiveCampaign contacts are created or updated (polling)',
		defaults: { name: 'ActiveCampaign Sync Trigger' },
		inputs: [],
		outputs: ['main'],
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
		const state = this.getWorkflowStaticData('node') as PollCursor;
		const client = await activeCampaignClient(this);
		const shape = (c: IDataObject) => (simplify ? simplifyContact(c) : c);

		if (this.getMode() === 'manual') {
			// "Fetch test event": the newest contact, so the user sees the output's shape.
			// AC documents ordering by cdate and id (not udate): the newest contact either way.
			const order = created ? 'orders[cdate]' : 'orders[id]';
			const latest = await collectPages(activeCampaignPages<IDataObject>(client, '/contacts', 'contacts', { [order]: 'DESC' }, { limit: 1 }));
			return latest.length ? [this.helpers.returnJsonArray(latest.map(shape))] : null;
		}
		if (!state.since) {
			// First poll after activation: start from now, report nothing that happened before.
			state.since = new Date().toISOString();
			state.idsAtSince = [];
			return null;
		}
		const query = { [created ? 'filters[created_after]' : 'filters[updated_after]']: state.since };
		const changed = await collectPages(activeCampaignPages<IDataObject>(client, '/contacts', 'contacts', query, { stableOrder: true }));
		const { fresh, next } = takeNew(state, changed, (c) => String(c.id), (c) => String(c[dateField]));
		Object.assign(state, next);
		return fresh.length ? [this.helpers.returnJsonArray(fresh.map(shape))] : null;
	}
}
