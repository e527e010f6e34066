import type { IDataObject, INodeExecutionData, INodeType, INodeTypeDescription, IPollFunctions } from 'n8n-workflow';

import { collectPages } from '../shared/transport';
import { type PollCursor, takeNew } from '../shared/polling';
import { listSearch } from './methods';
import { audienceLocator } from './resources/audience/locator';
import { mailchimpClient, mailchimpPages } from './transport';

/** Polls a Mailchimp audience for members added or changed since the last poll. */
export class MailchimpSyncTrigger implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Mailchimp Sync Trigger',
		name: 'mailchimpSyncTrigger',
		icon: 'file:mailchimpSync.svg',
		group: ['trigger'],
		version: 1,
		description: 'Starts the workflow when members of a Mailchimp audience are added or changed (polling)',
		defaults: { name: 'Mailchimp Sync Trigger' },
		inputs: [],
		outputs: ['main'],
		polling: true,
		credentials: [{ name: 'mailchimpSyncApi', required: true }],
		properties: [
			audienceLocator,
			{
				displayName: 'Status',
				name: 'status',
				type: 'options',
				options: [
					{ name: 'Any', value: '' },
					{ name: 'Cleaned', value: 'cleaned' },
					{ name: 'Pending', value: 'pending' },
					{ name: 'Subscribed', value: 'subscribed' },
					{ name: 'Unsubscribed', value: 'unsubscribed' },
				],
				default: '',
				description: 'Only members with this status',
			},
		],
	};

	methods = { listSearch };

	async poll(this: IPollFunctions): Promise<INodeExecutionData[][] | null> {
		const audience = this.getNodeParameter('audience', undefined, { extractValue: true }) as string;
		const status = this.getNodeParameter('status', '') as string;
		const state = this.getWorkflowStaticData('node') as PollCursor;
		const client = await mailchimpClient(this);
		const path = `/lists/${audience}/members`;
		const base = { ...(status ? { status } : {}), sort_field: 'last_changed', sort_dir: 'ASC' };

		if (this.getMode() === 'manual') {
			const latest = await collectPages(mailchimpPages<IDataObject>(client, path, 'members', { ...base, sort_dir: 'DESC' }, { limit: 1 }));
			return latest.length ? [this.helpers.returnJsonArray(latest)] : null;
		}
		if (!state.since) {
			state.since = new Date().toISOString();
			state.idsAtSince = [];
			return null;
		}
		const changed = await collectPages(mailchimpPages<IDataObject>(client, path, 'members', { ...base, since_last_changed: state.since }));
		const { fresh, next } = takeNew(state, changed, (m) => String(m.id), (m) => String(m.last_changed));
		Object.assign(state, next);
		return fresh.length ? [this.helpers.returnJsonArray(fresh)] : null;
	}
}
