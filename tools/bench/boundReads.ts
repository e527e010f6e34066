/* eslint-disable @n8n/community-nodes/no-restricted-globals -- a developer tool, never shipped: Node globals are fine here */
/**
 * The yardstick of the Audience Sync benchmark: one side read alone, as fast as its provider
 * allows and no faster, by the simplest client there is (fetch, no n8n). ActiveCampaign: pages of
 * 100 at 5 requests per rolling second; Mailchimp: pages of 1,000 with the same `fields=` projection
 * as the node, 10 in flight. Each page is parsed (reading includes parsing) and then dropped.
 */
import { AC_TEST_KEY, MC_TEST_KEY } from '../../test/emulator/server';

export interface BoundRead {
	seconds: number;
	requests: number;
	records: number;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Every contact of the list (all statuses), at ActiveCampaign's 5 requests/s. */
export async function readActiveCampaignAtBound(url: string, listId: string, requestsPerSecond = 5): Promise<BoundRead> {
	const started = process.hrtime.bigint();
	const sent: number[] = [];
	let requests = 0;
	let records = 0;
	// A sliding window of one second (plus a little slack for the network), as the emulator counts.
	const slot = async () => {
		for (;;) {
			const now = Date.now();
			while (sent.length && sent[0] <= now - 1020) sent.shift();
			if (sent.length < requestsPerSecond) {
				sent.push(now);
				return;
			}
			await sleep(sent[0] + 1021 - now);
		}
	};
	const page = async (offset: number): Promise<number> => {
		for (;;) {
			await slot();
			requests++;
			const res = await fetch(`${url}/api/3/contacts?listid=${listId}&orders[id]=ASC&limit=100&offset=${offset}`, { headers: { 'api-token': AC_TEST_KEY } });
			const body = (await res.json()) as { contacts?: unknown[]; meta?: { total?: string } };
			if (res.status === 429) continue;
			if (!res.ok) throw new Error(`ActiveCampaign answered ${res.status} for offset ${offset}`);
			records += body.contacts?.length ?? 0;
			return Number(body.meta?.total ?? 0);
		}
	};
	const total = await page(0);
	const offsets: number[] = [];
	for (let offset = 100; offset < total; offset += 100) offsets.push(offset);
	await Promise.all(offsets.map((offset) => page(offset)));
	return { seconds: Number(process.hrtime.bigint() - started) / 1e9, requests, records };
}

/** Every member of the audience (archived aside, as Mailchimp lists them), 10 requests in flight. */
export async function readMailchimpAtBound(mcBaseUrl: string, audienceId: string, projection: string, inFlight = 10): Promise<BoundRead> {
	const started = process.hrtime.bigint();
	const auth = `Basic ${Buffer.from(`bench:${MC_TEST_KEY}`).toString('base64')}`;
	let requests = 0;
	let records = 0;
	const page = async (offset: number): Promise<number> => {
		for (;;) {
			requests++;
			const res = await fetch(`${mcBaseUrl}/lists/${audienceId}/members?count=1000&offset=${offset}&fields=${projection}`, { headers: { authorization: auth } });
			const body = (await res.json()) as { members?: unknown[]; total_items?: number };
			if (res.status === 429) continue;
			if (!res.ok) throw new Error(`Mailchimp answered ${res.status} for offset ${offset}`);
			records += body.members?.length ?? 0;
			return Number(body.total_items ?? 0);
		}
	};
	const total = await page(0);
	let next = 1000;
	await Promise.all(
		Array.from({ length: inFlight }, async () => {
			while (next < total) {
				const offset = next;
				next += 1000;
				await page(offset);
			}
		}),
	);
	return { seconds: Number(process.hrtime.bigint() - started) / 1e9, requests, records };
}
