/* eslint-disable @n8n/community-nodes/no-restricted-globals -- a developer tool, never shipped: Node globals are fine here */
/**
 * The emulator in a process of its own, for the Audience Sync benchmark and soak: the audiences
 * (up to 1,000,000 members) live here, so the process that runs n8n and the node is measured on
 * its own, as it would run against the real APIs. Driven by tools/bench/remoteEmulator.ts over IPC.
 */
import { type AudienceSeedOptions, seedAudiences } from '../../test/emulator/audiences';
import { type Emulator, type EmulatorOptions, startEmulator } from '../../test/emulator/server';

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
}

let emulator: Emulator | undefined;

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
	};
}

/** Requests per bucket of time since the last reset (ActiveCampaign answered, refused with 429; Mailchimp), and the longest ActiveCampaign gap. */
export interface Timeline {
	bucketMs: number;
	ac: number[];
	ac429: number[];
	mc: number[];
	longestAcGapMs: number;
}

function timeline(e: Emulator, bucketMs: number): Timeline {
	const first = e.log.length ? e.log[0].at : 0;
	const out: Timeline = { bucketMs, ac: [], ac429: [], mc: [], longestAcGapMs: 0 };
	let lastAc: number | undefined;
	for (const entry of e.log) {
		const b = Math.floor((entry.at - first) / bucketMs);
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

async function handle(request: HostRequest): Promise<unknown> {
	switch (request.type) {
		case 'start': {
			emulator = await startEmulator(request.options);
			const started = Date.now();
			const seeded = request.seed ? seedAudiences(emulator, request.seed) : undefined;
			// The request log keeps no bodies of reads; the seed itself leaves nothing behind but the data.
			return { url: emulator.url, mcBaseUrl: emulator.mcBaseUrl, seeded, seedSeconds: (Date.now() - started) / 1000, ...stats(emulator) };
		}
		case 'stats':
			return stats(emulator!);
		case 'reset':
			emulator!.resetCounts();
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
