import type { INodeProperties } from 'n8n-workflow';

import { listLocator } from '../ActiveCampaignSync/resources/list/locator';
import { tagLocator } from '../ActiveCampaignSync/resources/tag/locator';
import { requestsPerSecondProperty } from '../ActiveCampaignSync/transport';
import { audienceLocator } from '../MailchimpSync/resources/audience/locator';
import { authenticationProperty } from '../MailchimpSync/transport';
import { limitsProperty } from '../shared/limits';

/** The Audience Sync node's parameters. Names are part of saved workflows: never rename one. */
export const syncProperties: INodeProperties[] = [
	{
		displayName:
			'Compares an ActiveCampaign list with a Mailchimp audience. Plan shows the differences and writes nothing; Apply writes them. Unsubscribes, bounces and cleans are carried both ways and never undone.',
		name: 'notice',
		type: 'notice',
		default: '',
	},
	{ ...authenticationProperty, displayName: 'Mailchimp Authentication' },
	{ ...listLocator, displayName: 'ActiveCampaign List' },
	{
		...tagLocator,
		displayName: 'Only Contacts with Tag',
		required: false,
		description: 'Narrows the ActiveCampaign side to the list\'s contacts with this tag; contacts it creates in ActiveCampaign get the tag. Leave empty for the whole list.',
	},
	{ ...audienceLocator, displayName: 'Mailchimp Audience' },
	{
		displayName: 'Direction',
		name: 'direction',
		type: 'options',
		noDataExpression: true,
		options: [
			{ name: 'ActiveCampaign → Mailchimp', value: 'activeCampaignToMailchimp', description: 'New people and field values go to Mailchimp' },
			{ name: 'Mailchimp → ActiveCampaign', value: 'mailchimpToActiveCampaign', description: 'New people and field values go to ActiveCampaign' },
			{ name: 'Both Ways', value: 'both', description: 'New people go both ways; a field that differs goes the way the conflict policy says' },
		],
		default: 'activeCampaignToMailchimp',
		description: 'Where new people and field values go. Unsubscribes, bounces and cleans go both ways whatever the direction.',
	},
	{
		displayName: 'Map Names and Phone',
		name: 'mapDefaultFields',
		type: 'boolean',
		default: true,
		description: 'Whether to compare first name ↔ FNAME, last name ↔ LNAME and phone ↔ PHONE (a pair whose merge field the audience lacks is left out, and the summary says so)',
	},
	{
		displayName: 'More Fields',
		name: 'fieldPairs',
		type: 'fixedCollection',
		typeOptions: { multipleValues: true },
		placeholder: 'Add Field Pair',
		default: {},
		description: 'Custom fields to compare, each with its merge field. Email is always the key.',
		options: [
			{
				displayName: 'Pair',
				name: 'pairs',
				values: [
					{
						displayName: 'Contact Field Name or ID',
						name: 'activeCampaignField',
						type: 'options',
						typeOptions: { loadOptionsMethod: 'getSyncContactFields' },
						default: '',
						description: 'An ActiveCampaign contact field: first name, last name, phone, or a custom field (by ID, or name: and its title). Choose from the list, or specify an ID using an <a href="https://docs.n8n.io/code/expressions/">expression</a>.',
					},
					{
						displayName: 'Merge Field Name or ID',
						name: 'mailchimpField',
						type: 'options',
						typeOptions: { loadOptionsMethod: 'getMergeFields', loadOptionsDependsOn: ['audience.value'] },
						default: '',
						description: 'A merge field of the Mailchimp audience: its tag, or name: and its name. Choose from the list, or specify an ID using an <a href="https://docs.n8n.io/code/expressions/">expression</a>.',
					},
				],
			},
		],
	},
	{
		displayName: 'Field Conflicts',
		name: 'conflictPolicy',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: { direction: ['both'] } },
		options: [
			{ name: 'Newer Change Wins', value: 'newerWins', description: 'ActiveCampaign\'s last update against Mailchimp\'s last change; a tie goes to ActiveCampaign' },
			{ name: 'ActiveCampaign Wins', value: 'activeCampaignWins' },
			{ name: 'Mailchimp Wins', value: 'mailchimpWins' },
		],
		default: 'newerWins',
		description: 'Which value wins when both sides hold a different one. An empty value never erases a filled one.',
	},
	{
		displayName: 'New Members Status',
		name: 'newMemberStatus',
		type: 'options',
		noDataExpression: true,
		options: [
			{ name: 'Subscribed', value: 'subscribed' },
			{ name: 'Pending (Double Opt-In)', value: 'pending', description: 'Mailchimp sends a confirmation email. ActiveCampaign cannot take new contacts as pending: they are reported, not created.' },
		],
		default: 'subscribed',
		description: 'Status of someone added to the other side for being subscribed where they are. Nobody unsubscribed, bounced or cleaned on either side is ever subscribed.',
	},
	{
		displayName: 'Mode',
		name: 'mode',
		type: 'options',
		noDataExpression: true,
		options: [
			{ name: 'Plan', value: 'plan', description: 'Show the differences and what would be written; write nothing' },
			{ name: 'Apply', value: 'apply', description: 'Write the differences' },
		],
		default: 'plan',
	},
	{
		displayName: 'Max Changes',
		name: 'maxChanges',
		type: 'string',
		default: '10%',
		placeholder: '10% or 500',
		description: 'Safety valve: when more people would change than this (a number, or a percentage of the larger side), Apply writes nothing and says why. Plan reports whether Apply would stop.',
	},
	limitsProperty(requestsPerSecondProperty),
];
