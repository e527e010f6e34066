import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';

import { Lookups as AcLookups } from '../ActiveCampaignSync/lookups';
import { readActiveCampaignList } from '../ActiveCampaignSync/reader';
import { activeCampaignClient } from '../ActiveCampaignSync/transport';
import { mailchimpTime } from '../MailchimpSync/memberWriter';
import { readMailchimpAudience } from '../MailchimpSync/reader';
import { mailchimpClient } from '../MailchimpSync/transport';
import { asNodeError } from '../shared/errors';
import { readLimits } from '../shared/limits';
import { errorItem, yielder } from '../shared/operations';
import type { ApiClient } from '../shared/transport';
import { isEmailText } from '../shared/values';
import { applyPlan, type ApplyTargets, type Outcomes } from './apply';
import { type Difference, type DiffOptions, diffIndexes, pairedIndexes, type Side, type SideIndex } from './diff';
import { counts, differenceItem } from './items';
import { carry, type LiveReport, type LiveWatch, newReport, readOptOuts, replan } from './live';
import { locateAc, locateAudience, maxChangesFor, readPairs, readSettings, sameValue } from './settings';

/**
 * One run of Audience Sync: check the settings, read both sides at once (each at its own bound),
 * diff, and under Apply write the differences unless the safety valve says no. Output 0 holds one
 * item per differing person, output 1 the summary. A read that fails writes nothing.
 */

const seconds = (since: number) => Math.round((Date.now() - since) / 100) / 10;

/** An item's outcome from its writes' outcomes: failed if one failed, else the first write's. */
function outcomeFields(difference: Difference, outcomes: Outcomes): IDataObject {
	const found = outcomes.get(difference) ?? {};
	const per = difference.writes.map((w) => ({ write: w, outcome: found[w.side] ?? { status: 'failed', error: 'No result came back for this write' } }));
	const failed = per.find((p) => p.outcome.status === 'failed');
	const main = failed ?? per[0];
	const out: IDataObject = { outcome: main.outcome.status };
	if (main.outcome.error) out.error = main.outcome.error;
	if (main.outcome.note) out.note = main.outcome.note;
	if (per.length > 1) out.outcomes = Object.fromEntries(per.map((p) => [p.write.side, p.outcome]));
	return out;
}

async function sync(ctx: IExecuteFunctions, started: number): Promise<INodeExecutionData[][]> {
	const settings = readSettings(ctx);
	const { pace, ...retry } = readLimits(ctx, 'requestsPerSecond', 'ActiveCampaign Requests per Second');
	const [acClient, mcClient] = await Promise.all([activeCampaignClient(ctx, { ...retry, requestsPerSecond: pace }), mailchimpClient(ctx, retry)]);
	const acLookups = new AcLookups(acClient, ctx);

	const [list, tag, audience] = await Promise.all([
		locateAc(ctx, acClient, acLookups, 'list', 'list', false),
		locateAc(ctx, acClient, acLookups, 'tag', 'tag', true),
		locateAudience(ctx, mcClient),
	]);
	const { pairs, leftOut } = await readPairs(ctx, acLookups, mcClient, audience.id);

	// Both sides at once, each at its own bound. Any failed page fails the run before a write.
	// One compact store for both sides: an address both hold is kept once.
	const { activeCampaign: acIndex, mailchimp: mcIndex } = pairedIndexes(isEmailText);
	const readStarted = Date.now();
	// Mailchimp's clock before its read began (the last answer's Date header, whole seconds, less a
	// margin): Apply reads the members changed since then again (live.ts).
	const mailchimpSince = mcClient.serverDate === undefined ? undefined : mailchimpTime(mcClient.serverDate - 2000);
	const reads = await Promise.allSettled([
		readActiveCampaignList(acClient, { listId: list!.id, tagId: tag?.id, fields: pairs.map((p) => p.ac) }, (records) => acIndex.addAll(records)),
		readMailchimpAudience(mcClient, audience.id, pairs.map((p) => p.labels.mailchimp), (records) => mcIndex.addAll(records)),
	]);
	const failedRead = reads.find((r): r is PromiseRejectedResult => r.status === 'rejected');
	if (failedRead) {
		const error = asNodeError(ctx.getNode(), failedRead.reason);
		error.description = [error.description, 'Nothing was written: a read that does not finish writes nothing.'].filter(Boolean).join(' ');
		throw error;
	}
	const readSeconds = seconds(readStarted);

	const differences: Difference[] = [];
	const turn = yielder();
	const diffOptions: DiffOptions = { ...settings, isValidEmail: isEmailText, fieldLabels: { activeCampaign: pairs.map((p) => p.labels.activeCampaign), mailchimp: pairs.map((p) => p.labels.mailchimp) }, sameValue: sameValue(pairs) };
	for (const difference of diffIndexes(acIndex, mcIndex, diffOptions)) {
		if (difference) differences.push(difference);
		await turn();
	}

	let changes = differences.filter((d) => d.writes.length).length;
	const larger = Math.max(acIndex.size, mcIndex.size);
	const maxChanges = maxChangesFor(settings.maxChanges, larger);
	const safetyValve: IDataObject = { stopped: false };
	// Plan tells what Apply with the same Max Changes would do.
	if (settings.mode === 'plan') safetyValve.wouldStopApply = changes > maxChanges;
	let outcomes: Outcomes | undefined;
	let duringRun: LiveReport | undefined;
	if (settings.mode === 'apply') {
		if (changes > maxChanges) {
			safetyValve.stopped = true;
			safetyValve.reason =
				`${changes} people would change, and Max Changes allows ${maxChanges}` +
				`${'percent' in settings.maxChanges ? ` (${settings.maxChanges.percent}% of the larger side, ${larger})` : ''}: nothing was written. ` +
				'Check the differences, then raise Max Changes to apply them.';
		} else if (changes) {
			const targets: ApplyTargets = {
				ctx,
				pairs,
				direction: settings.direction,
				activeCampaign: { client: acClient, lookups: acLookups, listId: list!.id, tagName: tag?.name },
				mailchimp: { client: mcClient, audienceId: audience.id, since: mailchimpSince },
			};
			// Someone who unsubscribed since the read is planned again before the first write, and
			// carried to the other side after the last one (live.ts).
			const indexes: Record<Side, SideIndex> = { activeCampaign: acIndex, mailchimp: mcIndex };
			const watch: LiveWatch = {
				targets,
				options: diffOptions,
				lookup: (side, key) => (indexes[side].repeated.has(key) ? undefined : indexes[side].first.get(key)),
				room: maxChanges - changes,
			};
			duringRun = newReport();
			replan(watch, differences, await readOptOuts(watch, differences), duringRun);
			outcomes = await applyPlan(targets, differences);
			try {
				await carry(watch, differences, outcomes, await readOptOuts(watch, differences), duringRun);
			} catch (error) {
				// The writes are made: their outcomes are still reported. Unsubscribes made during the run reach the other side on the next run.
				duringRun.error = `The second look after the writes failed (${asNodeError(ctx.getNode(), error).message}): unsubscribes made during this run reach the other side on the next run`;
			}
			changes = differences.filter((d) => d.writes.length).length;
		}
	}

	const items: INodeExecutionData[] = [];
	const applied: Record<string, number> = { created: 0, updated: 0, unsubscribed: 0, queued: 0, failed: 0 };
	for (const difference of differences) {
		const json = differenceItem(difference, pairs);
		if (outcomes && difference.writes.length) {
			Object.assign(json, outcomeFields(difference, outcomes));
			for (const outcome of Object.values(outcomes.get(difference) ?? {})) applied[String(outcome?.status)] = (applied[String(outcome?.status)] ?? 0) + 1;
		}
		items.push({ json, pairedItem: { item: 0 } });
		await turn();
	}

	const side = (client: ApiClient, size: number, extra: IDataObject) => ({ ...extra, size, requests: client.counts.requests, rateLimited: client.counts.throttled });
	const summary: IDataObject = {
		mode: settings.mode,
		direction: settings.direction,
		activeCampaign: side(acClient, acIndex.size, { list: list!.name, listId: list!.id, ...(tag ? { tag: tag.name, tagId: tag.id } : {}) }),
		mailchimp: side(mcClient, mcIndex.size, { audience: audience.name, audienceId: audience.id }),
		fields: pairs.map((p) => `${p.labels.activeCampaign} ↔ ${p.labels.mailchimp}`),
		...counts(differences),
		changes,
		maxChanges,
		safetyValve,
		written: outcomes ? applied : null,
		...(duringRun ? { duringRun } : {}),
		readSeconds,
		seconds: seconds(started),
	};
	if (leftOut.length) summary.fieldsLeftOut = leftOut.map((p) => `${p} (the audience has no such merge field)`);
	return [items, [{ json: summary, pairedItem: { item: 0 } }]];
}

export async function runAudienceSync(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	const started = Date.now();
	try {
		return await sync(this, started);
	} catch (error) {
		if (!this.continueOnFail()) throw asNodeError(this.getNode(), error);
		return [[], [errorItem(error, 0)]];
	}
}
