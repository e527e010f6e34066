/* eslint-disable @typescript-eslint/no-explicit-any -- test code, never shipped: untyped JSON from requests are fine here */
import { activeCampaignClient, type ActiveCampaignLimits } from '../../nodes/ActiveCampaignSync/transport';
import { mailchimpClient, type MailchimpLimits } from '../../nodes/MailchimpSync/transport';
import { AC_TEST_KEY, type Emulator, MC_TEST_KEY } from '../emulator/server';
import { executeContext } from '../harness/n8n';

/** An ActiveCampaign client inside a real n8n-core execution context, pointed at the emulator. */
export async function acClient(emulator: Emulator, limits: ActiveCampaignLimits = {}, apiKey = AC_TEST_KEY) {
	const ctx = await executeContext({ activeCampaignSyncApi: { apiUrl: emulator.url, apiKey } });
	return activeCampaignClient(ctx, limits);
}

export async function mcClient(emulator: Emulator, limits: MailchimpLimits = {}, apiKey = MC_TEST_KEY) {
	const ctx = await executeContext({ mailchimpSyncApi: { apiKey, useCustomBaseUrl: true, baseUrl: emulator.mcBaseUrl } });
	return mailchimpClient(ctx, limits);
}

export async function collect<T>(pages: AsyncGenerator<T[]>): Promise<{ items: T[]; pages: number }> {
	const items: T[] = [];
	let count = 0;
	for await (const page of pages) {
		items.push(...page);
		count++;
	}
	return { items, pages: count };
}

/** Runs `fn` and returns what it threw. */
export async function thrown(fn: () => Promise<unknown>): Promise<Error & Record<string, any>> {
	try {
		await fn();
	} catch (error) {
		return error as Error & Record<string, any>;
	}
	throw new Error('expected a failure, but the call succeeded');
}
