/* eslint-disable @n8n/community-nodes/no-restricted-globals, @n8n/community-nodes/no-restricted-imports -- a developer tool, never shipped: Node globals and modules are fine here */
/**
 * The emulator in a process of its own, for the Audience Sync benchmark and soak: the audiences
 * (up to 1,000,000 members) live here, so the process that runs n8n and the node is measured on
 * its own, as it would run against the real APIs. Driven by tools/bench/remoteEmulator.ts over IPC.
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';

import { type AudienceSeedOptions, type SeededAudiences, seedAudiences } from '../../test/emulator/audiences';
import { AC_TEST_KEY, type Emulator, type EmulatorOptions, MC_TEST_KEY, startEmulator } from '../../test/emulator/server';
import { MEMBER_PROJECTION } from '../../nodes/MailchimpSync/reader';

export type HostRequest =
	| { id: number; type: 'start'; options: EmulatorOptions; seed?: AudienceSeedOptions }
	| { id: number; type: 'stats' }
	| { id: number; type: 'reset' }
	| { id: number; type: 'timeline'; bucketMs?: number }
	| { id: number; type: 'stop' };

/** What the emulator saw since the last reset. */
export interface HostStats {
	/** Every request received (limits and faults included), per service. */
	requests: { activeCampaign: number; mailchimp: number };
	/** Requests that reached a route, per `METHOD /route/pattern`. */
	byRoute: Record<string, number>;
	rejected429: { ac: number; mc: number };
	maxMcInFlight: number;
	rssMb: number;
	peakRssMb: number;
	/** The emulator's longest event-loop stall since the last reset (ms): requests that arrived meanwhile were counted late, together. */
	maxLoopDelayMs: number;
}

let emulator: Emulator | undefined;
let seeded: SeededAudiences | undefined;
const loopDelay = monitorEventLoopDelay({ resolution: 10 });
loopDelay.enable();
let resetAt = Date.now();

const mb = (bytes: number) => Math.round(bytes / 1024 / 1024);

function stats(e: Emulator): HostStats {
	const requests = { activeCampaign: 0, mailchimp: 0 };
	for (const entry of e.log) {
		if (entry.path.startsWith('/api/3')) requests.activeCampaign++;
		else if (entry.path.startsWith('/3.0')) requests.mailchimp++;
	}
	return {
		requests,
		byRoute: Object.fromEntries(e.counts),
		rejected429: { ...e.rejected429 },
		maxMcInFlight: e.maxMcInFlight,
		rssMb: mb(process.memoryUsage().rss),
		peakRssMb: Math.round(process.resourceUsage().maxRSS / 1024),
		maxLoopDelayMs: Math.round(loopDelay.max / 1e6),
	};
}

/** Requests per bucket of time since the last reset (the first bucket starts at the reset) (ActiveCampaign answered, refused with 429; Mailchimp), and the longest ActiveCampaign gap. */
export interface Timeline {
	bucketMs: number;
	ac: number[];
	ac429: number[];
	mc: number[];
	longestAcGapMs: number;
	/** The emulator's longest event-loop stall (ms) since the last reset. */
	maxLoopDelayMs: number;
}

function timeline(e: Emulator, bucketMs: number): Timeline {
	const first = resetAt;
	const out: Timeline = { bucketMs, ac: [], ac429: [], mc: [], longestAcGapMs: 0, maxLoopDelayMs: Math.round(loopDelay.max / 1e6) };
	let lastAc: number | undefined;
	for (const entry of e.log) {
		const b = Math.max(0, Math.floor((entry.at - first) / bucketMs));
		for (const series of [out.ac, out.ac429, out.mc]) while (series.length <= b) series.push(0);
		if (entry.path.startsWith('/api/3')) {
			if (entry.status === 429) out.ac429[b]++;
			else out.ac[b]++;
			if (lastAc !== undefined) out.longestAcGapMs = Math.max(out.longestAcGapMs, entry.at - lastAc);
			lastAc = entry.at;
		} else if (entry.path.startsWith('/3.0')) out.mc[b]++;
	}
	return out;
}

/**
 * Builds the emulator's caches of whole-list reads (each status of the list, as the node reads it,
 * and all of it, as the yardstick does; the audience's members in order) before a measured run.
 * Built by a run's first pages instead, at 1,000,000 contacts each build stalled the emulator's
 * event loop for about a second, and the requests sent meanwhile were counted together and
 * refused (429s of the emulator, not of the API: the server's own work does not bunch its count).
 * A run that writes changes the state, and the next reset builds them again.
 */
async function warm(e: Emulator, s: SeededAudiences): Promise<void> {
	for (const status of ['-1', '0', '1', '2', '3']) {
		const query = status === '-1' ? '' : `&status=${status}`;
		await fetch(`${e.url}/api/3/contacts?listid=${s.listId}${query}&orders[id]=ASC&limit=1`, { headers: { 'api-token': AC_TEST_KEY } });
	}
	const auth = `Basic ${Buffer.from(`bench:${MC_TEST_KEY}`).toString('base64')}`;
	await fetch(`${e.mcBaseUrl}/lists/${s.audienceId}/members?count=1&fields=${MEMBER_PROJECTION}`, { headers: { authorization: auth } });
}

async function handle(request: HostRequest): Promise<unknown> {
	switch (request.type) {
		case 'start': {
			emulator = await startEmulator(request.options);
			const started = Date.now();
			seeded = request.seed ? seedAudiences(emulator, request.seed) : undefined;
			// The request log keeps no bodies of reads; the seed itself leaves nothing behind but the data.
			return { url: emulator.url, mcBaseUrl: emulator.mcBaseUrl, seeded, seedSeconds: (Date.now() - started) / 1000, ...stats(emulator) };
		}
		case 'stats':
			return stats(emulator!);
		case 'reset':
			if (seeded) await warm(emulator!, seeded);
			emulator!.resetCounts();
			loopDelay.reset();
			resetAt = Date.now();
			return stats(emulator!);
		case 'timeline':
			return timeline(emulator!, request.bucketMs ?? 1000);
		case 'stop':
			await emulator?.stop();
			setImmediate(() => process.exit(0));
			return {};
	}
}

process.on('message', (request: HostRequest) => {
	handle(request).then(
		(result) => process.send!({ id: request.id, result }),
		(error: Error) => process.send!({ id: request.id, error: error.message }),
	);
});
process.on('disconnect', () => process.exit(0));
