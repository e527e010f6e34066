/* eslint-disable @n8n/community-nodes/no-dangerous-functions, @n8n/community-nodes/no-restricted-globals, @n8n/community-nodes/no-restricted-imports -- a developer tool, never shipped: child processes, Node globals, Node modules are fine here */
/**
 * The webhook trigger examples in `npm start`: activated with n8n's CLI before n8n starts (so n8n
 * registers their webhooks with the sandbox on start-up), and, for `--check`, one event fired at
 * each through the sandbox, checked by its effect on the sandbox's data.
 */
import { spawn } from 'node:child_process';

import { SANDBOX_AUDIENCE_ID } from '../test/emulator/seed';
import { subscriberHash } from '../test/emulator/mailchimp';
import type { Emulator } from '../test/emulator/server';

export const WEBHOOK_EXAMPLES = ['activecampaign-webhook.json', 'mailchimp-webhook.json'];

/** An n8n CLI command, not blocking: the in-process sandbox keeps answering meanwhile. */
function n8nCli(n8nBin: string, args: string[], cwd: string, env: NodeJS.ProcessEnv): Promise<void> {
	return new Promise<void>((resolve, reject) => {
		const child = spawn(n8nBin, args, { cwd, env, stdio: ['ignore', 'ignore', 'pipe'] });
		let err = '';
		child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
		child.on('error', reject);
		child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`n8n ${args.join(' ')} failed (exit ${code}):\n${err.slice(-1500)}`))));
	});
}

/**
 * Marks every workflow of this sandbox n8n inactive before the examples are imported again: n8n
 * 2.x refuses to import over an active workflow ("You do not have permission to deactivate this
 * workflow"), and the webhook examples are active after a first start. (Deactivating them one by
 * one left n8n 2.41.1 registering no webhook on start; `--all` works on 1.x and 2.x.)
 */
export async function deactivateAllWorkflows(n8nBin: string, cwd: string, env: NodeJS.ProcessEnv): Promise<void> {
	await n8nCli(n8nBin, ['update:workflow', '--all', '--active=false'], cwd, env);
}

/** Marks the imported webhook examples active; n8n registers their webhooks when it starts. */
export async function activateWebhookExamples(n8nBin: string, cwd: string, env: NodeJS.ProcessEnv, ids: string[]): Promise<void> {
	for (const id of ids) await n8nCli(n8nBin, ['update:workflow', `--id=${id}`, '--active=true'], cwd, env);
}

async function until(what: string, ok: () => boolean, ms = 60_000): Promise<void> {
	const deadline = Date.now() + ms;
	while (!ok()) {
		if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
		await new Promise((r) => setTimeout(r, 250));
	}
}

/**
 * A sandbox contact unsubscribed from the first list (Newsletter) and not a Mailchimp member: the
 * "one unsubscribed contact" the consent checks use. Created (as the newest contact) when the
 * seeded data has none left.
 */
export function consentContact(emulator: Emulator, email?: string): { contact: { id: string; email: string }; list: string; listName: string } {
	const newsletter = [...emulator.ac.lists.values()][0];
	const members = emulator.mc.lists.get(SANDBOX_AUDIENCE_ID)!.members;
	const unsubscribed = (id: string) => emulator.ac.contactLists.get(`${id}:${newsletter.id}`)?.status === '2';
	const found = email ? undefined : [...emulator.ac.contacts.values()].find((c) => unsubscribed(c.id) && !members.has(subscriberHash(c.email)));
	const contact = found ?? emulator.ac.addContact({ email: email ?? `unsubscribed.${emulator.ac.contacts.size}@example.com`, firstName: 'Withdrawn', lastName: 'Consent' });
	emulator.ac.subscribe(contact.id, newsletter.id, '2');
	return { contact, list: newsletter.id, listName: newsletter.name };
}

/**
 * Fires an ActiveCampaign `subscribe` and a Mailchimp `unsubscribe` through the sandbox, as
 * the providers deliver them, and waits for the example workflows' effects.
 */
export async function checkWebhookExamples(emulator: Emulator): Promise<string> {
	const audience = emulator.mc.lists.get(SANDBOX_AUDIENCE_ID)!;
	await until('n8n to register the webhooks with the sandbox', () => emulator.ac.webhooks.size === 1 && audience.webhooks.size === 1);

	const acContact = [...emulator.ac.contacts.values()][1];
	const fromAc = await emulator.fireAc('subscribe', { email: acContact.email });
	const acDelivered = (fromAc.body as { deliveries: Array<{ status: number }> }).deliveries;
	if (acDelivered.length !== 1 || acDelivered[0].status !== 200) throw new Error(`ActiveCampaign delivery answered ${JSON.stringify(acDelivered)}`);
	await until(`the ActiveCampaign webhook workflow to add ${acContact.email} to the Mailchimp audience`, () => audience.members.has(subscriberHash(acContact.email)), 30_000);
	if (audience.members.get(subscriberHash(acContact.email))?.status !== 'subscribed') throw new Error(`${acContact.email} subscribed in ActiveCampaign but is not a subscribed member`);

	// Consent: a contact who unsubscribed from the list. A forged subscribe (with the secret) is not
	// confirmed and adds nobody; the real unsubscribe makes an unsubscribed member, never a subscribed one.
	const consent = consentContact(emulator);
	const forgedSubscribe = await emulator.deliverAc({ type: 'subscribe', date_time: new Date().toISOString(), initiated_by: 'admin', initiated_from: 'admin', list: consent.list, contact: { id: consent.contact.id, email: consent.contact.email } });
	if (forgedSubscribe.length !== 1 || forgedSubscribe[0].status !== 200) throw new Error(`The forged ActiveCampaign subscribe answered ${JSON.stringify(forgedSubscribe)}`);
	const fromAcUnsubscribe = await emulator.fireAc('unsubscribe', { email: consent.contact.email });
	const unsubscribeDelivered = (fromAcUnsubscribe.body as { deliveries: Array<{ status: number }> }).deliveries;
	if (unsubscribeDelivered.length !== 1 || unsubscribeDelivered[0].status !== 200) throw new Error(`ActiveCampaign unsubscribe delivery answered ${JSON.stringify(unsubscribeDelivered)}`);
	const consentHash = subscriberHash(consent.contact.email);
	await until(`the ActiveCampaign webhook workflow to add ${consent.contact.email} as an unsubscribed member`, () => audience.members.has(consentHash), 30_000);
	const consentStatus = audience.members.get(consentHash)?.status;
	if (consentStatus !== 'unsubscribed') throw new Error(`${consent.contact.email} unsubscribed in ActiveCampaign (after a forged subscribe) but is a Mailchimp member with status ${consentStatus}`);

	const mcEmail = [...emulator.ac.contacts.values()][0].email;
	const newsletter = [...emulator.ac.lists.values()][0];
	const mcContact = emulator.ac.findByEmail(mcEmail)!;
	emulator.ac.subscribe(mcContact.id, newsletter.id, '1');
	const fromMc = await emulator.fireMc('unsubscribe', { list: SANDBOX_AUDIENCE_ID, email: mcEmail });
	const mcDelivered = (fromMc.body as { deliveries: Array<{ status: number }> }).deliveries;
	if (mcDelivered.length !== 1 || mcDelivered[0].status !== 200) throw new Error(`Mailchimp delivery answered ${JSON.stringify(mcDelivered)}`);
	await until(`the Mailchimp webhook workflow to unsubscribe ${mcEmail} in ActiveCampaign`, () => emulator.ac.contactLists.get(`${mcContact.id}:${newsletter.id}`)?.status === '2', 30_000);

	// A forged delivery (no secret) is refused by the running n8n.
	const url = [...audience.webhooks.values()][0].url.split('?')[0];
	const forged = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: `type=unsubscribe&data%5Blist_id%5D=${SANDBOX_AUDIENCE_ID}&data%5Bemail%5D=x%40example.com` });
	if (forged.status !== 401) throw new Error(`A delivery without the secret got HTTP ${forged.status}, not 401`);

	return `webhooks: ActiveCampaign subscribe of ${acContact.email} → subscribed Mailchimp member; a forged subscribe of ${consent.contact.email}, unsubscribed from ${consent.listName} → nothing, and its unsubscribe → unsubscribed member; Mailchimp unsubscribe of ${mcEmail} → unsubscribed from ${newsletter.name}; a delivery without the secret → 401.`;
}
