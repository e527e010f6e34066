/* eslint-disable @n8n/community-nodes/no-restricted-globals, no-console -- a developer tool, never shipped: Node globals, console output are fine here */
/**
 * The Audience Sync benchmark (`npm run bench`) and soak (`npm run test:soak`): two audiences that
 * differ by 1 %, seeded in emulator processes of their own (tools/bench/emulatorHost.ts; one per provider, as two providers are two servers: SplitEmulator), so this
 * process holds what a real n8n holds: the engine, the node and its compact records.
 *
 * In one run, against the same emulator: each side read alone at its provider's bound by the
 * simplest client (tools/bench/boundReads.ts), then the node through n8n's engine in Plan, in
 * Apply, and (optionally) in Plan again, which must find 0 differences. Targets:
 * - Plan within 1.2x the time of reading the larger side alone at its bound (equal sizes: the
 *   slower side, which bounds any read of both).
 * - Peak RSS of this whole process under 500 MB (sampled every 50 ms, after a full collection
 *   before each run with --expose-gc; the emulator's own process is reported beside it).
 * - Apply's writes within 1.3x of the requests the bulk paths need for the same writes:
 *   ActiveCampaign one bulk import per 250 contacts plus one status poll each, Mailchimp one batch
 *   subscribe per 500 members for each kind of write (new members, changed members).
 */
import type { INodeParameters } from 'n8n-workflow';

import type { Emulator } from '../../test/emulator/server';
import { loadPackage } from '../../test/harness/n8n';
import { runSync, type SyncRun } from '../../test/audienceSync/run';
import { MEMBER_PROJECTION } from '../../nodes/MailchimpSync/reader';
import { type BoundRead, readActiveCampaignAtBound, readMailchimpAtBound } from './boundReads';
import type { HostStats } from './emulatorHost';
import { describeTimeline } from './paceTrace';
import { RemoteEmulator, SplitEmulator } from './remoteEmulator';

export interface SyncBenchOptions {
	contacts: number;
	members: number;
	differences?: number;
	latencyMs?: number;
	/** ActiveCampaign requests per second, for the emulator, the node and the yardstick alike (default 5). */
	acRatePerSecond?: number;
	/** Run Plan once more after Apply and require 0 differences. */
	verify?: boolean;
	/**
	 * Both providers from one emulator process (one event loop), as before: Mailchimp's large pages
	 * then delay the counting of ActiveCampaign's requests (see SplitEmulator). Default: one each
	 * (BENCH_ONE_EMULATOR=1: one for both).
	 */
	oneEmulator?: boolean;
	/** Print ActiveCampaign requests per second over time for the yardstick and Plan (tools/bench/paceTrace.ts; default yes). */
	timelines?: boolean;
	print?: (line: string) => void;
}

export interface SyncBenchTarget {
	ok: boolean;
	text: string;
}

export interface SyncRunFigures {
	seconds: number;
	peakRssMb: number;
	heapUsedMb: number;
	requests: HostStats['requests'];
	byRoute: Record<string, number>;
	rejected429: number;
	differences: number;
	summary: Record<string, unknown>;
}

export interface SyncBenchResult {
	readActiveCampaign: BoundRead;
	readMailchimp: BoundRead;
	plan: SyncRunFigures;
	apply: SyncRunFigures;
	verify?: SyncRunFigures;
	/** Requests Apply needed beyond Plan's reads, and what the bulk paths need for the same writes. */
	applyWrites: number;
	bulkReference: number;
	processPeakRssMb: number;
	emulatorPeakRssMb: number;
	seedSeconds: number;
	targets: SyncBenchTarget[];
}

const mb = (bytes: number) => Math.round(bytes / 1024 / 1024);
const gc = () => (globalThis as { gc?: () => void }).gc?.();

/** Routes that only read (the rest write, or poll a write: import/info). */
const READS = /^GET \/(api\/3\/(contacts|fieldValues|lists|tags|fields)(\/:id)?|3\.0\/lists(\/:listId(\/members|\/merge-fields)?)?)$/;

/**
 * Before each measured read or run: the emulators' caches built and their counts reset (see warm
 * in emulatorHost.ts), then an idle ActiveCampaign account, as the yardstick's read has it: without
 * the wait Plan began within the emulator's second of the yardstick's last 50 requests, drew 429s
 * at once and spent a minute climbing back from the share they left it (1,000,000 soak: 1.31x).
 */
async function idle(remote: RemoteEmulator | SplitEmulator): Promise<void> {
	await remote.reset();
	await new Promise((resolve) => setTimeout(resolve, 1100));
}

async function measure(remote: RemoteEmulator | SplitEmulator, run: () => Promise<SyncRun>): Promise<SyncRunFigures & { run: SyncRun }> {
	await idle(remote);
	gc();
	let peak = process.memoryUsage().rss;
	let heap = process.memoryUsage().heapUsed;
	const sampler = setInterval(() => {
		const now = process.memoryUsage();
		peak = Math.max(peak, now.rss);
		heap = Math.max(heap, now.heapUsed);
	}, 50);
	const started = process.hrtime.bigint();
	const result = await run();
	const seconds = Number(process.hrtime.bigint() - started) / 1e9;
	clearInterval(sampler);
	peak = Math.max(peak, process.memoryUsage().rss);
	const stats = await remote.stats();
	if (result.error) throw new Error(`Audience Sync failed: ${result.error.message}`);
	return {
		run: result,
		seconds,
		peakRssMb: mb(peak),
		heapUsedMb: mb(heap),
		requests: stats.requests,
		byRoute: stats.byRoute,
		rejected429: stats.rejected429.ac + stats.rejected429.mc,
		differences: result.differences.length,
		summary: result.summary,
	};
}

/** What the bulk paths need for the writes Apply reports (see the file comment). */
function bulkReference(summary: Record<string, unknown>): number {
	const writes = (summary.writes ?? {}) as Record<string, Record<string, number>>;
	const ac = Object.values(writes.activeCampaign ?? {}).reduce((a, b) => a + b, 0);
	const mc = writes.mailchimp ?? {};
	const mcNew = mc.create ?? 0;
	const mcChanged = (mc.update ?? 0) + (mc.unsubscribe ?? 0);
	return Math.ceil(ac / 250) * 2 + Math.ceil(mcNew / 500) + Math.ceil(mcChanged / 500);
}

const writeRequests = (byRoute: Record<string, number>) =>
	Object.entries(byRoute)
		.filter(([route]) => !READS.test(route))
		.reduce((sum, [, n]) => sum + n, 0);

export async function benchAudienceSync(options: SyncBenchOptions): Promise<SyncBenchResult> {
	const { contacts, members, differences = 0.01, latencyMs = 80, acRatePerSecond = 5, verify = false, print = console.log } = options;
	const oneEmulator = options.oneEmulator ?? process.env.BENCH_ONE_EMULATOR === '1';
	const timelines = options.timelines ?? true;
	// n8n loads the package once, before the first run (as n8n does at start-up): not part of any run's time.
	await loadPackage();
	const remote = oneEmulator
		? await RemoteEmulator.start({ latencyMs, acRatePerSecond }, { contacts, members, differences })
		: await SplitEmulator.start({ latencyMs, acRatePerSecond }, { contacts, members, differences });
	try {
		const seeded = remote.seeded!;
		print(
			`Audience Sync: ${contacts.toLocaleString('en')} ActiveCampaign contacts × ${members.toLocaleString('en')} Mailchimp members, ${seeded.expected.total.toLocaleString('en')} differences ` +
				`(${JSON.stringify({ ...seeded.expected, total: undefined })}); seeded in ${remote.seedSeconds.toFixed(1)} s in ${oneEmulator ? "the emulator's own process" : "the emulators' own processes (one per provider)"}; ` +
				`latency ${latencyMs} ms, ActiveCampaign ${acRatePerSecond} requests/s, Mailchimp 10 in flight`,
		);
		const base: INodeParameters = {
			list: { __rl: true, mode: 'id', value: seeded.listId },
			audience: { __rl: true, mode: 'id', value: seeded.audienceId },
			direction: 'both',
			// The account's own limit: 0 is ActiveCampaign's documented 5 requests/s.
			limits: { requestsPerSecond: acRatePerSecond === 5 ? 0 : acRatePerSecond },
		};
		const sync = (parameters: INodeParameters) => runSync(remote as unknown as Emulator, { ...base, ...parameters });

		await idle(remote);
		const readMailchimp = await readMailchimpAtBound(remote.mcBaseUrl, seeded.audienceId, MEMBER_PROJECTION);
		print(`  Mailchimp read alone at its bound: ${readMailchimp.records.toLocaleString('en')} members, ${readMailchimp.requests} requests, ${readMailchimp.seconds.toFixed(1)} s`);
		await idle(remote);
		const readActiveCampaign = await readActiveCampaignAtBound(remote.url, seeded.listId, acRatePerSecond);
		print(`  ActiveCampaign read alone at its bound: ${readActiveCampaign.records.toLocaleString('en')} contacts, ${readActiveCampaign.requests} requests, ${readActiveCampaign.seconds.toFixed(1)} s`);
		if (timelines) print(describeTimeline('    the yardstick', readActiveCampaign.seconds, await remote.timeline()));

		const line = (label: string, f: SyncRunFigures) =>
			`  ${label.padEnd(22)} ${f.seconds.toFixed(1).padStart(7)} s  ${String(f.differences).padStart(6)} differences  requests AC ${f.requests.activeCampaign} / MC ${f.requests.mailchimp}  429s ${f.rejected429}  peak RSS ${f.peakRssMb} MB (heap ${f.heapUsedMb} MB)`;
		const plan = await measure(remote, () => sync({ mode: 'plan' }));
		print(line('Plan', plan));
		if (timelines) print(describeTimeline('    Plan', plan.seconds, await remote.timeline()));
		const apply = await measure(remote, () => sync({ mode: 'apply' }));
		print(line('Apply', apply));
		print(`    written ${JSON.stringify(apply.summary.written)}; writes ${JSON.stringify(apply.summary.writes)}`);
		const again = verify ? await measure(remote, () => sync({ mode: 'plan' })) : undefined;
		if (again) print(line('Plan after Apply', again));

		const emulator = await remote.stats();
		const processPeakRssMb = Math.round(process.resourceUsage().maxRSS / 1024);
		const applyWrites = writeRequests(apply.byRoute);
		const reference = bulkReference(apply.summary);
		const larger = contacts === members ? (readActiveCampaign.seconds >= readMailchimp.seconds ? readActiveCampaign : readMailchimp) : contacts > members ? readActiveCampaign : readMailchimp;
		const largerName = larger === readActiveCampaign ? 'ActiveCampaign' : 'Mailchimp';
		const peakRss = Math.max(plan.peakRssMb, apply.peakRssMb, again?.peakRssMb ?? 0);
		const targets: SyncBenchTarget[] = [
			{
				ok: plan.seconds <= 1.2 * larger.seconds,
				text: `Plan within 1.2x of reading the larger side (${largerName}) alone at its bound: ${plan.seconds.toFixed(1)} s against ${larger.seconds.toFixed(1)} s (${(plan.seconds / larger.seconds).toFixed(2)}x)`,
			},
			{ ok: plan.differences === seeded.expected.total, text: `Plan reports every seeded difference (${plan.differences} of ${seeded.expected.total})` },
			{ ok: peakRss < 500, text: `peak RSS of the whole process under 500 MB during Plan and Apply (${peakRss} MB; process lifetime peak ${processPeakRssMb} MB; the emulators' processes together ${emulator.peakRssMb} MB)` },
			{
				ok: applyWrites <= 1.3 * reference,
				text: `Apply's write requests within 1.3x of what the bulk paths need for the same writes (${applyWrites} against ${reference}: ${JSON.stringify(Object.fromEntries(Object.entries(apply.byRoute).filter(([route]) => !READS.test(route))))})`,
			},
			{ ok: !Number((apply.summary.written as Record<string, number> | null)?.failed ?? 0), text: `Apply: no write failed (${JSON.stringify(apply.summary.written)})` },
		];
		if (again) targets.push({ ok: again.differences === 0, text: `Plan after Apply finds 0 differences (${again.differences})` });
		return {
			readActiveCampaign,
			readMailchimp,
			plan,
			apply,
			verify: again,
			applyWrites,
			bulkReference: reference,
			processPeakRssMb,
			emulatorPeakRssMb: emulator.peakRssMb,
			seedSeconds: remote.seedSeconds,
			targets,
		};
	} finally {
		await remote.stop();
	}
}

/** The benchmark's scenario (`npm run bench`): 100,000 × 100,000, 1 % apart, Plan after Apply included. */
export async function audienceSyncTargets(latencyMs: number): Promise<SyncBenchTarget[]> {
	const result = await benchAudienceSync({ contacts: 100_000, members: 100_000, latencyMs, verify: true });
	console.log(`  RSS: this process peaked at ${result.processPeakRssMb} MB over its whole run; the emulators' processes together at ${result.emulatorPeakRssMb} MB`);
	return result.targets;
}
