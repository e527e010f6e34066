import {
	NodeConnectionTypes,
	NodeOperationError,
	type IDataObject,
	type IHookFunctions,
	type INodeType,
	type INodeTypeDescription,
	type IWebhookFunctions,
	type IWebhookResponseData,
} from 'n8n-workflow';

import type { ApiClient } from '../shared/transport';
import {
	answer,
	confirmsWithApi,
	forgetRegistration,
	formFields,
	isObject,
	keepOnlyOurRegistration,
	newWebhookSecret,
	refuseWithoutSecret,
	rememberRegistration,
	unlessNotFound,
	urlWithSecret,
	type WebhookState,
} from '../shared/webhooks';
import { readPicks } from '../shared/values';
import { readAudienceId, subscriberHash } from './lookups';
import { loadOptions } from './methods';
import { authenticationProperty, mailchimpClient, mailchimpCredentials } from './transport';

/** Facts: API-NOTES.md (Mailchimp webhooks: registration, the GET check, form-encoded deliveries). */

const EVENTS = ['subscribe', 'unsubscribe', 'profile', 'upemail', 'cleaned', 'campaign'] as const;
const SOURCES = ['user', 'admin', 'api'] as const;

type Hooked = IHookFunctions | IWebhookFunctions;

/** The audience (validated: it goes into request paths), from the dropdown or an expression. */
const audienceOf = (ctx: Hooked): string => readAudienceId(ctx, ctx.getNodeParameter('audience', ''));

/** The events or sources picked (a list, or comma-separated text from an expression), in `all`'s order. */
function selected(ctx: Hooked, name: 'events' | 'sources', all: readonly string[]): string[] {
	const picks = readPicks(ctx, ctx.getNodeParameter(name, []), name === 'events' ? 'Events' : 'Sources', all);
	return all.filter((v) => picks.includes(v));
}

const flags = (chosen: string[], all: readonly string[]) => Object.fromEntries(all.map((v) => [v, chosen.includes(v)]));

const sameFlags = (registered: unknown, wanted: Record<string, boolean>) =>
	Object.entries(wanted).every(([k, v]) => ((registered as IDataObject | undefined)?.[k] === true) === v);

/** Removes a registration; one already gone is fine. */
const removeWebhook = (client: ApiClient, list: string, webhookId: string) =>
	unlessNotFound(client, client.request({ method: 'DELETE', path: '/lists/{listId}/webhooks/{webhookId}', params: { listId: list, webhookId } }));

/**
 * Member statuses an event leaves behind, for *Confirm With the API*. An archived member does not
 * confirm an unsubscribe: archiving is housekeeping, not the member's consent.
 */
const STATUS_AFTER: Record<string, string[] | undefined> = {
	subscribe: ['subscribed'],
	unsubscribe: ['unsubscribed'],
	cleaned: ['cleaned'],
};

/**
 * Re-reads what a delivery is about. Returns the item to emit (built from the API's answer, with
 * only the identifiers the API confirmed taken from the payload), or undefined when the API does
 * not confirm it.
 */
async function confirm(client: ApiClient, list: string, type: string, firedAt: IDataObject[string], data: IDataObject): Promise<IDataObject | undefined> {
	const base = { type, fired_at: firedAt };
	const read = (path: string, params: Record<string, string>) => unlessNotFound(client, client.request<IDataObject>({ method: 'GET', path, params }));
	if (type === 'campaign') {
		// Campaign ids are letters and digits; anything else cannot be one (and never reaches a path).
		const id = typeof data.id === 'string' ? data.id : '';
		if (!/^[A-Za-z0-9]{1,64}$/.test(id)) return undefined;
		const campaign = await read('/campaigns/{campaignId}', { campaignId: id });
		const recipients = isObject(campaign?.recipients) ? campaign.recipients : {};
		if (!campaign || recipients.list_id !== list || !['sent', 'sending'].includes(String(campaign.status))) return undefined;
		return { ...base, data: { id, list_id: list }, campaign };
	}
	const email = type === 'upemail' ? data.new_email : data.email;
	if (typeof email !== 'string' || !email.includes('@')) return undefined;
	const member = await read('/lists/{listId}/members/{hash}', { listId: list, hash: subscriberHash(email) });
	if (!member || String(member.email_address).toLowerCase() !== email.trim().toLowerCase()) return undefined;
	const statuses = STATUS_AFTER[type];
	if (statuses && !statuses.includes(String(member.status))) return undefined;
	const identifiers: IDataObject =
		type === 'upemail'
			? { list_id: list, new_id: member.id, new_email: member.email_address, old_email: data.old_email }
			: { list_id: list, id: member.id, email: member.email_address };
	return { ...base, data: identifiers, member };
}

/** Starts the workflow when Mailchimp posts an audience event to n8n (a webhook registered on activation). */
export class MailchimpSyncWebhookTrigger implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Mailchimp Sync Webhook Trigger',
		name: 'mailchimpSyncWebhookTrigger',
		icon: { light: 'file:mailchimpSync.svg', dark: 'file:mailchimpSync.dark.svg' },
		group: ['trigger'],
		version: 1,
		subtitle:
			'={{ $parameter["events"].map(e => ({ subscribe: "Subscribed", unsubscribe: "Unsubscribed", profile: "Profile Updated", upemail: "Email Changed", cleaned: "Cleaned", campaign: "Campaign Sent" })[e] || e).join(", ") }}',
		description: 'Starts the workflow at once when members of a Mailchimp audience subscribe, unsubscribe, change or are cleaned, or a campaign is sent',
		defaults: { name: 'Mailchimp Sync Webhook Trigger' },
		eventTriggerDescription: 'Waiting for Mailchimp: subscribe, unsubscribe or update a member of the audience there',
		activationMessage: 'n8n has registered the webhook with Mailchimp: the audience\'s events now start this workflow.',
		inputs: [],
		outputs: [NodeConnectionTypes.Main],
		credentials: mailchimpCredentials,
		webhooks: [
			// Mailchimp checks a new webhook URL with a GET before it saves the webhook.
			{ name: 'setup', httpMethod: 'GET', responseMode: 'onReceived', path: 'webhook' },
			{ name: 'default', httpMethod: 'POST', responseMode: 'onReceived', path: 'webhook' },
		],
		properties: [
			{
				displayName:
					'n8n registers this webhook with Mailchimp itself, with a secret added to its URL, when you activate the workflow (Publish in n8n 2.x) or listen for a test event. Do not paste the URL shown here into Mailchimp: deliveries without the secret are refused. n8n must be reachable from the internet.',
				name: 'notice',
				type: 'notice',
				default: '',
			},
			authenticationProperty,
			{
				displayName: 'Audience Name or ID',
				name: 'audience',
				type: 'options',
				typeOptions: { loadOptionsMethod: 'getAudiences' },
				default: '',
				required: true,
				description: 'The audience whose events start the workflow. Choose from the list, or specify an ID using an <a href="https://docs.n8n.io/code/expressions/">expression</a>.',
			},
			{
				displayName: 'Events',
				name: 'events',
				type: 'multiOptions',
				required: true,
				options: [
					{ name: 'Campaign Sent', value: 'campaign', description: 'A campaign was sent to the audience (whatever the sources below)' },
					{ name: 'Email Changed', value: 'upemail', description: 'A member changed their address' },
					{ name: 'Member Cleaned', value: 'cleaned', description: 'Mailchimp cleaned an address: it bounced, or was reported as abuse' },
					{ name: 'Member Subscribed', value: 'subscribe', description: 'Someone subscribed to the audience' },
					{ name: 'Member Unsubscribed', value: 'unsubscribe', description: 'A member unsubscribed from the audience' },
					{ name: 'Profile Updated', value: 'profile', description: 'A member\'s profile changed' },
				],
				default: ['subscribe', 'unsubscribe', 'profile', 'upemail', 'cleaned'],
				description: 'Which events start the workflow',
			},
			{
				displayName: 'Sources',
				name: 'sources',
				type: 'multiOptions',
				required: true,
				options: [
					{ name: 'Admin', value: 'admin', description: 'Changes made in Mailchimp by an account user' },
					{ name: 'API', value: 'api', description: 'Changes made through the API (including this package)' },
					{ name: 'User', value: 'user', description: 'Changes made by the subscriber' },
				],
				default: ['user', 'admin', 'api'],
				description: 'Whose changes start the workflow',
			},
			{
				displayName: 'Confirm With the API',
				name: 'confirmWithApi',
				type: 'boolean',
				default: false,
				description:
					'Whether to re-read the member (or campaign) from Mailchimp before starting the workflow, and emit what Mailchimp answers instead of the posted data. A delivery that Mailchimp does not confirm is acknowledged but starts nothing. Costs one request per event.',
			},
		],
	};

	methods = { loadOptions };

	webhookMethods = {
		default: {
			/** True only when exactly our webhook is registered as configured; stale copies are removed. */
			async checkExists(this: IHookFunctions): Promise<boolean> {
				const state = this.getWorkflowStaticData('node') as WebhookState;
				const list = audienceOf(this);
				const client = await mailchimpClient(this);
				if (state.target && state.target !== list && state.webhookId) {
					// The audience changed while the workflow was inactive: remove the old registration.
					await removeWebhook(client, state.target, state.webhookId);
					forgetRegistration(state);
				}
				const answer = await client.request<IDataObject>({ method: 'GET', path: '/lists/{listId}/webhooks', params: { listId: list }, subject: `the webhooks of audience ${list}` });
				const events = flags(selected(this, 'events', EVENTS), EVENTS);
				const sources = flags(selected(this, 'sources', SOURCES), SOURCES);
				return keepOnlyOurRegistration(
					state,
					this.getNodeWebhookUrl('default') as string,
					((answer.webhooks as IDataObject[] | undefined) ?? []).map((hook) => ({
						id: String(hook.id),
						url: hook.url,
						sameSettings: sameFlags(hook.events, events) && sameFlags(hook.sources, sources),
					})),
					(id) => removeWebhook(client, list, id),
				);
			},

			async create(this: IHookFunctions): Promise<boolean> {
				const state = this.getWorkflowStaticData('node') as WebhookState;
				const url = this.getNodeWebhookUrl('default') as string;
				const list = audienceOf(this);
				const events = selected(this, 'events', EVENTS);
				const sources = selected(this, 'sources', SOURCES);
				if (!events.length) throw new NodeOperationError(this.getNode(), 'Choose at least one event');
				if (!sources.length) throw new NodeOperationError(this.getNode(), 'Choose at least one source');
				const client = await mailchimpClient(this);
				const secret = newWebhookSecret();
				const hook = await client.request<IDataObject>({
					method: 'POST',
					path: '/lists/{listId}/webhooks',
					params: { listId: list },
					body: { url: urlWithSecret(url, secret), events: flags(events, EVENTS), sources: flags(sources, SOURCES) },
					subject: `a webhook on audience ${list}`,
				});
				rememberRegistration(state, String(hook.id), secret, list);
				return true;
			},

			async delete(this: IHookFunctions): Promise<boolean> {
				const state = this.getWorkflowStaticData('node') as WebhookState;
				if (state.webhookId && state.target) await removeWebhook(await mailchimpClient(this), state.target, state.webhookId);
				forgetRegistration(state);
				return true;
			},
		},
	};

	async webhook(this: IWebhookFunctions): Promise<IWebhookResponseData> {
		// Mailchimp's check of a new URL: answered, never a workflow start. It comes while the
		// webhook is being created, before the new secret is saved, so it is not asked for.
		if (this.getWebhookName() === 'setup') return answer(this, 200, { message: 'Webhook URL is reachable' });

		const refused = refuseWithoutSecret(this, this.getWorkflowStaticData('node') as WebhookState);
		if (refused) return refused;
		const fields = formFields(this);
		const type = typeof fields.type === 'string' ? fields.type : '';
		const data = isObject(fields.data) ? fields.data : {};
		const list = audienceOf(this);
		if (data.list_id !== list) {
			return answer(this, 403, { message: 'This delivery is not for the audience this trigger watches' });
		}
		if (!selected(this, 'events', EVENTS).includes(type)) {
			return answer(this, 200, { message: `Event "${type}" is not selected in this trigger; ignored` });
		}
		let item: IDataObject = { type, fired_at: fields.fired_at, data };
		if (confirmsWithApi(this)) {
			const confirmed = await confirm(await mailchimpClient(this), list, type, fields.fired_at, data);
			if (!confirmed) return answer(this, 200, { message: 'Mailchimp does not confirm this event; ignored' });
			item = confirmed;
		}
		return { workflowData: [this.helpers.returnJsonArray([item])] };
	}
}
