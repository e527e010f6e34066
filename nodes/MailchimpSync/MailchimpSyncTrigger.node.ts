import { NodeConnectionTypes, type INodeExecutionData, type INodeType, type INodeTypeDescription, type IPollFunctions } from 'n8n-workflow';

import { maxItemsPerPollProperty, pollChanges, readMaxItemsPerPoll } from '../shared/polling';
import { memberChanges } from './changes';
import { MEMBER_STATUSES, readAudienceId } from './lookups';
import { listSearch } from './methods';
import { readChoice, readText } from '../shared/values';
import { audienceLocator } from './resources/audience/locator';
import { authenticationProperty, mailchimpClient, mailchimpCredentials } from './transport';

/** The statuses Mailchimp filters members by (none: any status). */
const STATUSES = [...MEMBER_STATUSES, 'archived'] as const;

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
			maxItemsPerPollProperty,
		],
	};

	methods = { listSearch };

	async poll(this: IPollFunctions): Promise<INodeExecutionData[][] | null> {
		const audience = readAudienceId(this, this.getNodeParameter('audience', undefined, { extractValue: true }));
		const given = readText(this, this.getNodeParameter('status', ''), 'Status');
		const status = given && readChoice(this, given, 'Status', STATUSES);
		const maxItems = readMaxItemsPerPoll(this);
		return pollChanges(this, memberChanges(await mailchimpClient(this), this.getNode(), audience, status), maxItems);
	}
}
