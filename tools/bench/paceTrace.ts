/* eslint-disable @n8n/community-nodes/no-restricted-globals, @n8n/community-nodes/no-restricted-imports, no-console -- a developer tool, never shipped: Node globals and modules, console output are fine here */
/**
 * `node --expose-gc .build/tools/bench/paceTrace.js [contacts] [members] [acRate] [latencyMs]`
 * (TRACE_SKIP=alone,both,plan leaves phases out; TRACE_SPLIT=1 serves each provider from an emulator process of its own):
 * where the Audience Sync Plan's time goes against the ActiveCampaign yardstick. Reads the list
 * alone at its bound (tools/bench/boundReads.ts), then both yardsticks at once (what a Plan must
 * do), then runs Plan through n8n's engine, and prints for each the ActiveCampaign requests per
 * second over time (as the emulator saw them), the 429s and the longest gap between two
 * ActiveCampaign requests.
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';

import type { INodeParameters } from 'n8n-workflow';

import type { Emulator } from '../../test/emulator/server';
import { loadPackage, shutdownEngine } from '../../test/harness/n8n';
import { runSync } from '../../test/audienceSync/run';
import { MEMBER_PROJECTION } from '../../nodes/MailchimpSync/reader';
import { readActiveCampaignAtBound, readMailchimpAtBound } from './boundReads';
import type { Timeline } from './emulatorHost';
import { RemoteEmulator, SplitEmulator } from './remoteEmulator';

const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);

/** What a timeline shows: ActiveCampaign requests per second over time, 429s, gaps; Mailchimp requests per 10 s. */
export function describeTimeline(label: string, seconds: number, t: Timeline): string {
	const ac = sum(t.ac);
	const rows = [`${label}: ${seconds.toFixed(1)} s, AC ${ac} answered + ${sum(t.ac429)} 429s (${(ac / seconds).toFixed(1)}/s overall), MC ${sum(t.mc)}, longest AC gap ${t.longestAcGapMs} ms, the emulator's longest stall ${t.maxLoopDelayMs} ms`];
	// The first seconds one by one (the start), then 10-second means.
	rows.push(`  AC per second, first 20 s: ${t.ac.slice(0, 20).join(' ')}`);
	const tens: string[] = [];
	for (let i = 0; i < t.ac.length; i += 10) tens.push((sum(t.ac.slice(i, i + 10)) / Math.min(10, t.ac.length - i)).toFixed(1) + (sum(t.ac429.slice(i, i + 10)) ? `(${sum(t.ac429.slice(i, i + 10))}x429)` : ''));
	rows.push(`  AC per second, 10 s means: ${tens.join(' ')}`);
	const mcTens: string[] = [];
	for (let i = 0; i < t.mc.length; i += 10) mcTens.push(String(sum(t.mc.slice(i, i + 10))));
	rows.push(`  MC requests per 10 s: ${mcTens.join(' ')}`);
	return rows.join('\n');
}

async function main(): Promise<void> {
	const [contacts = 200_000, members = 200_000, acRate = 50, latencyMs = 80] = process.argv.slice(2).map(Number);
	const skip = new Set((process.env.TRACE_SKIP ?? '').split(','));
	await loadPackage();
	// TRACE_SPLIT=1: each provider from an emulator process of its own (SplitEmulator).
	const remote =
		process.env.TRACE_SPLIT === '1'
			? await SplitEmulator.start({ latencyMs, acRatePerSecond: acRate }, { contacts, members, differences: 0.01 })
			: await RemoteEmulator.start({ latencyMs, acRatePerSecond: acRate }, { contacts, members, differences: 0.01 });
	try {
		const seeded = remote.seeded!;
		console.log(`${contacts} contacts x ${members} members, AC ${acRate}/s, latency ${latencyMs} ms; seeded in ${remote.seedSeconds.toFixed(1)} s`);
		if (!skip.has('alone')) {
			await remote.reset();
			await new Promise((resolve) => setTimeout(resolve, 1100));
			const alone = await readActiveCampaignAtBound(remote.url, seeded.listId, acRate);
			console.log(describeTimeline('AC yardstick alone', alone.seconds, await remote.timeline()));
		}
		if (!skip.has('both')) {
			await remote.reset();
			await new Promise((resolve) => setTimeout(resolve, 1100));
			const started = Date.now();
			const [ac] = await Promise.all([readActiveCampaignAtBound(remote.url, seeded.listId, acRate), readMailchimpAtBound(remote.mcBaseUrl, seeded.audienceId, MEMBER_PROJECTION)]);
			console.log(describeTimeline('AC + MC yardsticks at once', (Date.now() - started) / 1000, await remote.timeline()) + ` (AC alone part ${ac.seconds.toFixed(1)} s)`);
		}
		if (!skip.has('plan')) {
			await remote.reset();
			// An idle account to start on, as the yardsticks had (TRACE_GAP_MS=0: right after them).
			await new Promise((resolve) => setTimeout(resolve, Number(process.env.TRACE_GAP_MS ?? 1100)));
			const parameters: INodeParameters = {
				list: { __rl: true, mode: 'id', value: seeded.listId },
				audience: { __rl: true, mode: 'id', value: seeded.audienceId },
				direction: 'both',
				limits: { requestsPerSecond: acRate === 5 ? 0 : acRate },
				mode: 'plan',
			};
			const started = Date.now();
			const loop = monitorEventLoopDelay({ resolution: 10 });
			loop.enable();
			const run = await runSync(remote as unknown as Emulator, parameters);
			loop.disable();
			if (run.error) throw run.error;
			console.log(
				describeTimeline('Plan', (Date.now() - started) / 1000, await remote.timeline()) +
					` (${run.differences.length} differences; this process's longest stall ${Math.round(loop.max / 1e6)} ms, p99 ${Math.round(loop.percentile(99) / 1e6)} ms)`,
			);
		}
	} finally {
		await remote.stop();
		await shutdownEngine();
	}
}

if (require.main === module) {
	main().catch((error) => {
		console.error(error);
		process.exit(1);
	});
}
