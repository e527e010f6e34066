import type { IDataObject } from 'n8n-workflow';

import { AC_TEST_KEY, type Emulator, MC_TEST_KEY, MC_TEST_OAUTH_TOKEN, postForm, startEmulator } from '../emulator/server';
import { loadNodeOptions } from '../harness/n8n';
import { type WebhookTrigger, webhookTrigger } from '../harness/webhooks';
import { mailchimpOAuthCredential } from './workflow';

/**
 * The webhook triggers as n8n runs them: activation and deactivation through n8n-core's
 * HookContext, deliveries through its WebhookContext, started workflows through WorkflowExecute,
 * against the emulator, which registers webhooks and delivers events as the providers do.
 */
let emulator: Emulator;
const triggers: WebhookTrigger[] = [];
beforeAll(async () => {
	emulator = await startEmulator({ acRatePerSecond: 1000 });
});
afterAll(async () => {
	await Promise.all(triggers.map((t) => t.stop()));
	await emulator.stop();
});

const acCreds = () => ({ activeCampaignSyncApi: { apiUrl: emulator.url, apiKey: AC_TEST_KEY } });
const mcCreds = () => ({ mailchimpSyncApi: { apiKey: MC_TEST_KEY, useCustomBaseUrl: true, baseUrl: emulator.mcBaseUrl } });
const track = (t: WebhookTrigger) => {
	triggers.push(t);
	return t;
};

/** Nothing a user sees may hold a credential: items, errors, answers. */
function expectNoSecrets(trigger: WebhookTrigger) {
	const seen = JSON.stringify({ runs: trigger.runs.map((r) => r.run.data.resultData), deliveries: trigger.deliveries });
	for (const secret of [AC_TEST_KEY, MC_TEST_KEY, MC_TEST_OAUTH_TOKEN, Buffer.from(`n8n:${MC_TEST_KEY}`).toString('base64')]) expect(seen).not.toContain(secret);
}

describe('Mailchimp Sync Webhook Trigger', () => {
	const AUD = 'audHook001';
	const params = (extra: IDataObject = {}) => ({ audience: AUD, events: ['subscribe', 'unsubscribe', 'profile', 'upemail', 'cleaned', 'campaign'], sources: ['user', 'admin', 'api'], ...extra });
	const hooks = (list = AUD) => [...emulator.mc.lists.get(list)!.webhooks.values()];
	const subscribe = (email: string, merges: IDataObject = {}) => ({
		type: 'subscribe',
		fired_at: '2026-03-01 10:00:00',
		data: { id: 'abc', email, email_type: 'html', list_id: AUD, merges: { EMAIL: email, ...merges } },
	});

	beforeAll(() => {
		emulator.mc.addList(AUD, 'Hooked audience');
		emulator.mc.addList('audOther01', 'Other audience');
	});

	test('activation registers exactly one webhook (after Mailchimp\'s GET check got 200); twice leaves one; deactivation removes it', async () => {
		const trigger = track(await webhookTrigger('mailchimpSyncWebhookTrigger', params({ events: ['subscribe', 'cleaned'], sources: ['user', 'api'] }), mcCreds()));
		await trigger.activate();
		expect(hooks()).toHaveLength(1);
		const [hook] = hooks();
		expect(hook.url.startsWith(`${trigger.url}?secret=`)).toBe(true);
		expect(hook.url.length).toBeGreaterThan(trigger.url.length + 40);
		expect(hook.events).toEqual({ subscribe: true, unsubscribe: false, profile: false, cleaned: true, upemail: false, campaign: false });
		expect(hook.sources).toEqual({ user: true, admin: false, api: true });
		// Mailchimp's GET check reached the node, was answered 200, and started nothing.
		expect(trigger.deliveries.filter((d) => d.method === 'GET').map((d) => d.status)).toEqual([200]);
		expect(trigger.runs).toHaveLength(0);
		expect(trigger.staticData()).toMatchObject({ webhookId: hook.id, target: AUD });

		await trigger.activate();
		expect(hooks()).toHaveLength(1);
		expect(hooks()[0].id).toBe(hook.id);

		await trigger.deactivate();
		expect(hooks()).toHaveLength(0);
		expect(trigger.staticData()).toEqual({});
		await trigger.deactivate();
		expect(hooks()).toHaveLength(0);
	});

	test('a registration left behind (static data lost) is replaced, never duplicated', async () => {
		const trigger = track(await webhookTrigger('mailchimpSyncWebhookTrigger', params(), mcCreds()));
		await trigger.activate();
		const first = hooks()[0];
		for (const key of Object.keys(trigger.staticData())) delete trigger.staticData()[key];
		await trigger.activate();
		expect(hooks()).toHaveLength(1);
		expect(hooks()[0].id).not.toBe(first.id);
		await trigger.deactivate();
		expect(hooks()).toHaveLength(0);
	});

	test('an audience changed while the workflow was inactive: the old audience\'s registration is removed on activation', async () => {
		const trigger = track(await webhookTrigger('mailchimpSyncWebhookTrigger', params(), mcCreds()));
		await trigger.activate();
		expect(hooks()).toHaveLength(1);
		trigger.setParameters(params({ audience: 'audOther01' }));
		await trigger.activate();
		expect(hooks()).toHaveLength(0);
		expect(hooks('audOther01')).toHaveLength(1);
		expect(trigger.staticData()).toMatchObject({ target: 'audOther01' });
		// A delivery for the old audience, even with the current secret, is refused.
		expect((await postForm(hooks('audOther01')[0].url, subscribe('old.audience@example.com'))).status).toBe(403);
		await trigger.deactivate();
		expect(hooks('audOther01')).toHaveLength(0);
	});

	test('a delivered event becomes one item with nested JSON; the GET check answers 200 without a run', async () => {
		const trigger = track(await webhookTrigger('mailchimpSyncWebhookTrigger', params(), mcCreds()));
		await trigger.activate();
		const delivered = await emulator.deliverMc(AUD, subscribe('new.member@example.com', { FNAME: 'New', ADDRESS: { addr1: '1 Main St', city: 'Springfield' } }), 'user');
		expect(delivered.map((d) => d.status)).toEqual([200]);
		expect(trigger.items()).toEqual([
			[
				{
					type: 'subscribe',
					fired_at: '2026-03-01 10:00:00',
					data: {
						id: 'abc',
						email: 'new.member@example.com',
						email_type: 'html',
						list_id: AUD,
						merges: { EMAIL: 'new.member@example.com', FNAME: 'New', ADDRESS: { addr1: '1 Main St', city: 'Springfield' } },
					},
				},
			],
		]);
		const get = await fetch(emulator.mc.lists.get(AUD)!.webhooks.values().next().value!.url);
		expect(get.status).toBe(200);
		expect(trigger.runs).toHaveLength(1);
		expectNoSecrets(trigger);
		await trigger.deactivate();
	});

	test('forged requests are refused: missing or wrong secret (401), another audience (403); none starts the workflow', async () => {
		const trigger = track(await webhookTrigger('mailchimpSyncWebhookTrigger', params(), mcCreds()));
		await trigger.activate();
		const registered = hooks()[0].url;
		const noSecret = await postForm(trigger.url, subscribe('forged@example.com'));
		expect(noSecret.status).toBe(401);
		// A URL registered by hand (the one n8n shows) lacks the secret: the answer says so, and what to do.
		expect((JSON.parse(noSecret.body) as { message: string }).message).toMatch(/lacks the secret n8n adds.*Do not register the URL shown in n8n by hand.*deactivate and activate the workflow/);
		const wrong = await postForm(`${trigger.url}?secret=${'0'.repeat(48)}`, subscribe('forged@example.com'));
		expect(wrong.status).toBe(401);
		const short = await postForm(`${trigger.url}?secret=abc`, subscribe('forged@example.com'));
		expect(short.status).toBe(401);
		const otherList = await postForm(registered, { ...subscribe('forged@example.com'), data: { email: 'forged@example.com', list_id: 'audOther01' } });
		expect(otherList.status).toBe(403);
		const noList = await postForm(registered, { type: 'subscribe', fired_at: 'x', data: { email: 'forged@example.com' } });
		expect(noList.status).toBe(403);
		expect(trigger.runs).toHaveLength(0);
		// An event type the trigger does not watch is acknowledged and ignored.
		await trigger.deactivate();
		const narrow = track(await webhookTrigger('mailchimpSyncWebhookTrigger', params({ events: ['unsubscribe'] }), mcCreds()));
		await narrow.activate();
		const ignored = await postForm(hooks()[0].url, subscribe('someone@example.com'));
		expect(ignored.status).toBe(200);
		expect(narrow.runs).toHaveLength(0);
		await narrow.deactivate();
	});

	test('Confirm With the API given by an expression ("true" from a sheet, any case): a forged event still starts nothing', async () => {
		for (const on of ['={{ "true" }}', '={{ "Yes" }}']) {
			const trigger = track(await webhookTrigger('mailchimpSyncWebhookTrigger', params({ confirmWithApi: on }), mcCreds()));
			await trigger.activate();
			expect((await postForm(hooks()[0].url, subscribe('forged@example.com'))).status).toBe(200);
			expect(trigger.runs).toHaveLength(0);
			await trigger.deactivate();
		}
	});

	test('Events and Sources given by an expression as text ("unsubscribe", "user, api") register just those; an unknown one is refused, naming the option', async () => {
		const trigger = track(await webhookTrigger('mailchimpSyncWebhookTrigger', params({ events: '={{ "unsubscribe" }}', sources: '={{ "user, api" }}' }), mcCreds()));
		await trigger.activate();
		expect(hooks()).toHaveLength(1);
		expect(hooks()[0].events).toEqual({ subscribe: false, unsubscribe: true, profile: false, cleaned: false, upemail: false, campaign: false });
		expect(hooks()[0].sources).toEqual({ user: true, admin: false, api: true });
		// A subscribe delivered anyway is not an event this trigger watches.
		expect((await postForm(hooks()[0].url, subscribe('not-watched@example.com'))).status).toBe(200);
		expect(trigger.runs).toHaveLength(0);
		await trigger.deactivate();
		const typo = track(await webhookTrigger('mailchimpSyncWebhookTrigger', params({ events: '={{ "unsubscribe, unsubscribed" }}' }), mcCreds()));
		await expect(typo.activate()).rejects.toThrow(/Events "unsubscribed" is not one of subscribe, unsubscribe/);
		expect(hooks()).toHaveLength(0);
	});

	test('Confirm With the API: an event the API does not confirm starts nothing; a confirmed one carries the API\'s member, not the posted data', async () => {
		const trigger = track(await webhookTrigger('mailchimpSyncWebhookTrigger', params({ confirmWithApi: true }), mcCreds()));
		await trigger.activate();
		const url = hooks()[0].url;
		// Not a member at all.
		expect((await postForm(url, subscribe('nobody@example.com'))).status).toBe(200);
		// A member, but the event does not match the member's status (unsubscribed, posted as subscribe).
		emulator.mc.addMember(AUD, 'left@example.com', 'unsubscribed');
		expect((await postForm(url, subscribe('left@example.com'))).status).toBe(200);
		// A campaign that does not exist.
		expect((await postForm(url, { type: 'campaign', fired_at: 'x', data: { id: 'c0ffee9999', list_id: AUD } })).status).toBe(200);
		expect(trigger.runs).toHaveLength(0);

		// A real subscriber, with forged merge fields in the payload: the item holds what Mailchimp has.
		emulator.mc.addMember(AUD, 'real@example.com', 'subscribed', { FNAME: 'Real' });
		const delivered = await emulator.deliverMc(AUD, subscribe('real@example.com', { FNAME: 'Injected' }), 'admin');
		expect(delivered.map((d) => d.status)).toEqual([200]);
		const [[item]] = trigger.items();
		expect(item).toMatchObject({ type: 'subscribe', data: { list_id: AUD, email: 'real@example.com' }, member: { email_address: 'real@example.com', status: 'subscribed', merge_fields: { FNAME: 'Real' } } });
		expect(JSON.stringify(item)).not.toContain('Injected');

		emulator.mc.addCampaign('c0ffee0001', AUD);
		await emulator.deliverMc(AUD, { type: 'campaign', fired_at: '2026-03-01 11:00:00', data: { id: 'c0ffee0001', subject: 'Forged subject', status: 'sent', reason: '', list_id: AUD } });
		expect(trigger.items()[1][0]).toMatchObject({ type: 'campaign', data: { id: 'c0ffee0001', list_id: AUD }, campaign: { id: 'c0ffee0001', status: 'sent' } });
		expect(JSON.stringify(trigger.items()[1])).not.toContain('Forged subject');
		expectNoSecrets(trigger);
		await trigger.deactivate();
	});

	test('bracketed keys cannot pollute prototypes', async () => {
		const trigger = track(await webhookTrigger('mailchimpSyncWebhookTrigger', params(), mcCreds()));
		await trigger.activate();
		const body = [
			'type=subscribe',
			'fired_at=2026-03-01',
			`data[list_id]=${AUD}`,
			'data[email]=proto@example.com',
			'data[__proto__][polluted]=yes',
			'data[merges][constructor][prototype][polluted]=yes',
			'__proto__[polluted]=yes',
			'constructor[prototype][polluted]=yes',
			'data[merges][prototype]=yes',
			'data[merges][FNAME]=Safe',
		].map((pair) => pair.replace(/\[/g, '%5B').replace(/\]/g, '%5D')).join('&');
		const res = await fetch(hooks()[0].url, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body });
		expect(res.status).toBe(200);
		expect(({} as IDataObject).polluted).toBeUndefined();
		expect(Object.prototype).not.toHaveProperty('polluted');
		expect(trigger.items()).toEqual([[{ type: 'subscribe', fired_at: '2026-03-01', data: { list_id: AUD, email: 'proto@example.com', merges: { FNAME: 'Safe' } } }]]);
		await trigger.deactivate();
	});

	test('a delivery nesting lists thousands deep is cut at the nesting bound, not a crash (500) of the webhook', async () => {
		const trigger = track(await webhookTrigger('mailchimpSyncWebhookTrigger', params(), mcCreds()));
		await trigger.activate();
		// 10 kB of JSON: 5,000 lists, one inside the other, under a merge field.
		const deep = `${'['.repeat(5000)}"x"${']'.repeat(5000)}`;
		const body = `{"type":"subscribe","fired_at":"2026-03-01","data":{"list_id":"${AUD}","email":"deep@example.com","merges":{"FNAME":"Deep","NOTES":${deep}}}}`;
		const res = await fetch(hooks()[0].url, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
		expect(res.status).toBe(200);
		const [[item]] = trigger.items();
		expect(item).toMatchObject({ type: 'subscribe', data: { list_id: AUD, email: 'deep@example.com', merges: { FNAME: 'Deep' } } });
		expect(JSON.stringify(item).length).toBeLessThan(500);
		await trigger.deactivate();
	});

	test('works with the OAuth2 credential: registration, delivery, removal', async () => {
		const trigger = track(await webhookTrigger('mailchimpSyncWebhookTrigger', params({ authentication: 'oAuth2', confirmWithApi: true }), { mailchimpSyncOAuth2Api: mailchimpOAuthCredential(emulator) }));
		await trigger.activate();
		expect(hooks()).toHaveLength(1);
		emulator.mc.addMember(AUD, 'oauth.hook@example.com', 'subscribed');
		await emulator.deliverMc(AUD, subscribe('oauth.hook@example.com'), 'api');
		expect(trigger.items()[0][0]).toMatchObject({ member: { email_address: 'oauth.hook@example.com' } });
		await trigger.deactivate();
		expect(hooks()).toHaveLength(0);
		expectNoSecrets(trigger);
	});
});

/** ActiveCampaign trigger parameters (the core events, every source), and a delivery as ActiveCampaign posts it. */
const acParams = (extra: IDataObject = {}) => ({ events: ['subscribe', 'unsubscribe', 'update', 'contact_tag_added', 'contact_tag_removed'], sources: ['public', 'admin', 'api', 'system'], ...extra });
const acEvent = (type: string, contact: IDataObject, extra: IDataObject = {}) => ({
	type,
	date_time: '2026-03-01T10:00:00-06:00',
	initiated_by: 'admin',
	initiated_from: 'admin',
	list: '0',
	contact,
	...extra,
});

describe('ActiveCampaign Sync Webhook Trigger', () => {
	const hooks = () => [...emulator.ac.webhooks.values()];
	const params = acParams;
	const event = acEvent;

	test('Other Events lists the rest of /webhook/events by readable names, without the contact and list events of Events', async () => {
		const options = (await loadNodeOptions('activeCampaignSyncWebhookTrigger', 'loadOptions', 'getWebhookEvents', acCreds())) as Array<{ name: string; value: string }>;
		const values = options.map((o) => o.value);
		for (const core of ['contact_tag_added', 'contact_tag_removed', 'subscribe', 'unsubscribe', 'update']) expect(values).not.toContain(core);
		expect(options).toContainEqual({ name: 'Campaign: Email Bounced', value: 'bounce' });
		expect(options).toContainEqual({ name: 'Deal: Deal Added', value: 'deal_add' });
		expect(options.map((o) => o.name)).toEqual([...options.map((o) => o.name)].sort((a, b) => a.localeCompare(b)));
		expect(emulator.count('GET /api/3/webhook/events')).toBeGreaterThanOrEqual(1);
	});

	test('an event picked under Other Events is registered with the contact and list events', async () => {
		const trigger = track(await webhookTrigger('activeCampaignSyncWebhookTrigger', params({ events: ['subscribe'], options: { otherEvents: ['deal_add'] } }), acCreds()));
		await trigger.activate();
		expect(hooks()[0]).toMatchObject({ events: ['deal_add', 'subscribe'] });
		await trigger.deactivate();
	});

	test('Events, Other Events and Sources given by an expression as comma-separated text register those', async () => {
		const trigger = track(
			await webhookTrigger(
				'activeCampaignSyncWebhookTrigger',
				params({ events: '={{ "subscribe, update" }}', sources: '={{ "admin,api" }}', options: { otherEvents: '={{ "deal_add" }}' } }),
				acCreds(),
			),
		);
		await trigger.activate();
		expect(hooks()).toHaveLength(1);
		expect(hooks()[0]).toMatchObject({ events: ['deal_add', 'subscribe', 'update'], sources: ['admin', 'api'] });
		await trigger.deactivate();
		expect(hooks()).toHaveLength(0);
	});

	test('activation registers exactly one webhook; twice leaves one; deactivation removes it', async () => {
		const trigger = track(await webhookTrigger('activeCampaignSyncWebhookTrigger', params({ events: ['update', 'subscribe'], sources: ['admin', 'api'] }), acCreds()));
		await trigger.activate();
		expect(hooks()).toHaveLength(1);
		expect(hooks()[0]).toMatchObject({ events: ['subscribe', 'update'], sources: ['admin', 'api'], listid: '0' });
		expect(hooks()[0].url.startsWith(`${trigger.url}?secret=`)).toBe(true);
		await trigger.activate();
		expect(hooks()).toHaveLength(1);
		await trigger.deactivate();
		expect(hooks()).toHaveLength(0);
	});

	test('a delivered event becomes one item with nested JSON (type, date_time, initiated_by, contact fields)', async () => {
		const trigger = track(await webhookTrigger('activeCampaignSyncWebhookTrigger', params(), acCreds()));
		await trigger.activate();
		const contact = { id: '42', email: 'hook@example.com', first_name: 'Hook', tags: 'vip, lead', fields: { '12': 'Acme', '13': '||Pro||Team||' } };
		const delivered = await emulator.deliverAc(event('update', contact));
		expect(delivered.map((d) => d.status)).toEqual([200]);
		expect(trigger.items()).toEqual([[event('update', contact)]]);
		expectNoSecrets(trigger);
		await trigger.deactivate();
	});

	test('Confirm With the API given by an expression ("true"): an update for a contact ActiveCampaign does not have starts nothing', async () => {
		const trigger = track(await webhookTrigger('activeCampaignSyncWebhookTrigger', params({ confirmWithApi: '={{ "true" }}' }), acCreds()));
		await trigger.activate();
		expect((await postForm(hooks()[0].url, event('update', { id: '99999', email: 'ghost@example.com' }))).status).toBe(200);
		expect(trigger.runs).toHaveLength(0);
		await trigger.deactivate();
	});

	test('forged requests are refused: bad secret (401), another list (403); Confirm With the API ignores unknown or mismatched contacts', async () => {
		const newsletter = emulator.ac.addList('Hooked list');
		const trigger = track(await webhookTrigger('activeCampaignSyncWebhookTrigger', params({ listId: newsletter.id, confirmWithApi: true }), acCreds()));
		await trigger.activate();
		expect(hooks()[0].listid).toBe(newsletter.id);
		const url = hooks()[0].url;
		expect((await postForm(trigger.url, event('update', { id: '1', email: 'x@example.com' }))).status).toBe(401);
		expect((await postForm(url.replace(/secret=[^&]+/, 'secret=nope'), event('update', { id: '1', email: 'x@example.com' }))).status).toBe(401);
		expect((await postForm(url, event('subscribe', { id: '1', email: 'x@example.com' }, { list: '999' }))).status).toBe(403);
		// Unknown contact; known contact with another email; subscribe not confirmed by the list status.
		expect((await postForm(url, event('update', { id: '99999', email: 'ghost@example.com' }))).status).toBe(200);
		const real = emulator.ac.addContact({ email: 'real.ac@example.com', firstName: 'Real' });
		expect((await postForm(url, event('update', { id: real.id, email: 'other@example.com' }))).status).toBe(200);
		expect((await postForm(url, event('subscribe', { id: real.id, email: real.email }, { list: newsletter.id }))).status).toBe(200);
		expect(trigger.runs).toHaveLength(0);

		// Confirmed: the contact as ActiveCampaign has it, not the posted one.
		emulator.ac.subscribe(real.id, newsletter.id, '1');
		await emulator.deliverAc(event('subscribe', { id: real.id, email: real.email, first_name: 'Injected' }, { list: newsletter.id }));
		expect(trigger.items()).toHaveLength(1);
		const [[item]] = trigger.items();
		expect(item).toMatchObject({ type: 'subscribe', initiated_by: 'admin', list: newsletter.id, contact: { id: real.id, email: real.email, firstName: 'Real' } });
		expect(JSON.stringify(item)).not.toContain('Injected');
		expectNoSecrets(trigger);
		await trigger.deactivate();
		expect(hooks()).toHaveLength(0);
	});
});

describe('the sandbox fires test events at active webhook triggers (npm run fire)', () => {
	test('POST /_sandbox/fire/<provider>/<event> plays the event, so that even Confirm With the API agrees, and delivers it', async () => {
		const list = 'audFire001';
		emulator.mc.addList(list, 'Fire audience');
		emulator.mc.addMember(list, 'fired@example.com', 'subscribed', { FNAME: 'Fired' });
		const mc = track(await webhookTrigger('mailchimpSyncWebhookTrigger', { audience: list, events: ['unsubscribe'], sources: ['user', 'admin', 'api'], confirmWithApi: true }, mcCreds()));
		await mc.activate();
		const res = await fetch(`${emulator.url}/_sandbox/fire/mailchimp/unsubscribe`, { method: 'POST', body: JSON.stringify({ list, email: 'fired@example.com' }) });
		expect(res.status).toBe(200);
		expect(((await res.json()) as { deliveries: Array<{ status: number }> }).deliveries.map((d) => d.status)).toEqual([200]);
		expect(mc.items()).toEqual([[expect.objectContaining({ type: 'unsubscribe', member: expect.objectContaining({ email_address: 'fired@example.com', status: 'unsubscribed' }) })]]);
		await mc.deactivate();

		const ac = track(await webhookTrigger('activeCampaignSyncWebhookTrigger', { events: ['contact_tag_added'], sources: ['admin'], confirmWithApi: true }, acCreds()));
		await ac.activate();
		const contact = emulator.ac.addContact({ email: 'tagged@example.com', firstName: 'Tagged' });
		const fired = await fetch(`${emulator.url}/_sandbox/fire/activecampaign/contact_tag_added`, { method: 'POST', body: JSON.stringify({ email: contact.email }) });
		expect(fired.status).toBe(200);
		expect(ac.items()).toEqual([[expect.objectContaining({ type: 'contact_tag_added', contact: expect.objectContaining({ id: contact.id, firstName: 'Tagged' }) })]]);
		expect((await fetch(`${emulator.url}/_sandbox/fire/activecampaign/nonsense`, { method: 'POST' })).status).toBe(400);
		await ac.deactivate();
	});
});


describe('issue 17: a confirmed event is really confirmed', () => {
	const params = acParams;
	/** A delivery naming no list unless `extra` names one. */
	const event = (type: string, contact: IDataObject, extra: IDataObject = {}) => acEvent(type, contact, { list: undefined, ...extra });
	const acHooks = () => [...emulator.ac.webhooks.values()];
	/** Posts raw form pairs (repeated keys included) to a URL. */
	const postPairs = async (url: string, pairs: Array<[string, string]>) =>
		(await fetch(url, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(pairs).toString() })).status;

	test('ActiveCampaign, limited to a list: a list event must name exactly that list, once (no list, 0, a list of lists, two values: 403)', async () => {
		const watched = emulator.ac.addList('Watched 17');
		const other = emulator.ac.addList('Other 17');
		const trigger = track(await webhookTrigger('activeCampaignSyncWebhookTrigger', params({ listId: watched.id }), acCreds()));
		await trigger.activate();
		const url = acHooks().find((h) => h.listid === watched.id)!.url;
		const contact = { id: '5', email: 'list17@example.com' };
		for (const type of ['subscribe', 'unsubscribe']) {
			expect((await postForm(url, event(type, contact))).status).toBe(403);
			expect((await postForm(url, event(type, contact, { list: '0' }))).status).toBe(403);
			expect((await postForm(url, event(type, contact, { list: '' }))).status).toBe(403);
			expect((await postForm(url, event(type, contact, { list: [watched.id] }))).status).toBe(403);
			expect((await postForm(url, event(type, contact, { list: { id: watched.id } }))).status).toBe(403);
			expect((await postForm(url, event(type, contact, { list: other.id }))).status).toBe(403);
			expect(await postPairs(url, [['type', type], ['contact[id]', '5'], ['contact[email]', 'list17@example.com'], ['list', watched.id], ['list', watched.id]])).toBe(403);
		}
		// A non-list event may name no list, but never another one or a list of lists.
		expect((await postForm(url, event('update', contact, { list: [watched.id] }))).status).toBe(403);
		expect((await postForm(url, event('update', contact, { list: other.id }))).status).toBe(403);
		expect(trigger.runs).toHaveLength(0);
		expect((await postForm(url, event('subscribe', contact, { list: watched.id }))).status).toBe(200);
		expect((await postForm(url, event('update', contact))).status).toBe(200);
		expect(trigger.items().map((run) => run[0].type)).toEqual(['subscribe', 'update']);
		await trigger.deactivate();
	});

	test('ActiveCampaign, Confirm With the API: the status checked is the one on the trigger\'s list, or the event\'s list when watching all lists, never none', async () => {
		const watched = emulator.ac.addList('Confirmed 17');
		const other = emulator.ac.addList('Elsewhere 17');
		const left = emulator.ac.addContact({ email: 'left17@example.com' });
		emulator.ac.subscribe(left.id, watched.id, '2'); // unsubscribed from the watched list
		emulator.ac.subscribe(left.id, other.id, '1'); // still subscribed elsewhere
		const contact = { id: left.id, email: left.email };

		const limited = track(await webhookTrigger('activeCampaignSyncWebhookTrigger', params({ listId: watched.id, confirmWithApi: true }), acCreds()));
		await limited.activate();
		const limitedUrl = acHooks().find((h) => h.listid === watched.id)!.url;
		// A forged subscribe for someone who unsubscribed from the watched list starts nothing, however it names the list.
		expect((await postForm(limitedUrl, event('subscribe', contact, { list: watched.id }))).status).toBe(200);
		for (const list of [undefined, '0', [watched.id], other.id]) expect((await postForm(limitedUrl, event('subscribe', contact, list === undefined ? {} : { list }))).status).toBe(403);
		expect(limited.runs).toHaveLength(0);
		// The unsubscribe is confirmed by that same status.
		expect((await postForm(limitedUrl, event('unsubscribe', contact, { list: watched.id }))).status).toBe(200);
		expect(limited.items()).toEqual([[expect.objectContaining({ type: 'unsubscribe', list: watched.id, contact: expect.objectContaining({ id: left.id }) })]]);
		await limited.deactivate();

		const anyList = track(await webhookTrigger('activeCampaignSyncWebhookTrigger', params({ confirmWithApi: true }), acCreds()));
		await anyList.activate();
		const anyUrl = acHooks().find((h) => h.listid === '0')!.url;
		// Watching all lists: a list event without one list to check is never confirmed.
		for (const list of [undefined, '0', '', [other.id], 'abc']) expect((await postForm(anyUrl, event('subscribe', contact, list === undefined ? {} : { list }))).status).toBe(200);
		expect((await postForm(anyUrl, event('subscribe', contact, { list: watched.id }))).status).toBe(200);
		expect(anyList.runs).toHaveLength(0);
		// The event's own list, where the contact is subscribed: confirmed.
		expect((await postForm(anyUrl, event('subscribe', contact, { list: other.id }))).status).toBe(200);
		expect(anyList.items()).toEqual([[expect.objectContaining({ type: 'subscribe', list: other.id, contact: expect.objectContaining({ id: left.id }) })]]);
		await anyList.deactivate();
	});

	test('ActiveCampaign tag events keep their tag with Confirm With the API on; added needs the tag on the contact, removed needs it gone (a name, never an ID)', async () => {
		const vip = emulator.ac.addTag('vip17');
		const trial = emulator.ac.addTag('trial17');
		const person = emulator.ac.addContact({ email: 'tagged17@example.com', firstName: 'Tagged' });
		const contact = { id: person.id, email: person.email };
		const trigger = track(await webhookTrigger('activeCampaignSyncWebhookTrigger', params({ events: ['contact_tag_added', 'contact_tag_removed'], confirmWithApi: true }), acCreds()));
		await trigger.activate();
		const url = acHooks().find((h) => h.events.includes('contact_tag_added') && h.listid === '0' && !h.events.includes('update'))!.url;
		// Not (yet) tagged: an added event is not confirmed; neither is one naming no tag, or the tag's ID.
		expect((await postForm(url, event('contact_tag_added', contact, { tag: 'vip17' }))).status).toBe(200);
		emulator.ac.tagContact(person.id, trial.id);
		expect((await postForm(url, event('contact_tag_added', contact))).status).toBe(200);
		expect((await postForm(url, event('contact_tag_added', contact, { tag: trial.id }))).status).toBe(200);
		expect(trigger.runs).toHaveLength(0);

		emulator.ac.tagContact(person.id, vip.id);
		expect((await postForm(url, event('contact_tag_added', contact, { tag: 'vip17' }))).status).toBe(200);
		// Still tagged: a removed event is not confirmed.
		expect((await postForm(url, event('contact_tag_removed', contact, { tag: 'vip17' }))).status).toBe(200);
		for (const [k, ct] of emulator.ac.contactTags) if (ct.contact === person.id && ct.tag === vip.id) emulator.ac.contactTags.delete(k);
		expect((await postForm(url, event('contact_tag_removed', contact, { tag: 'vip17' }))).status).toBe(200);
		expect((await postForm(url, event('contact_tag_added', contact, { tag: 'vip17' }))).status).toBe(200);
		expect(trigger.items()).toEqual([
			[expect.objectContaining({ type: 'contact_tag_added', tag: 'vip17', contact: expect.objectContaining({ id: person.id, firstName: 'Tagged' }) })],
			[expect.objectContaining({ type: 'contact_tag_removed', tag: 'vip17', contact: expect.objectContaining({ id: person.id }) })],
		]);
		await trigger.deactivate();
	});

	test('Mailchimp, Confirm With the API: an archived member does not confirm an unsubscribe (archiving is not consent)', async () => {
		const AUD = 'audHook017';
		emulator.mc.addList(AUD, 'Archive audience');
		emulator.mc.addMember(AUD, 'archived17@example.com', 'archived');
		emulator.mc.addMember(AUD, 'gone17@example.com', 'unsubscribed');
		const trigger = track(await webhookTrigger('mailchimpSyncWebhookTrigger', { audience: AUD, events: ['unsubscribe'], sources: ['user', 'admin', 'api'], confirmWithApi: true }, mcCreds()));
		await trigger.activate();
		const url = [...emulator.mc.lists.get(AUD)!.webhooks.values()][0].url;
		const unsubscribe = (email: string) => ({ type: 'unsubscribe', fired_at: '2026-03-01 10:00:00', data: { id: 'x', email, list_id: AUD, action: 'unsub', reason: 'manual' } });
		expect((await postForm(url, unsubscribe('archived17@example.com'))).status).toBe(200);
		expect(trigger.runs).toHaveLength(0);
		expect((await postForm(url, unsubscribe('gone17@example.com'))).status).toBe(200);
		expect(trigger.items()).toEqual([[expect.objectContaining({ type: 'unsubscribe', member: expect.objectContaining({ email_address: 'gone17@example.com', status: 'unsubscribed' }) })]]);
		await trigger.deactivate();
	});
});
