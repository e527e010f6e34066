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
import { readAudienceId } from './lookups';
import { listSearch } from './methods';
import { readText } from '../shared/values';
import { audienceLocator } from './resources/audience/locator';
import { authenticationProperty, mailchimpClient, mailchimpCredentials, mailchimpPages } from './transport';

/** Polls a Mailchimp audience for members added or changed since the last poll. */
export class MailchimpSyncTrigger implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Mailchimp Sync Trigger',
		name: 'mailchimpSyncTrigger',
		icon: { light: 'file:mailchimpSync.svg', dark: 'file:mailchimpSync.dark.svg' },
		group: ['trigger'],
		version: 1,
		subtitle: '={{$parameter["status"] ? "Members " + $parameter["status"] + ", added or changed" : "Members added or changed"}}',
		description: 'Starts the workflow when members of a Mailchimp audience are added or changed (polling)',
		defaults: { name: 'Mailchimp Sync Trigger' },
		inputs: [],
		outputs: [NodeConnectionTypes.Main],
		polling: true,
		credentials: mailchimpCredentials,
		properties: [
			authenticationProperty,
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
		const audience = readAudienceId(this, this.getNodeParameter('audience', undefined, { extractValue: true }));
		const status = readText(this, this.getNodeParameter('status', ''), 'Status');
		const client = await mailchimpClient(this);
		const members = (query: Record<string, string>, limit?: number) =>
			collectPages(
				mailchimpPages<IDataObject>(client, '/lists/{listId}/members', 'members', { ...(status ? { status } : {}), sort_field: 'last_changed', ...query }, { limit, params: { listId: audience } }),
			);
		return pollChanges(this, {
			sample: () => members({ sort_dir: 'DESC' }, 1),
			changedSince: (since) => members({ sort_dir: 'ASC', since_last_changed: since }),
			id: (m) => String(m.id),
			changedAt: (m) => String(m.last_changed),
		});
	}
}
