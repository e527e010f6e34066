/* eslint-disable @n8n/community-nodes/no-restricted-globals -- test code, never shipped: Node globals are fine here */
import type { IDataObject } from 'n8n-workflow';

import { AC_TEST_KEY, MC_TEST_KEY, startEmulator, type Emulator } from '../emulator/server';
import { poller } from '../harness/n8n';
import { churn } from './churn';

/**
 * `npm run test:soak`: the polling triggers over a large backlog and under long churn.
 * Figures are printed; peak RSS is the jest worker's, which also hosts the emulator.
 */
let emulator: Emulator;
afterEach(async () => {
	await emulator?.stop();
});

const mb = (kb: number) => `${Math.round(kb / 1024)} MB`;
const memory = () => `peak RSS ${mb(process.resourceUsage().maxRSS)} (n8n-core, trigger and emulator in one process), ${gc ? 'live' : 'used'} heap during the polls +${mb((heapPeak - heapBefore) / 1024)}`;

/**
 * Live heap while the polls ran, above what it was before them: sampled after a full collection
 * every 10th request (npm run test:soak runs node with --expose-gc), so the emulator's own garbage
 * does not count. Without --expose-gc the figure includes garbage.
 */
let heapBefore = 0;
let heapPeak = 0;
const gc = (globalThis as { gc?: () => void }).gc;

/** Polls a minute apart (provider time) until a poll emits nothing; returns what each poll emitted. */
async function drain(trigger: { poll(): Promise<IDataObject[] | null> }, stampField: string) {
	gc?.();
	heapBefore = process.memoryUsage().heapUsed;
	heapPeak = heapBefore;
	let requests = 0;
	const hook = emulator.beforeAnswer;
	emulator.beforeAnswer = (request) => {
		void hook?.(request);
		if (gc && requests++ % 10 !== 0) return;
		gc?.();
		heapPeak = Math.max(heapPeak, process.memoryUsage().heapUsed);
	};
	const polls: Array<Array<[string, number]>> = [];
	for (let p = 0; p < 100; p++) {
		emulator.clock.advance(61_000);
		const items = await trigger.poll();
		if (!items) break;
		polls.push(items.map((i) => [String(i.id), Date.parse(String(i[stampField]))]));
	}
	return polls;
}

/** An emulator at ActiveCampaign's real 5 requests/s, and a Created or Updated trigger activated on it. */
async function activatedAcTrigger() {
	emulator = await startEmulator({ clock: 'wall', acRatePerSecond: 5 });
	emulator.clock.freeze();
	const trigger = await poller('activeCampaignSyncTrigger', { event: 'contactChanged' }, { activeCampaignSyncApi: { apiUrl: emulator.url, apiKey: AC_TEST_KEY } });
	expect(await trigger.poll()).toBeNull();
	emulator.clock.advance(2000);
	return trigger;
}

function check(polls: Array<Array<[string, number]>>, expectedIds: Set<string>, perPoll: number) {
	const all = polls.flat();
	const ids = new Set(all.map(([id]) => id));
	expect(all.length).toBe(expectedIds.size); // each once
	expect(ids.size).toBe(expectedIds.size);
	for (const id of expectedIds) if (!ids.has(id)) throw new Error(`never emitted: ${id}`);
	expect(polls.slice(0, -1).every((p) => p.length === perPoll)).toBe(true);
	for (let i = 1; i < all.length; i++) if (all[i][1] < all[i - 1][1]) throw new Error(`out of change order at item ${i}`);
}

test('Mailchimp: 200,000 changed members are emitted over successive polls, all, each once, in change order', async () => {
	emulator = await startEmulator({ clock: 'wall' });
	emulator.clock.freeze();
	emulator.mc.addList('big', 'Backlog');
	const trigger = await poller(
		'mailchimpSyncTrigger',
		{ audience: { __rl: true, mode: 'id', value: 'big' }, status: '' },
		{ mailchimpSyncApi: { apiKey: MC_TEST_KEY, useCustomBaseUrl: true, baseUrl: emulator.mcBaseUrl } },
	);
	expect(await trigger.poll()).toBeNull();
	emulator.clock.advance(2000);
	// A mass import: 200,000 members over 200 seconds, 1,000 to a second.
	const expected = new Set<string>();
	for (let i = 0; i < 200_000; i++) {
		if (i % 1000 === 0) emulator.clock.advance(1000);
		expected.add(emulator.mc.addMember('big', `import${i}@example.com`).id);
	}
	const started = Date.now();
	const polls = await drain(trigger, 'last_changed');
	const seconds = (Date.now() - started) / 1000;
	check(polls, expected, 10_000);
	const requests = emulator.log.length;
	process.stdout.write(
		`Mailchimp backlog: ${expected.size} members in ${polls.length} polls of at most 10,000, ${requests} requests, ${seconds.toFixed(1)} s, ${memory()}\n`,
	);
});

test('ActiveCampaign: 20,000 changed contacts are emitted over successive polls, all, each once, in change order', async () => {
	const trigger = await activatedAcTrigger();
	const expected = new Set<string>();
	const contacts = [];
	for (let i = 0; i < 20_000; i++) {
		if (i % 250 === 0) emulator.clock.advance(1000);
		const c = emulator.ac.addContact({ email: `import${i}@example.com` });
		contacts.push(c);
		expected.add(c.id);
	}
	// Then every third contact is updated again: change order differs from id order.
	for (let i = 0; i < contacts.length; i += 3) {
		if (i % 750 === 0) emulator.clock.advance(1000);
		contacts[i].udate = emulator.ac.now();
	}
	const started = Date.now();
	const polls = await drain(trigger, 'udate');
	const seconds = (Date.now() - started) / 1000;
	check(polls, expected, 10_000);
	process.stdout.write(
		`ActiveCampaign backlog: ${expected.size} contacts in ${polls.length} polls, ${emulator.log.length} requests at 5/s, 429s ${emulator.rejected429.ac}, ${seconds.toFixed(1)} s, ${memory()}\n`,
	);
});

test('ActiveCampaign: 3,000 contacts changed in one second (more than a window holds), some updated while it is read', async () => {
	const trigger = await activatedAcTrigger();
	const contacts = Array.from({ length: 3000 }, (_, i) => emulator.ac.addContact({ email: `same${i}@example.com` }));
	emulator.clock.advance(2000);
	let done = false;
	emulator.beforeAnswer = ({ query }) => {
		// Once the first 1,000 of the second were read:
		if (!done && Number(query.get('id_greater')) >= 1000) {
			done = true;
			for (const c of contacts.slice(0, 50)) c.udate = emulator.ac.now(); // already read
			for (const c of contacts.slice(2900, 2950)) c.udate = emulator.ac.now(); // not read yet
			emulator.ac.contacts.delete(contacts[1500].id);
		}
	};
	const polls = await drain(trigger, 'udate');
	const all = polls.flat().map(([id]) => id);
	const counts = new Map<string, number>();
	for (const id of all) counts.set(id, (counts.get(id) ?? 0) + 1);
	// Every contact once, and the 100 updated ones once more with their new change.
	const updated = new Set([...contacts.slice(0, 50), ...contacts.slice(2900, 2950)].map((c) => c.id));
	for (const c of contacts) {
		if (c === contacts[1500]) continue;
		const expected = updated.has(c.id) && contacts.indexOf(c) < 50 ? 2 : 1;
		expect([c.id, counts.get(c.id)]).toEqual([c.id, expected]);
	}
	process.stdout.write(`ActiveCampaign one-second group: 3,000 contacts, ${all.length} emitted in ${polls.length} polls, ${emulator.log.length} requests\n`);
});

describe('long churn', () => {
	const seeds = process.env.CHURN_SEED ? [Number(process.env.CHURN_SEED)] : Array.from({ length: 3 }, () => Math.floor(Math.random() * 2 ** 31));
	test.each(seeds.flatMap((seed) => [['mailchimp', seed] as const, ['activeCampaign', seed] as const]))('%s, seed %i: 60 polls, every change emitted, none twice', async (service, seed) => {
		const result = await churn(service, { seed, polls: 60 });
		process.stdout.write(`${service} churn seed ${seed}: ${result.changes} changes, ${result.emitted} emitted in ${result.polls} polls\n`);
		expect({ seed, problems: result.problems.slice(0, 20) }).toEqual({ seed, problems: [] });
	});
});
