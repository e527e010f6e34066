import type { IDataObject } from 'n8n-workflow';

import { AC_TEST_KEY, MC_TEST_KEY, startEmulator, type Emulator } from '../emulator/server';
import { poller } from '../harness/n8n';
import { seeded } from '../emulator/random';

/**
 * Live traffic against a polling trigger: seeded random writes (creations, updates, several updates
 * of one record in a row) arrive between polls and between the pages of a poll, while the provider's
 * clock moves in steps below and above a second. Every stamp each record carried is recorded with
 * the provider time it was set and replaced, and every (id, changed-at) pair the trigger emitted.
 */

/** The project's seeded generator, kept beside the emulator (test/emulator/random.ts). */
export { seeded } from '../emulator/random';

interface Version {
	stamp: string;
	setAt: number;
	replacedAt: number;
}

export interface ChurnResult {
	seed: number;
	changes: number;
	emitted: number;
	polls: number;
	problems: string[];
}

/** Offsets an ActiveCampaign account may switch to (whole, half and quarter hours, both ends of the range). */
const OFFSETS = ['-12:00', '-06:00', '-05:00', '-03:30', '+00:00', '+01:00', '+05:30', '+05:45', '+13:00', '+14:00'];

export async function churn(
	service: 'activeCampaign' | 'mailchimp',
	options: { seed: number; polls: number; startRecords?: number; zoneChanges?: boolean },
): Promise<ChurnResult> {
	const random = seeded(options.seed);
	const pick = <T>(list: T[]) => list[Math.floor(random() * list.length)];
	// The seed also picks how the provider reads its date filters, and its clock's skew against n8n.
	const boundary = random() < 0.5 ? 'inclusive' : 'exclusive';
	const emulator: Emulator = await startEmulator({ acRatePerSecond: 1000, clock: 'wall' });
	emulator.clock.freeze(Date.now() + Math.round((random() - 0.5) * 10_000));
	emulator.ac.filterBoundary = boundary;
	emulator.mc.filterBoundary = boundary;
	if (random() < 0.5 || options.zoneChanges) emulator.ac.filterReading = 'local';
	const now = () => emulator.clock.nowMs();
	const versions = new Map<string, Version[]>();
	const records: Array<{ id: string; touch(): string }> = [];
	let serial = 0;

	const stampField = service === 'mailchimp' ? 'last_changed' : 'udate';
	const record = (id: string, stamp: string) => {
		const list = versions.get(id) ?? [];
		const last = list[list.length - 1];
		if (last?.stamp === stamp) return; // changed again within the same second: the same change, as the provider shows it
		if (last) last.replacedAt = now();
		list.push({ stamp, setAt: now(), replacedAt: Number.POSITIVE_INFINITY });
		versions.set(id, list);
	};
	const create = () => {
		const email = `churn${serial++}@example.com`;
		if (service === 'mailchimp') {
			const m = emulator.mc.addMember('churn', email);
			const entry = { id: m.id, touch: () => (m.last_changed = emulator.mc.now()) };
			records.push(entry);
			record(m.id, m.last_changed);
		} else {
			const c = emulator.ac.addContact({ email });
			const entry = { id: c.id, touch: () => (c.udate = emulator.ac.now()) };
			records.push(entry);
			record(c.id, c.udate);
		}
	};
	const update = (r: { id: string; touch(): string }) => record(r.id, r.touch());
	/** A burst of random writes, with the provider's clock moving between some of them. */
	const writes = (count: number) => {
		for (let i = 0; i < count; i++) {
			const roll = random();
			if (roll < 0.3 || !records.length) create();
			else if (roll < 0.8) update(pick(records));
			else {
				const r = pick(records);
				for (let k = 0; k < 2 + Math.floor(random() * 3); k++) {
					update(r);
					if (random() < 0.5) emulator.clock.advance(Math.floor(random() * 1200));
				}
			}
			if (random() < 0.2) emulator.clock.advance(Math.floor(random() * 1500));
		}
	};

	let trigger;
	if (service === 'mailchimp') {
		emulator.mc.addList('churn', 'Churn');
		trigger = await poller(
			'mailchimpSyncTrigger',
			{ audience: { __rl: true, mode: 'id', value: 'churn' }, status: '' },
			{ mailchimpSyncApi: { apiKey: MC_TEST_KEY, useCustomBaseUrl: true, baseUrl: emulator.mcBaseUrl } },
		);
	} else {
		trigger = await poller('activeCampaignSyncTrigger', { event: 'contactChanged' }, { activeCampaignSyncApi: { apiUrl: emulator.url, apiKey: AC_TEST_KEY } });
	}
	for (let i = 0; i < (options.startRecords ?? 150); i++) create();
	emulator.clock.advance(2000);
	await trigger.poll();
	const activatedAt = now();

	const emitted: Array<[string, string]> = [];
	const pollTimes: Array<[number, number]> = [];
	// Writes also land between the pages of a poll.
	emulator.beforeAnswer = ({ method }) => {
		if (method === 'GET' && random() < 0.5) writes(1 + Math.floor(random() * 8));
	};
	// Now and then a burst larger than a page (Mailchimp 1,000, ActiveCampaign 100 a page).
	const burst = service === 'mailchimp' ? 1200 : 150;
	for (let p = 0; p < options.polls; p++) {
		writes(random() < 0.2 ? burst : Math.floor(random() * 40));
		emulator.clock.advance(Math.floor(random() * 3000));
		// The account's time zone changes between polls (stamps written before keep their offset).
		if (options.zoneChanges && random() < 0.3) {
			emulator.clock.advance(Math.floor(random() * 120_000));
			emulator.ac.utcOffset = pick(OFFSETS);
		}
		const start = now();
		const items = ((await trigger.poll()) ?? []) as IDataObject[];
		pollTimes.push([start, now()]);
		for (const item of items) emitted.push([String(item.id), String(item[stampField])]);
	}
	emulator.beforeAnswer = undefined;
	// Quiet: the last changes come on the next poll.
	for (let p = 0; p < 2; p++) {
		emulator.clock.advance(2000);
		const start = now();
		const items = ((await trigger.poll()) ?? []) as IDataObject[];
		pollTimes.push([start, now()]);
		for (const item of items) emitted.push([String(item.id), String(item[stampField])]);
	}
	await emulator.stop();

	const problems: string[] = [];
	const seen = new Set<string>();
	const lastEmitted = new Map<string, number>();
	for (const [id, stamp] of emitted) {
		const key = `${id} @ ${stamp}`;
		if (seen.has(key)) problems.push(`emitted twice: ${key}`);
		seen.add(key);
		const list = versions.get(id) ?? [];
		const index = list.findIndex((v) => v.stamp === stamp);
		if (index < 0) problems.push(`emitted a change that was never made: ${key}`);
		if (index <= (lastEmitted.get(id) ?? -1)) problems.push(`emitted out of order or stale: ${key}`);
		lastEmitted.set(id, index);
	}
	let changes = 0;
	for (const [id, list] of versions) {
		list.forEach((v, i) => {
			if (v.setAt <= activatedAt) return; // before activation: not a change to report
			changes++;
			const key = `${id} @ ${v.stamp}`;
			const final = i === list.length - 1;
			// A change that stood through a whole poll begun two seconds after it was made must have been emitted.
			const stood = pollTimes.some(([start, end]) => start - v.setAt >= 2000 && v.replacedAt > end);
			if ((final || stood) && !seen.has(key)) problems.push(`never emitted: ${key}${final ? ' (latest state)' : ''}`);
		});
	}
	return { seed: options.seed, changes, emitted: emitted.length, polls: pollTimes.length, problems };
}
