/* eslint-disable @n8n/community-nodes/no-restricted-globals -- test code, never shipped: Node globals are fine here */
import type { IDataObject } from 'n8n-workflow';

import { AC_TEST_KEY, type Emulator, type EmulatorOptions, MC_TEST_KEY, startEmulator } from '../emulator/server';
import type { McMember } from '../emulator/mailchimp';
import { poller } from '../harness/n8n';
import { churn } from './churn';

/**
 * The polling triggers under live traffic, against an emulator whose clock behaves like the
 * providers' (stamps at one-second resolution, a `Date` header, optional skew against n8n's clock).
 * The provider's clock is frozen and moved by the tests, so "the same second" is exact.
 * Each trigger is polled through n8n-core's PollContext, with its static data kept between polls.
 */
let emulator: Emulator;
afterEach(async () => {
	await emulator?.stop();
});

async function start(options: EmulatorOptions = {}): Promise<Emulator> {
	emulator = await startEmulator({ acRatePerSecond: 1000, clock: 'wall', ...options });
	emulator.clock.freeze();
	return emulator;
}
/** Lets provider time pass (n8n's own clock does not matter to the triggers). */
const tick = (seconds = 2) => emulator.clock.advance(seconds * 1000);

const acTrigger = (event = 'contactChanged', extra: IDataObject = {}) =>
	poller('activeCampaignSyncTrigger', { event, ...extra }, { activeCampaignSyncApi: { apiUrl: emulator.url, apiKey: AC_TEST_KEY } });
const mcTrigger = (list: string, extra: IDataObject = {}) =>
	poller(
		'mailchimpSyncTrigger',
		{ audience: { __rl: true, mode: 'id', value: list }, status: '', ...extra },
		{ mailchimpSyncApi: { apiKey: MC_TEST_KEY, useCustomBaseUrl: true, baseUrl: emulator.mcBaseUrl } },
	);

const emails = (items: IDataObject[] | null, field = 'email') => (items ?? []).map((i) => String(i[field]));
const sorted = (values: string[]) => [...values].sort();
/** A page of a window of changes (not the poll's check of the account's offset, which asks for one contact by ID). */
const isContactPage = (path: string, query: URLSearchParams) =>
	path === '/api/3/contacts' && [...query.keys()].some((k) => k.startsWith('filters[')) && !query.has('ids');
const isMemberPage = (path: string, query: URLSearchParams) => path.endsWith('/members') && query.get('sort_dir') !== 'DESC';

describe('a change during paging is neither lost nor repeated', () => {
	test('Mailchimp: a member changed between two pages of a 1,500-member poll', async () => {
		await start();
		const mc = emulator.mc;
		mc.addList('live', 'Live');
		const trigger = await mcTrigger('live');
		expect(await trigger.poll()).toBeNull();
		tick();
		const members: McMember[] = [];
		for (let i = 0; i < 1500; i++) {
			members.push(mc.addMember('live', `m${i}@example.com`));
			if (i % 100 === 99) tick(1);
		}
		tick();
		let pages = 0;
		emulator.beforeAnswer = ({ path, query }) => {
			if (isMemberPage(path, query) && ++pages === 2) members[5].last_changed = mc.now();
		};
		const first = emails(await trigger.poll(), 'email_address');
		emulator.beforeAnswer = undefined;
		expect(first.length).toBe(new Set(first).size);
		expect(sorted(first)).toEqual(sorted(members.map((m) => m.email_address)));
		// m5's second change happened during the poll: the next poll brings it, once.
		tick();
		const second = await trigger.poll();
		expect(second?.map((m) => [m.email_address, m.last_changed])).toEqual([['m5@example.com', members[5].last_changed]]);
		tick();
		expect(await trigger.poll()).toBeNull();
	});

	test('Mailchimp: 2,500 members in one second, paged with offsets, while members before the offset change', async () => {
		await start();
		const mc = emulator.mc;
		mc.addList('one', 'One second');
		const trigger = await mcTrigger('one', { status: 'subscribed' });
		expect(await trigger.poll()).toBeNull();
		tick();
		const members = Array.from({ length: 2500 }, (_, i) => mc.addMember('one', `s${i}@example.com`));
		tick();
		let pages = 0;
		const changed = new Set<string>();
		emulator.beforeAnswer = ({ path, query }) => {
			if (!isMemberPage(path, query)) return;
			pages++;
			// Before page 2: 10 members already read change (fewer than the pages' overlap);
			// before page 3: 60 more leave the status (more than the overlap: the second is read again).
			const moved = pages === 2 ? members.slice(100, 110) : pages === 3 ? members.slice(300, 360) : [];
			for (const m of moved) {
				if (pages === 3) m.status = 'unsubscribed';
				m.last_changed = mc.now();
				changed.add(m.email_address);
			}
		};
		const first = emails(await trigger.poll(), 'email_address');
		emulator.beforeAnswer = undefined;
		expect(first.length).toBe(new Set(first).size);
		// Every member comes once; a member changed during the poll may come with its earlier state or not yet.
		const missing = members.map((m) => m.email_address).filter((e) => !first.includes(e) && !changed.has(e));
		expect(missing).toEqual([]);
		tick();
		const second = emails(await trigger.poll(), 'email_address');
		// The 10 still subscribed come again with their new change; the 60 unsubscribed no longer match the filter.
		expect(sorted(second)).toEqual(sorted(members.slice(100, 110).map((m) => m.email_address)));
		tick();
		expect(await trigger.poll()).toBeNull();
	});

	test('ActiveCampaign: a contact deleted and another updated between two pages', async () => {
		await start();
		const ac = emulator.ac;
		const trigger = await acTrigger();
		expect(await trigger.poll()).toBeNull();
		tick();
		const contacts = Array.from({ length: 250 }, (_, i) => ac.addContact({ email: `c${i}@example.com` }));
		tick();
		let pages = 0;
		emulator.beforeAnswer = ({ path, query }) => {
			if (isContactPage(path, query) && ++pages === 2) {
				ac.contacts.delete(contacts[3].id);
				contacts[7].udate = ac.now();
			}
		};
		const first = emails(await trigger.poll());
		emulator.beforeAnswer = undefined;
		expect(first.length).toBe(new Set(first).size);
		const expected = contacts.filter((_, i) => i !== 3).map((c) => c.email);
		expect(sorted(first.filter((e) => e !== 'c3@example.com'))).toEqual(sorted(expected));
		tick();
		expect((await trigger.poll())?.map((c) => [c.email, c.udate])).toEqual([['c7@example.com', contacts[7].udate]]);
		tick();
		expect(await trigger.poll()).toBeNull();
	});
});

describe('issue 17: Mailchimp returns members that tie on last_changed in a new order on every request', () => {
	test.each(['inclusive', 'exclusive'] as const)('a second holding 2,500 changed members is emitted whole and once (%s since_last_changed)', async (boundary) => {
		await start();
		const mc = emulator.mc;
		mc.filterBoundary = boundary;
		mc.addList('ties', 'Ties');
		const trigger = await mcTrigger('ties');
		expect(await trigger.poll()).toBeNull();
		tick();
		mc.addMember('ties', 'before@example.com');
		tick(1);
		const members = Array.from({ length: 2500 }, (_, i) => mc.addMember('ties', `tie${i}@example.com`));
		tick(1);
		mc.addMember('ties', 'after@example.com');
		tick();
		const first = emails(await trigger.poll(), 'email_address');
		tick();
		const second = emails(await trigger.poll(), 'email_address');
		const all = [...first, ...second];
		expect(all.length).toBe(new Set(all).size);
		expect(sorted(all)).toEqual(sorted(['before@example.com', 'after@example.com', ...members.map((m) => m.email_address)]));
		expect(second).toEqual([]);
	});
});

test('ActiveCampaign: a contact created mid-poll beyond the first total is emitted, though a later edit is seen first', async () => {
	await start();
	const ac = emulator.ac;
	const trigger = await acTrigger();
	expect(await trigger.poll()).toBeNull();
	tick();
	const contacts = Array.from({ length: 200 }, (_, i) => ac.addContact({ email: `c${i}@example.com` }));
	tick();
	let pages = 0;
	let created: { email: string } | undefined;
	emulator.beforeAnswer = ({ path, query }) => {
		if (isContactPage(path, query) && ++pages === 2) {
			created = ac.addContact({ email: 'mid-poll@example.com' });
			tick(1);
			contacts[150].firstName = 'Edited';
			contacts[150].udate = ac.now();
		}
	};
	const first = emails(await trigger.poll());
	emulator.beforeAnswer = undefined;
	tick();
	const second = emails(await trigger.poll());
	tick();
	const third = emails(await trigger.poll());
	const all = [...first, ...second, ...third];
	expect(created).toBeDefined();
	expect(all.length).toBe(new Set(all).size);
	expect(sorted(all)).toEqual(sorted([...contacts.map((c) => c.email), 'mid-poll@example.com']));
});

describe('a change in the same second as a poll', () => {
	test.each(['exclusive', 'inclusive'] as const)('ActiveCampaign, %s date filters', async (boundary) => {
		await start();
		emulator.ac.filterBoundary = boundary;
		const trigger = await acTrigger();
		expect(await trigger.poll()).toBeNull();
		tick();
		emulator.ac.addContact({ email: 'a@example.com' });
		const first = emails(await trigger.poll());
		emulator.ac.addContact({ email: 'b@example.com' }); // same provider second as the poll
		tick();
		const second = emails(await trigger.poll());
		tick();
		const third = emails(await trigger.poll());
		expect(sorted([...first, ...second, ...third])).toEqual(['a@example.com', 'b@example.com']);
	});

	test.each(['exclusive', 'inclusive'] as const)('Mailchimp, %s since_last_changed', async (boundary) => {
		await start();
		emulator.mc.filterBoundary = boundary;
		emulator.mc.addList('same', 'Same second');
		const trigger = await mcTrigger('same');
		expect(await trigger.poll()).toBeNull();
		tick();
		emulator.mc.addMember('same', 'a@example.com');
		const first = emails(await trigger.poll(), 'email_address');
		emulator.mc.addMember('same', 'b@example.com');
		tick();
		const second = emails(await trigger.poll(), 'email_address');
		tick();
		const third = emails(await trigger.poll(), 'email_address');
		expect(sorted([...first, ...second, ...third])).toEqual(['a@example.com', 'b@example.com']);
	});
});

describe('accounts in another time zone', () => {
	test.each(['-06:00', '+05:30'])('ActiveCampaign stamps in %s, filters read as local time', async (offset) => {
		await start();
		const ac = emulator.ac;
		ac.utcOffset = offset;
		ac.filterReading = 'local';
		ac.addContact({ email: 'old@example.com' });
		tick();
		const trigger = await acTrigger();
		expect(await trigger.poll()).toBeNull();
		tick();
		const a = ac.addContact({ email: 'a@example.com' });
		expect(a.udate.endsWith(offset)).toBe(true);
		tick();
		const first = await trigger.poll();
		expect(first?.map((c) => [c.email, c.udate])).toEqual([['a@example.com', a.udate]]);
		a.firstName = 'Changed';
		a.udate = ac.now();
		tick();
		const second = await trigger.poll();
		// The provider's own text, offset included, reaches the workflow.
		expect(second?.map((c) => [c.email, c.firstName, c.udate])).toEqual([['a@example.com', 'Changed', a.udate]]);
		tick();
		expect(await trigger.poll()).toBeNull();

		const created = await acTrigger('contactCreated');
		expect(await created.poll()).toBeNull();
		tick();
		ac.addContact({ email: 'b@example.com' });
		tick();
		expect(emails(await created.poll())).toEqual(['b@example.com']);
	});
});

describe('a daylight-saving switch on an account whose filters read local time', () => {
	// Autumn: the account's offset moves west by an hour (-05:00 to -06:00, or +01:00 to +00:00).
	test.each([
		['-05:00', '-06:00'],
		['+01:00', '+00:00'],
	])('ActiveCampaign %s to %s: the trigger does not go silent, and no change after the switch is lost', async (summer, winter) => {
		await start();
		const ac = emulator.ac;
		ac.utcOffset = summer;
		ac.filterReading = 'local';
		ac.addContact({ email: 'old@example.com' });
		tick();
		const trigger = await acTrigger();
		expect(await trigger.poll()).toBeNull();
		tick();
		ac.addContact({ email: 'summer@example.com' });
		tick();
		expect(emails(await trigger.poll())).toEqual(['summer@example.com']);
		tick(60);
		ac.utcOffset = winter;
		const got: string[] = [];
		for (let i = 0; i < 4; i++) {
			tick(300);
			ac.addContact({ email: `winter${i}@example.com` });
			tick();
			got.push(...emails(await trigger.poll()));
		}
		expect(got).toEqual(['winter0@example.com', 'winter1@example.com', 'winter2@example.com', 'winter3@example.com']);
	});
});

describe('clock skew between n8n and the provider', () => {
	test.each([-5000, 5000])('ActiveCampaign %i ms: starts from the provider\'s now, then every change once', async (skew) => {
		await start({ clockSkewMs: skew });
		emulator.clock.freeze(Date.now() + skew);
		const ac = emulator.ac;
		ac.addContact({ email: 'before@example.com' });
		tick(3);
		const trigger = await acTrigger();
		expect(await trigger.poll()).toBeNull();
		const after = ac.addContact({ email: 'after@example.com' });
		tick();
		expect(emails(await trigger.poll())).toEqual(['after@example.com']);
		after.udate = ac.now();
		tick();
		expect(emails(await trigger.poll())).toEqual(['after@example.com']);
		tick();
		expect(await trigger.poll()).toBeNull();
	});

	test.each([-5000, 5000])('Mailchimp %i ms: starts from the provider\'s now, then every change once', async (skew) => {
		await start({ clockSkewMs: skew });
		emulator.clock.freeze(Date.now() + skew);
		const mc = emulator.mc;
		mc.addList('skew', 'Skew');
		mc.addMember('skew', 'before@example.com');
		tick(3);
		const trigger = await mcTrigger('skew');
		expect(await trigger.poll()).toBeNull();
		const after = mc.addMember('skew', 'after@example.com');
		tick();
		expect(emails(await trigger.poll(), 'email_address')).toEqual(['after@example.com']);
		after.last_changed = mc.now();
		tick();
		expect(emails(await trigger.poll(), 'email_address')).toEqual(['after@example.com']);
		tick();
		expect(await trigger.poll()).toBeNull();
	});
});

test('Mailchimp without a Date header: the newest member\'s stamp is the clock, and changes still come once', async () => {
	await start();
	emulator.sendDate = false;
	const mc = emulator.mc;
	mc.addList('nodate', 'No Date');
	mc.addMember('nodate', 'old@example.com');
	tick();
	const trigger = await mcTrigger('nodate');
	expect(await trigger.poll()).toBeNull();
	tick();
	const a = mc.addMember('nodate', 'a@example.com');
	const b = mc.addMember('nodate', 'b@example.com');
	tick();
	const first = emails(await trigger.poll(), 'email_address');
	tick();
	a.last_changed = mc.now();
	const second = emails(await trigger.poll(), 'email_address');
	b.last_changed = mc.now(); // in the second the poll took as its clock
	tick();
	const third = emails(await trigger.poll(), 'email_address');
	tick();
	expect([first, second, third, await trigger.poll()]).toEqual([['a@example.com', 'b@example.com'], ['a@example.com'], ['b@example.com'], null]);
});

describe('first activation on an empty account behind a proxy that drops the Date header', () => {
	test('Mailchimp: the first member added afterwards is emitted, once', async () => {
		await start();
		emulator.sendDate = false;
		emulator.mc.addList('empty', 'Empty');
		const trigger = await mcTrigger('empty');
		expect(await trigger.poll()).toBeNull();
		tick();
		expect(await trigger.poll()).toBeNull();
		emulator.mc.addMember('empty', 'first@example.com');
		tick();
		expect(emails(await trigger.poll(), 'email_address')).toEqual(['first@example.com']);
		tick();
		expect(await trigger.poll()).toBeNull();
	});

	test('ActiveCampaign: the first contact created afterwards is emitted, once', async () => {
		await start();
		emulator.sendDate = false;
		const trigger = await acTrigger();
		expect(await trigger.poll()).toBeNull();
		tick();
		expect(await trigger.poll()).toBeNull();
		emulator.ac.addContact({ email: 'first@example.com' });
		tick();
		expect(emails(await trigger.poll())).toEqual(['first@example.com']);
		tick();
		expect(await trigger.poll()).toBeNull();
	});
});

describe('bounded work and failures', () => {
	test('ActiveCampaign: a backlog larger than Max Items per Poll comes over several polls, in change order, each once', async () => {
		await start();
		const ac = emulator.ac;
		const trigger = await acTrigger('contactChanged', { maxItemsPerPoll: 100 });
		expect(await trigger.poll()).toBeNull();
		tick();
		const contacts = Array.from({ length: 250 }, (_, i) => {
			if (i % 60 === 0) tick(1);
			return ac.addContact({ email: `b${i}@example.com` });
		});
		// Updates stamp older contacts later than newer ones: change order is not id order.
		for (let i = 0; i < 250; i += 7) contacts[i].udate = ac.now();
		tick();
		const polls: IDataObject[][] = [];
		for (let p = 0; p < 4; p++) {
			polls.push((await trigger.poll()) ?? []);
			tick(61); // n8n polls a minute apart at the most often
		}
		expect(polls.map((p) => p.length)).toEqual([100, 100, 50, 0]);
		const order = polls.flat().map((c) => [Date.parse(String(c.udate)), Number(c.id)]);
		const inChangeOrder = [...order].sort((a, b) => a[0] - b[0] || a[1] - b[1]);
		expect(order).toEqual(inChangeOrder);
		expect(sorted(emails(polls.flat()))).toEqual(sorted(contacts.map((c) => c.email)));
	});

	test('Mailchimp: a backlog larger than Max Items per Poll comes over several polls, in change order, each once', async () => {
		await start();
		const mc = emulator.mc;
		mc.addList('backlog', 'Backlog');
		const trigger = await mcTrigger('backlog', { maxItemsPerPoll: 1000 });
		expect(await trigger.poll()).toBeNull();
		tick();
		// 2,500 members, 1,200 of them in one second: more than a page and more than a poll.
		const members = Array.from({ length: 2500 }, (_, i) => {
			if (i === 1000 || i === 2200) tick(1);
			return mc.addMember('backlog', `b${i}@example.com`);
		});
		tick();
		const polls: IDataObject[][] = [];
		for (let p = 0; p < 4; p++) {
			polls.push((await trigger.poll()) ?? []);
			tick();
		}
		expect(polls.map((p) => p.length)).toEqual([1000, 1000, 500, 0]);
		const stamps = polls.flat().map((m) => Date.parse(String(m.last_changed)));
		expect(stamps).toEqual([...stamps].sort((a, b) => a - b));
		const all = emails(polls.flat(), 'email_address');
		expect(all.length).toBe(new Set(all).size);
		expect(sorted(all)).toEqual(sorted(members.map((m) => m.email_address)));
	});

	test.each(['activeCampaign', 'mailchimp'] as const)('%s: a poll that fails partway emits nothing and keeps its cursor', async (service) => {
		await start();
		let trigger;
		let expected: string[];
		const field = service === 'mailchimp' ? 'email_address' : 'email';
		if (service === 'mailchimp') {
			emulator.mc.addList('fail', 'Fail');
			trigger = await mcTrigger('fail');
			await trigger.poll();
			tick();
			expected = Array.from({ length: 2100 }, (_, i) => emulator.mc.addMember('fail', `f${i}@example.com`).email_address);
		} else {
			trigger = await acTrigger();
			await trigger.poll();
			tick();
			expected = Array.from({ length: 250 }, (_, i) => emulator.ac.addContact({ email: `f${i}@example.com` }).email);
		}
		tick();
		const before = JSON.stringify(trigger.staticData());
		const path = service === 'mailchimp' ? /\/members$/ : /\/contacts$/;
		emulator.faults.push({ kind: 'echo-secret', method: 'GET', path, after: 2 });
		await expect(trigger.poll()).rejects.toThrow();
		expect(JSON.stringify(trigger.staticData())).toBe(before);
		const retried = emails(await trigger.poll(), field);
		expect(retried.length).toBe(new Set(retried).size);
		expect(sorted(retried)).toEqual(sorted(expected));
	});
});

describe('churn: 20 polls while writes arrive between and during them', () => {
	// CHURN_SEED=<n> replays a run; the seed is in every failure message.
	const seed = Number(process.env.CHURN_SEED) || Math.floor(Math.random() * 2 ** 31);
	test.each(['mailchimp', 'activeCampaign'] as const)('%s: every change emitted, none twice', async (service) => {
		const result = await churn(service, { seed, polls: 20 });
		expect({ seed: result.seed, problems: result.problems.slice(0, 20) }).toEqual({ seed, problems: [] });
		expect(result.changes).toBeGreaterThan(100);
		expect(result.emitted).toBeGreaterThan(0);
	});

	test('activeCampaign, the account\'s time zone changing between polls (filters read as local time)', async () => {
		const result = await churn('activeCampaign', { seed, polls: 20, zoneChanges: true });
		expect({ seed: result.seed, problems: result.problems.slice(0, 20) }).toEqual({ seed, problems: [] });
		expect(result.changes).toBeGreaterThan(100);
	});
});

describe('issue 17: an ActiveCampaign account whose time zone changes while contacts change', () => {
	// Offsets move east and west by 1, 6 and 13 hours from +01:00 (to +14:00 and -12:00 at the ends).
	const moves: Array<[string, string]> = [
		['+01:00', '+02:00'],
		['+01:00', '+00:00'],
		['+01:00', '+07:00'],
		['+01:00', '-05:00'],
		['+01:00', '+14:00'],
		['+01:00', '-12:00'],
	];
	const cases = (['local', 'offset'] as const).flatMap((reading) => moves.map(([from, to]) => [from, to, reading] as const));
	test.each(cases)('%s to %s, filters read as %s: every change emitted once, none twice; earlier stamps keep their offset', async (from, to, reading) => {
		await start();
		const ac = emulator.ac;
		ac.utcOffset = from;
		ac.filterReading = reading;
		const contacts = Array.from({ length: 5 }, (_, i) => ac.addContact({ email: `tz${i}@example.com` }));
		tick();
		const trigger = await acTrigger();
		expect(await trigger.poll()).toBeNull();
		const made: string[] = [];
		const emitted: string[] = [];
		const change = (c: (typeof contacts)[number]) => {
			c.udate = ac.now();
			made.push(`${c.email} @ ${c.udate}`);
		};
		const create = () => {
			const c = ac.addContact({ email: `tz${contacts.length}@example.com` });
			contacts.push(c);
			made.push(`${c.email} @ ${c.udate}`);
		};
		const poll = async () => {
			tick();
			for (const item of (await trigger.poll()) ?? []) emitted.push(`${String(item.email)} @ ${String(item.udate)}`);
		};
		tick(1);
		change(contacts[0]);
		create();
		await poll();
		// Changes before the switch, not yet polled (further back than the overlap a poll reads again);
		// then the switch, and a poll before any write after it.
		tick(30);
		change(contacts[1]);
		create();
		const before = contacts[contacts.length - 1];
		tick(100);
		ac.utcOffset = to;
		await poll();
		// After the switch, first only updates of older contacts, then creations too, over a day.
		for (let round = 0; round < 8; round++) {
			tick(round < 4 ? 240 : 3 * 3600);
			change(contacts[round % 5]);
			if (round >= 2) create();
			tick(1);
			change(contacts[(round + 2) % 5]);
			await poll();
		}
		await poll();
		expect(emitted.length).toBe(new Set(emitted).size);
		expect([...emitted].sort()).toEqual([...made].sort());
		// A contact written before the switch keeps the offset it was written with.
		expect(before.cdate.endsWith(from)).toBe(true);
		const read = (await (await fetch(`${emulator.url}/api/3/contacts/${before.id}`, { headers: { 'Api-Token': AC_TEST_KEY } })).json()) as { contact: IDataObject };
		expect(String(read.contact.cdate).endsWith(from)).toBe(true);
		expect(contacts[contacts.length - 1].cdate.endsWith(to)).toBe(true);
	});

	test('the contact the offset is checked on is deleted: the next poll checks on another, and loses nothing', async () => {
		await start();
		const ac = emulator.ac;
		ac.utcOffset = '-06:00';
		ac.filterReading = 'local';
		const first = ac.addContact({ email: 'ref@example.com' });
		tick();
		const trigger = await acTrigger();
		expect(await trigger.poll()).toBeNull();
		ac.contacts.delete(first.id);
		tick();
		const a = ac.addContact({ email: 'a@example.com' });
		tick(90);
		ac.utcOffset = '+03:00';
		const got = emails(await trigger.poll());
		tick();
		ac.addContact({ email: 'b@example.com' });
		tick();
		got.push(...emails(await trigger.poll()));
		expect(got).toEqual([a.email, 'b@example.com']);
	});

	test.each([
		['+05:45', '-09:30'],
		['-09:30', '+05:45'],
	])('the zone changes from %s to %s between the poll\'s check and its window: nothing is lost', async (from, to) => {
		await start();
		const ac = emulator.ac;
		ac.utcOffset = from;
		ac.filterReading = 'local';
		ac.addContact({ email: 'early@example.com' });
		tick();
		const trigger = await acTrigger();
		expect(await trigger.poll()).toBeNull();
		tick();
		expect(await trigger.poll()).toBeNull();
		tick();
		const a = ac.addContact({ email: 'a@example.com' });
		// Further back than the overlap a poll reads again.
		tick(120);
		// The owner picks another zone at the moment of the poll: after its check, before its window.
		let switched = false;
		emulator.beforeAnswer = ({ path, query }) => {
			if (!switched && isContactPage(path, query)) {
				switched = true;
				ac.utcOffset = to;
			}
		};
		const got: string[] = [];
		for (let i = 0; i < 4; i++) {
			try {
				got.push(...emails(await trigger.poll()));
			} catch {
				// A poll that fails keeps its cursor; the next one reads the same changes.
			}
			tick();
		}
		expect(switched).toBe(true);
		const b = ac.addContact({ email: 'b@example.com' });
		tick();
		got.push(...emails(await trigger.poll()));
		expect(got).toEqual([a.email, b.email]);
	});

	test('a quiet poll costs two requests besides the window it reads (the offset checked before and after it)', async () => {
		await start();
		emulator.ac.filterReading = 'local';
		emulator.ac.addContact({ email: 'quiet@example.com' });
		tick();
		const trigger = await acTrigger();
		expect(await trigger.poll()).toBeNull();
		tick();
		expect(await trigger.poll()).toBeNull();
		const before = emulator.count('GET /api/3/contacts');
		tick();
		expect(await trigger.poll()).toBeNull();
		expect(emulator.count('GET /api/3/contacts') - before).toBe(3);
	});
});
