import {
	NodeConnectionTypes,
	NodeOperationError,
	type IDataObject,
	type IHookFunctions,
	type ILoadOptionsFunctions,
	type INodePropertyOptions,
	type INodeType,
	type INodeTypeDescription,
	type IWebhookFunctions,
	type IWebhookResponseData,
} from 'n8n-workflow';

import { type ApiClient, collectPages } from '../shared/transport';
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
import { readPicks, readText, shown } from '../shared/values';
import { AC_ID, loadAll } from './lookups';
import { activeCampaignClient, activeCampaignPages } from './transport';

/** Facts: API-NOTES.md (ActiveCampaign webhooks: events, registration, form-encoded deliveries). */

const CORE_EVENTS = ['subscribe', 'unsubscribe', 'update', 'contact_tag_added', 'contact_tag_removed'];
const SOURCES = ['public', 'admin', 'api', 'system'];

type Hooked = IHookFunctions | IWebhookFunctions;


/** The events or sources picked (a list, or comma-separated text from an expression), sorted. */
function chosen(ctx: Hooked, name: 'events' | 'sources'): string[] {
	if (name === 'sources') return readPicks(ctx, ctx.getNodeParameter('sources', []), 'Sources', SOURCES).sort();
	// Events beyond the contact and list ones are picked under Options > Other Events.
	const all = [...readPicks(ctx, ctx.getNodeParameter('events', []), 'Events'), ...readPicks(ctx, ctx.getNodeParameter('options.otherEvents', []), 'Other Events')];
	return [...new Set(all)].sort();
}

/** Readable names for the events Other Events lists, by what they are about; unknown ones keep their ID. */
const OTHER_EVENT_NAMES: Record<string, string> = {
	bounce: 'Campaign: Email Bounced',
	click: 'Campaign: Link Clicked',
	forward: 'Campaign: Email Forwarded',
	open: 'Campaign: Email Opened',
	reply: 'Campaign: Email Replied To',
	sent: 'Campaign: Sent',
	list_add: 'List: List Created',
	subscriber_note: 'Contact: Note Added',
	deal_add: 'Deal: Deal Added',
	deal_update: 'Deal: Deal Updated',
	deal_note_add: 'Deal: Note Added',
	deal_task_add: 'Deal: Task Added',
	deal_task_complete: 'Deal: Task Completed',
	sms_reply: 'SMS: Reply',
	sms_sent: 'SMS: Sent',
	sms_unsub: 'SMS: Unsubscribe',
};

/** The list the trigger is limited to ('' for any); an ID is digits, as ActiveCampaign's are. */
function listOf(ctx: Hooked): string {
	const value = readText(ctx, ctx.getNodeParameter('listId', ''), 'List ID');
	if (value && !AC_ID.test(value)) throw new NodeOperationError(ctx.getNode(), `List ID ${shown(value)} is not a number: choose a list, or leave it empty for any list`);
	return value;
}

const sameSet = (a: unknown, b: string[]) => Array.isArray(a) && [...new Set(a.map(String))].sort().join(',') === b.join(',');

/** Events about one list: they carry the list in `list`. */
const LIST_EVENTS = ['subscribe', 'unsubscribe'];
/** Tag events: they carry the tag's name in `tag`. */
const TAG_EVENTS = ['contact_tag_added', 'contact_tag_removed'];

/**
 * The list a delivery names: a list ID given once as one value; '' when it names none (absent,
 * empty or `0`, ActiveCampaign's "no list"); undefined when it is anything else (a list of
 * values, an object, text that is no ID), which no list check can trust.
 */
function namedList(value: unknown): string | undefined {
	if (value === undefined || value === null) return '';
	if (typeof value !== 'string') return undefined;
	const text = value.trim();
	if (text === '' || text === '0') return '';
	return AC_ID.test(text) ? text : undefined;
}

/**
 * Re-reads the contact a delivery names. Returns the contact as ActiveCampaign has it, or
 * undefined when it does not exist, has another email, or the event is not borne out: a list
 * event needs the contact's status on `list` (never skipped: no list, no confirmation), a tag
 * event needs the tag (by name) on the contact for `contact_tag_added` and not on it for
 * `contact_tag_removed`.
 */
async function confirmContact(client: ApiClient, type: string, list: string, tag: string, contact: IDataObject): Promise<IDataObject | undefined> {
	const id = typeof contact.id === 'string' ? contact.id.trim() : '';
	const email = typeof contact.email === 'string' ? contact.email.trim().toLowerCase() : '';
	if (!/^\d+$/.test(id) || !email) return undefined;
	if (LIST_EVENTS.includes(type) && !list) return undefined;
	if (TAG_EVENTS.includes(type) && !tag) return undefined;
	const read = (path: string, query?: Record<string, string>) =>
		unlessNotFound(client, client.request<IDataObject>({ method: 'GET', path, params: { id }, query, subject: `contact ${id}` }));
	const found = await read('/contacts/{id}');
	const record = isObject(found?.contact) ? found.contact : undefined;
	if (!record || String(record.email ?? '').toLowerCase() !== email) return undefined;
	if (LIST_EVENTS.includes(type)) {
		const lists = await read('/contacts/{id}/contactLists');
		const rows = Array.isArray(lists?.contactLists) ? (lists.contactLists as IDataObject[]) : [];
		const row = rows.find((r) => String(r.list) === list);
		if (!row || String(row.status) !== (type === 'subscribe' ? '1' : '2')) return undefined;
	}
	if (TAG_EVENTS.includes(type)) {
		// The tag is a name: the tags of that name (ActiveCampaign matches names without regard to case), then the contact's links to them.
		const tags = await loadAll(client, 'tag', { search: tag });
		const ids = new Set(tags.filter((t) => t.name.toLowerCase() === tag.toLowerCase()).map((t) => t.id));
		const links = await read('/contacts/{id}/contactTags');
		const rows = Array.isArray(links?.contactTags) ? (links.contactTags as IDataObject[]) : [];
		const tagged = rows.some((r) => ids.has(String(r.tag)));
		if (tagged !== (type === 'contact_tag_added')) return undefined;
	}
	return record;
}

/** Starts the workflow when ActiveCampaign posts an event to n8n (a webhook registered on activation). */
export class ActiveCampaignSyncWebhookTrigger implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'ActiveCampaign Sync Webhook Trigger',
		name: 'activeCampaignSyncWebhookTrigger',
		icon: { light: 'file:activeCampaignSync.svg', dark: 'file:activeCampaignSync.dark.svg' },
		group: ['trigger'],
		version: 1,
		subtitle:
			'={{ $parameter["events"].map(e => ({ subscribe: "Subscribed", unsubscribe: "Unsubscribed", update: "Updated", contact_tag_added: "Tag Added", contact_tag_removed: "Tag Removed" })[e] || e).join(", ") }}',
		description: 'Starts the workflow at once when ActiveCampaign reports an event: a contact subscribes, unsubscribes, is updated or tagged, and more',
		defaults: { name: 'ActiveCampaign Sync Webhook Trigger' },
		eventTriggerDescription: 'Waiting for ActiveCampaign: subscribe, update or tag a contact there',
		activationMessage: 'n8n has registered the webhook with ActiveCampaign: its events now start this workflow.',
		inputs: [],
		outputs: [NodeConnectionTypes.Main],
		credentials: [{ name: 'activeCampaignSyncApi', required: true }],
		webhooks: [{ name: 'default', httpMethod: 'POST', responseMode: 'onReceived', path: 'webhook' }],
		properties: [
			{
				displayName:
					'n8n registers this webhook with ActiveCampaign itself, with a secret added to its URL, when you activate the workflow (Publish in n8n 2.x) or listen for a test event. Do not paste the URL shown here into ActiveCampaign: deliveries without the secret are refused. n8n must be reachable from the internet.',
				name: 'notice',
				type: 'notice',
				default: '',
			},
			{
				displayName: 'Events',
				name: 'events',
				type: 'multiOptions',
				required: true,
				options: [
					{ name: 'Contact Subscribed', value: 'subscribe', description: 'A contact subscribed to a list, or was added to one as subscribed' },
					{ name: 'Contact Unsubscribed', value: 'unsubscribe', description: 'A contact unsubscribed from a list' },
					{ name: 'Contact Updated', value: 'update', description: 'A contact\'s details changed' },
					{ name: 'Tag Added to Contact', value: 'contact_tag_added', description: 'A tag was added to a contact' },
					{ name: 'Tag Removed From Contact', value: 'contact_tag_removed', description: 'A tag was removed from a contact' },
				],
				default: ['subscribe', 'unsubscribe', 'update', 'contact_tag_added', 'contact_tag_removed'],
				description: 'Which contact and list events start the workflow. Campaign, deal and other events are under Options.',
			},
			{
				displayName: 'Sources',
				name: 'sources',
				type: 'multiOptions',
				required: true,
				options: [
					{ name: 'Admin', value: 'admin', description: 'Changes made by a user in ActiveCampaign' },
					{ name: 'API', value: 'api', description: 'Changes made through the API (including this package)' },
					{ name: 'Public', value: 'public', description: 'Changes made by the contact (forms, unsubscribe links)' },
					{ name: 'System', value: 'system', description: 'Changes made by automations and the system' },
				],
				default: ['public', 'admin', 'api', 'system'],
				description: 'Whose changes start the workflow',
			},
			{
				displayName: 'List Name or ID',
				name: 'listId',
				type: 'options',
				typeOptions: { loadOptionsMethod: 'getWebhookLists' },
				default: '',
				description:
					'Only list events (subscribe, unsubscribe) of this list. Choose from the list, or specify an ID using an <a href="https://docs.n8n.io/code/expressions/">expression</a>.',
			},
			{
				displayName: 'Confirm With the API',
				name: 'confirmWithApi',
				type: 'boolean',
				default: false,
				description:
					'Whether to re-read the contact from ActiveCampaign before starting the workflow, and emit what ActiveCampaign answers instead of the posted contact. A delivery that ActiveCampaign does not confirm is acknowledged but starts nothing. Costs one to three requests per event.',
			},
			{
				displayName: 'Options',
				name: 'options',
				type: 'collection',
				placeholder: 'Add Option',
				default: {},
				options: [
					{
						displayName: 'Other Event Names or IDs',
						name: 'otherEvents',
						type: 'multiOptions',
						typeOptions: { loadOptionsMethod: 'getWebhookEvents' },
						default: [],
						description:
							'ActiveCampaign events beyond contacts and lists (campaigns, deals, SMS). They arrive as ActiveCampaign posts them; with Confirm With the API on, only those that name a contact can start the workflow. Choose from the list, or specify IDs using an <a href="https://docs.n8n.io/code/expressions/">expression</a>.',
					},
				],
			},
		],
	};

	methods = {
		loadOptions: {
			async getWebhookEvents(this: ILoadOptionsFunctions): Promise<INodePropertyOptions[]> {
				const client = await activeCampaignClient(this);
				const body = await client.request<IDataObject>({ method: 'GET', path: '/webhook/events', subject: 'the webhook events' });
				const events = Array.isArray(body.webhookEvents) ? body.webhookEvents.map(String) : [];
				return [...new Set(events)]
					.filter((e) => !CORE_EVENTS.includes(e))
					.map((e) => ({ name: OTHER_EVENT_NAMES[e] ?? e, value: e }))
					.sort((a, b) => a.name.localeCompare(b.name));
			},
			async getWebhookLists(this: ILoadOptionsFunctions): Promise<INodePropertyOptions[]> {
				const lists = await loadAll(await activeCampaignClient(this), 'list');
				return [{ name: 'Any List', value: '' }, ...lists.map((l) => ({ name: l.name, value: l.id })).sort((a, b) => a.name.localeCompare(b.name))];
			},
		},
	};

	webhookMethods = {
		default: {
			/** True only when exactly our webhook is registered as configured; stale copies are removed. */
			async checkExists(this: IHookFunctions): Promise<boolean> {
				const client = await activeCampaignClient(this);
				const hooks = await collectPages(activeCampaignPages<IDataObject>(client, '/webhooks', 'webhooks'));
				const events = chosen(this, 'events');
				const sources = chosen(this, 'sources');
				const list = listOf(this) || '0';
				return keepOnlyOurRegistration(
					this.getWorkflowStaticData('node') as WebhookState,
					this.getNodeWebhookUrl('default') as string,
					hooks.map((hook) => ({
						id: String(hook.id),
						url: hook.url,
						sameSettings: sameSet(hook.events, events) && sameSet(hook.sources, sources) && String(hook.listid ?? '0') === list,
					})),
					(id) => unlessNotFound(client, client.request({ method: 'DELETE', path: '/webhooks/{id}', params: { id } })),
				);
			},

			async create(this: IHookFunctions): Promise<boolean> {
				const state = this.getWorkflowStaticData('node') as WebhookState;
				const url = this.getNodeWebhookUrl('default') as string;
				const events = chosen(this, 'events');
				const sources = chosen(this, 'sources');
				if (!events.length) throw new NodeOperationError(this.getNode(), 'Choose at least one event');
				if (!sources.length) throw new NodeOperationError(this.getNode(), 'Choose at least one source');
				const list = listOf(this);
				const client = await activeCampaignClient(this);
				const secret = newWebhookSecret();
				const answer = await client.request<IDataObject>({
					method: 'POST',
					path: '/webhooks',
					body: {
						webhook: {
							name: `n8n: ${this.getWorkflow().name ?? this.getWorkflow().id} / ${this.getNode().name}`.slice(0, 250),
							url: urlWithSecret(url, secret),
							events,
							sources,
							...(list ? { listid: list } : {}),
						},
					},
					subject: 'a webhook',
				});
				const hook = isObject(answer.webhook) ? answer.webhook : {};
				if (hook.id === undefined) throw new NodeOperationError(this.getNode(), 'ActiveCampaign did not return the new webhook\'s id');
				rememberRegistration(state, String(hook.id), secret, list || '0');
				return true;
			},

			async delete(this: IHookFunctions): Promise<boolean> {
				const state = this.getWorkflowStaticData('node') as WebhookState;
				if (state.webhookId) {
					const client = await activeCampaignClient(this);
					await unlessNotFound(client, client.request({ method: 'DELETE', path: '/webhooks/{id}', params: { id: state.webhookId } }));
				}
				forgetRegistration(state);
				return true;
			},
		},
	};

	async webhook(this: IWebhookFunctions): Promise<IWebhookResponseData> {
		const refused = refuseWithoutSecret(this, this.getWorkflowStaticData('node') as WebhookState);
		if (refused) return refused;
		const fields = formFields(this);
		const type = typeof fields.type === 'string' ? fields.type : '';
		const contact = isObject(fields.contact) ? fields.contact : {};
		const named = namedList(fields.list);
		const list = listOf(this);
		// Limited to a list: a list event names exactly that list, as one value; no event names another.
		if (list && (LIST_EVENTS.includes(type) ? named !== list : named === undefined || (named !== '' && named !== list))) {
			return answer(this, 403, { message: 'This delivery is not for the list this trigger watches' });
		}
		if (!chosen(this, 'events').includes(type)) {
			return answer(this, 200, { message: `Event "${type}" is not selected in this trigger; ignored` });
		}
		const item: IDataObject = { ...fields, type, date_time: fields.date_time, initiated_by: fields.initiated_by };
		if (confirmsWithApi(this)) {
			const tag = typeof fields.tag === 'string' ? fields.tag.trim() : '';
			const confirmed = await confirmContact(await activeCampaignClient(this), type, list || named || '', tag, contact);
			if (!confirmed) return answer(this, 200, { message: 'ActiveCampaign does not confirm this event; ignored' });
			// The event's own fields, and the contact as ActiveCampaign has it; the rest of the posted data is dropped.
			const event: IDataObject = { type, date_time: fields.date_time, initiated_by: fields.initiated_by, initiated_from: fields.initiated_from, list: fields.list };
			if (TAG_EVENTS.includes(type)) event.tag = tag;
			return { workflowData: [this.helpers.returnJsonArray([{ ...event, contact: confirmed }])] };
		}
		return { workflowData: [this.helpers.returnJsonArray([item])] };
	}
}
