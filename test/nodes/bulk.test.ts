import { type IDataObject, sleep } from 'n8n-workflow';

import { subscriberHash } from '../emulator/mailchimp';
import { type Emulator, type FaultKind, startEmulator } from '../emulator/server';
import { type NodeRun, runNode } from './workflow';

/**
 * Create or Update Many on both nodes: one truthful output item per input item whatever fails,
 * duplicates merged, and one subscription policy whatever the item count (issue 10). Every test
 * checks that there are as many output items as input items, each paired with its input, and
 * that the emulator's final state is what the outputs claim.
 */
let emulator: Emulator;
const AUD = 'audBulk0001';
const audience = { __rl: true, mode: 'id', value: AUD };
const fast = { limits: { requestsPerSecond: 1000 } };

const ac = (parameters: IDataObject, input: IDataObject[], options?: { continueOnFail?: boolean }) =>
	runNode(emulator, 'activeCampaign', { resource: 'contact', operation: 'upsertMany', email: '={{ $json.email }}', ...fast, ...parameters } as never, input, options);
const mc = (parameters: IDataObject, input: IDataObject[], options?: { continueOnFail?: boolean }) =>
	runNode(emulator, 'mailchimp', { resource: 'member', operation: 'upsertMany', audience, email: '={{ $json.email }}', status: 'subscribed', ...parameters } as never, input, options);
const member = (email: string) => emulator.mc.lists.get(AUD)!.members.get(subscriberHash(email));
const people = (n: number, prefix: string) => Array.from({ length: n }, (_, i) => ({ email: `${prefix}${i}@example.com`, first: `F${i}` }));
const withFirst = { additionalFields: { firstName: '={{ $json.first }}' } };
const mcFirst = { additionalFields: { mergeFields: { field: [{ field: 'FNAME', value: '={{ $json.first }}' }] } } };

/** One output item per input item, each paired with its own input item. */
function expectOnePerItem(run: NodeRun, count: number) {
	expect(run.items).toHaveLength(count);
	run.items.forEach((item, i) => expect(item.pairedItem).toEqual({ item: i }));
}

/** A fault on the `from`-th to `to`-th matching requests only (the emulator's own faults hit the first ones). */
function faultOnCalls(match: (method: string, path: string) => boolean, from: number, to: number, kind: FaultKind): () => void {
	let calls = 0;
	const target = emulator as unknown as { takeFault: (method: string, path: string) => unknown };
	const original = target.takeFault;
	target.takeFault = function (this: unknown, method: string, path: string) {
		if (match(method, path)) {
			calls++;
			if (calls >= from && calls <= to) return { kind };
		}
		return original.call(this, method, path);
	};
	return () => {
		target.takeFault = original;
	};
}

beforeAll(async () => {
	emulator = await startEmulator({ acRatePerSecond: 1000 });
	emulator.mc.addList(AUD, 'Bulk Audience');
});
afterAll(() => emulator.stop());
beforeEach(() => {
	emulator.resetCounts();
	emulator.faults = [];
	emulator.ac.importDelayMs = 0;
	emulator.ac.importEndings = [];
	emulator.ac.importTimes = [];
	emulator.ac.singleImportTimes = [];
	emulator.ac.importWindowMs = 60_000;
});

describe('ActiveCampaign Create or Update Many: one truthful outcome per item', () => {
	test('a chunk that fails as a whole becomes error items for that chunk only (Continue On Fail)', async () => {
		const input = people(500, 'chunkfail');
		const restore = faultOnCalls((method, path) => method === 'POST' && path.endsWith('bulk_import'), 2, 2, 500);
		try {
			const run = await ac(withFirst, input, { continueOnFail: true });
			expect(run.error).toBeUndefined();
			expectOnePerItem(run, 500);
			const first = emulator.log.find((l) => l.path.endsWith('bulk_import') && l.status === 200)!.body as { contacts: Array<{ email: string }> };
			const sentFirst = new Set(first.contacts.map((c) => c.email));
			run.json.forEach((json, i) => {
				const email = input[i].email;
				if (sentFirst.has(email)) {
					expect(json).toMatchObject({ email, status: 'succeeded' });
					expect(emulator.ac.findByEmail(email)?.firstName).toBe(`F${i}`);
				} else {
					expect(json).toMatchObject({ email, status: 'failed', httpCode: '500', itemIndex: i });
					expect(emulator.ac.findByEmail(email)).toBeUndefined();
				}
			});
			expect(run.json.filter((j) => j.status === 'succeeded')).toHaveLength(250);
		} finally {
			restore();
		}
	});

	test('without Continue On Fail the error says how many items were already written, and which', async () => {
		const restore = faultOnCalls((method, path) => method === 'POST' && path.endsWith('bulk_import'), 2, 2, 500);
		try {
			const run = await ac(withFirst, people(500, 'stopped'));
			expect(run.error?.message).toMatch(/server error/);
			expect(run.error?.description).toContain('Already written before this failure: 250 of 500 items (0-249)');
			expect(run.error?.description).toContain('The failed request carried items 250-499');
			expect(emulator.ac.findByEmail('stopped249@example.com')).toBeDefined();
			expect(emulator.ac.findByEmail('stopped250@example.com')).toBeUndefined();
		} finally {
			restore();
		}
	});

	test('an import whose answer is lost is failed with a note that it may still have been applied', async () => {
		const input = people(300, 'lostanswer');
		const restore = faultOnCalls((method, path) => method === 'POST' && path.endsWith('bulk_import'), 2, 2, 'hang-after-write');
		try {
			const run = await ac({ ...withFirst, limits: { requestsPerSecond: 1000, timeoutSeconds: 3 } }, input, { continueOnFail: true });
			expectOnePerItem(run, 300);
			run.json.forEach((json, i) => {
				if (i < 150) expect(json).toMatchObject({ status: 'succeeded' });
				else expect(json).toMatchObject({ status: 'failed', note: expect.stringMatching(/may still have applied/) });
			});
			// ActiveCampaign did take the second import: the outputs did not claim otherwise.
			expect(emulator.ac.findByEmail('lostanswer299@example.com')).toBeDefined();
		} finally {
			restore();
		}
	});

	test('"Rate limit exceeded" is throttling: the refused import is sent again once the window allows', async () => {
		// Another integration has used 99 of the account's 100 imports in this window.
		emulator.ac.importWindowMs = 1500;
		emulator.ac.importTimes = Array.from({ length: 99 }, () => Date.now());
		const input = people(600, 'throttled');
		const run = await ac(withFirst, input, { continueOnFail: true });
		expect(run.error).toBeUndefined();
		expectOnePerItem(run, 600);
		expect(run.json.filter((j) => j.status === 'succeeded')).toHaveLength(600);
		const refused = emulator.log.filter((l) => l.path.endsWith('bulk_import') && l.status === 400);
		expect(refused.length).toBeGreaterThanOrEqual(1);
		for (const p of input) expect(emulator.ac.findByEmail(p.email)?.firstName).toBe(p.first);
	});

	test('while the account\'s import budget is full, one import at a time asks again; the others wait for its answer', async () => {
		// Another integration has just used all 100 imports of the account's window (2.5 s here).
		emulator.ac.importWindowMs = 2500;
		emulator.ac.importTimes = Array.from({ length: 100 }, () => Date.now());
		const input = people(2500, 'budgetfull');
		const run = await ac(withFirst, input, { continueOnFail: true });
		expect(run.error).toBeUndefined();
		expectOnePerItem(run, 2500);
		expect(run.json.filter((j) => j.status === 'succeeded')).toHaveLength(2500);
		for (const p of input) expect(emulator.ac.findByEmail(p.email)?.firstName).toBe(p.first);
		// The 10 imports sent together are refused at most once each; after that only the one
		// asking again is refused, once per wait (1 s, 2 s...): every refusal costs a request of
		// the account's 5 a second. Before, all 10 asked again after each wait (30 refusals).
		const refused = emulator.log.filter((l) => l.path.endsWith('bulk_import') && l.status === 400).length;
		expect(refused).toBeGreaterThanOrEqual(1);
		expect(refused).toBeLessThanOrEqual(10 + 4);
	});

	test('two workflows on one account while its import budget is full, the import asking again fails (a 500): the others take the turn, every item once', async () => {
		// Another integration has just used all 100 imports of the account's window (2.5 s here).
		emulator.ac.importWindowMs = 2500;
		emulator.ac.importTimes = Array.from({ length: 100 }, () => Date.now());
		// The 12 imports sent together are refused; the 13th import request (the one asking again) fails.
		const restore = faultOnCalls((method, path) => method === 'POST' && path.endsWith('bulk_import'), 13, 13, 500);
		try {
			const inputs = [people(2500, 'turnA'), people(500, 'turnB')];
			const runs = await Promise.all(inputs.map((input) => ac(withFirst, input, { continueOnFail: true })));
			const failed: string[] = [];
			runs.forEach((run, r) => {
				expect(run.error).toBeUndefined();
				expectOnePerItem(run, inputs[r].length);
				run.json.forEach((json, i) => {
					const contact = emulator.ac.findByEmail(inputs[r][i].email);
					if (json.status === 'succeeded') expect(contact?.firstName).toBe(inputs[r][i].first);
					else {
						expect(String(json.error)).toMatch(/HTTP 500/);
						expect(contact).toBeUndefined();
						failed.push(inputs[r][i].email);
					}
				});
			});
			// One import's contacts (250) failed; nobody else was lost or left waiting.
			expect(failed).toHaveLength(250);
			const sent = emulator.log.filter((l) => l.path.endsWith('bulk_import') && l.status === 200).flatMap((l) => (l.body as { contacts: Array<{ email: string }> }).contacts.map((c) => c.email));
			expect(new Set(sent).size).toBe(sent.length);
			expect(sent).toHaveLength(3000 - 250);
		} finally {
			restore();
		}
	});

	test('an import refused while the budget is full is sent again within a few seconds of the budget having room', async () => {
		// Another integration has just used all 100 imports of the account's window (16 s here).
		const full = Date.now();
		emulator.ac.importWindowMs = 16_000;
		emulator.ac.importTimes = Array.from({ length: 100 }, () => full);
		const run = await ac(withFirst, people(500, 'budgetlate'), { continueOnFail: true });
		expect(run.json.filter((j) => j.status === 'succeeded')).toHaveLength(500);
		const accepted = emulator.log.find((l) => l.path.endsWith('bulk_import') && l.status === 200)!;
		// Asked again after 1, 2, 4 s, then at most 5 s apart (one import asks; a refusal costs one
		// request). Before, the waits doubled up to 15 s: accepted 14 s after the budget had room.
		expect(accepted.at - (full + 16_000)).toBeLessThanOrEqual(6000);
	});

	test('an import ActiveCampaign reports interrupted: imported items succeed, the others fail, without waiting for the timeout', async () => {
		emulator.ac.importDelayMs = 1200;
		emulator.ac.importEndings = ['interrupted'];
		const input = people(20, 'interrupted');
		const started = Date.now();
		const run = await ac({ ...withFirst, options: { completionTimeout: 60 } }, input, { continueOnFail: true });
		expect(Date.now() - started).toBeLessThan(30_000);
		expectOnePerItem(run, 20);
		run.json.forEach((json, i) => {
			const contact = emulator.ac.findByEmail(input[i].email);
			if (contact) expect(json).toMatchObject({ status: 'succeeded' });
			else expect(json).toMatchObject({ status: 'failed', error: expect.stringMatching(/interrupted/) });
		});
		expect(run.json.filter((j) => j.status === 'succeeded')).toHaveLength(10);
		// It was seen as not started (false), then waiting/claimed/active before it ended.
		expect(emulator.count('GET /api/3/import/info')).toBeGreaterThanOrEqual(2);
	});

	test('past the Import Wait each item reports queued, and ActiveCampaign has indeed not imported it yet', async () => {
		emulator.ac.importDelayMs = 4000;
		const input = people(12, 'slowimport');
		const run = await ac({ ...withFirst, options: { completionTimeout: 1 } }, input, { continueOnFail: true });
		expectOnePerItem(run, 12);
		for (const json of run.json) expect(json).toMatchObject({ status: 'queued', batchId: expect.any(String), note: expect.stringMatching(/completion timeout/) });
		expect(emulator.ac.findByEmail('slowimport0@example.com')).toBeUndefined();
	});

	test('an import ActiveCampaign reports failed: every item fails with that reason', async () => {
		emulator.ac.importEndings = ['failed'];
		const run = await ac(withFirst, people(15, 'importfailed'), { continueOnFail: true });
		expectOnePerItem(run, 15);
		for (const json of run.json) expect(json).toMatchObject({ status: 'failed', error: expect.stringMatching(/failed/) });
		expect(emulator.ac.findByEmail('importfailed0@example.com')).toBeUndefined();
	});

	test('import/info answers of an unexpected shape never crash the node', async () => {
		for (const body of [undefined, [1, 2], { status: { odd: true }, success: 'x', failure: 7 }]) {
			emulator.faults.push({ kind: 'reply', method: 'GET', path: /import\/info$/, reply: { status: 200, body } });
		}
		const run = await ac(withFirst, people(12, 'oddshape'), { continueOnFail: true });
		expect(run.error).toBeUndefined();
		expectOnePerItem(run, 12);
		expect(run.json.every((j) => j.status === 'succeeded')).toBe(true);
	});

	test('the same address twice: one contact written, both items name each other, the last fields win', async () => {
		const input = people(12, 'dup');
		input[2] = { email: 'Twice@Example.com', first: 'First' };
		input[7] = { email: 'twice@example.com', first: 'Last' };
		const run = await ac(withFirst, input, { continueOnFail: true });
		expectOnePerItem(run, 12);
		const sent = emulator.log.filter((l) => l.path.endsWith('bulk_import')).flatMap((l) => (l.body as { contacts: Array<{ email: string }> }).contacts.map((c) => c.email.toLowerCase()));
		expect(sent.filter((e) => e === 'twice@example.com')).toHaveLength(1);
		expect(run.json[2]).toMatchObject({ email: 'Twice@Example.com', status: 'succeeded', mergedWith: [7] });
		expect(run.json[7]).toMatchObject({ email: 'twice@example.com', status: 'succeeded', mergedWith: [2] });
		expect(emulator.ac.findByEmail('twice@example.com')?.firstName).toBe('Last');
	});

	test.each([9, 11])('a contact who unsubscribed from a list stays unsubscribed with %i items', async (n) => {
		const list = emulator.ac.addList(`Policy ${n}`);
		const gone = emulator.ac.addContact({ email: `gone${n}@example.com` });
		emulator.ac.subscribe(gone.id, list.id, '2');
		const input = people(n, `policy${n}-`);
		input[0] = { email: gone.email, first: 'Gone' };
		const run = await ac({ ...withFirst, lists: [list.id] }, input, { continueOnFail: true });
		expectOnePerItem(run, n);
		expect(run.json.every((j) => j.status === 'succeeded')).toBe(true);
		expect(emulator.ac.contactLists.get(`${gone.id}:${list.id}`)?.status).toBe('2');
		expect(emulator.ac.findByEmail(gone.email)?.firstName).toBe('Gone');
		const fresh = emulator.ac.findByEmail(input[1].email as string)!;
		expect(emulator.ac.contactLists.get(`${fresh.id}:${list.id}`)?.status).toBe('1');
	});

	test('below 10 items, a contact whose write fails as a whole gets its error item; the others are written', async () => {
		const input = people(6, 'fewfail');
		const restore = faultOnCalls((method, path) => method === 'POST' && path.endsWith('/contact/sync'), 3, 3, 500);
		try {
			const run = await ac({ ...withFirst, limits: { requestsPerSecond: 1000, maxAttempts: 1 } }, input, { continueOnFail: true });
			expectOnePerItem(run, 6);
			const failed = run.json.filter((j) => j.status === 'failed');
			expect(failed).toHaveLength(1);
			expect(failed[0]).toMatchObject({ httpCode: '500' });
			run.json.forEach((json, i) => expect(Boolean(emulator.ac.findByEmail(input[i].email))).toBe(json.status === 'succeeded'));
		} finally {
			restore();
		}
	});

	test('below 10 items without Continue On Fail, the error says which contacts were already written', async () => {
		const restore = faultOnCalls((method, path) => method === 'POST' && path.endsWith('/contact/sync'), 1, 1, 500);
		try {
			const run = await ac({ ...withFirst, limits: { requestsPerSecond: 1000, maxAttempts: 1 } }, people(4, 'fewstop'));
			expect(run.error?.description).toMatch(/(Already written before this failure: \d of 4 items|Nothing was written before this failure)/);
			const written = people(4, 'fewstop').filter((p) => emulator.ac.findByEmail(p.email)).length;
			if (written) expect(run.error?.description).toContain(`Already written before this failure: ${written} of 4 items`);
		} finally {
			restore();
		}
	});

	test('Exclude Automations sends exclude_automations on every import, even for a few items', async () => {
		const run = await ac({ ...withFirst, options: { excludeAutomations: true } }, people(3, 'noauto'));
		expectOnePerItem(run, 3);
		expect(run.json.every((j) => j.status === 'succeeded')).toBe(true);
		expect(emulator.count('POST /api/3/contact/sync')).toBe(0);
		const bodies = emulator.log.filter((l) => l.path.endsWith('bulk_import')).map((l) => l.body as IDataObject);
		expect(bodies.length).toBeGreaterThan(0);
		expect(bodies.every((b) => b.exclude_automations === true)).toBe(true);
		expect(emulator.ac.findByEmail('noauto2@example.com')?.firstName).toBe('F2');
	});

	test('an address the node lets through but ActiveCampaign refuses is failed on its own item', async () => {
		const input = people(12, 'rfc');
		input[3] = { email: 'two..dots@example.com', first: 'X' };
		const run = await ac(withFirst, input, { continueOnFail: true });
		expectOnePerItem(run, 12);
		expect(run.json[3]).toMatchObject({ email: 'two..dots@example.com', status: 'failed', itemIndex: 3 });
		expect(emulator.ac.findByEmail('two..dots@example.com')).toBeUndefined();
		expect(run.json.filter((j) => j.status === 'succeeded')).toHaveLength(11);
	});

	/** 11 addresses ActiveCampaign refuses (the node lets them through) and one it takes, last. */
	const allButOneRefused = (email: string) => [...Array.from({ length: 11 }, (_, i) => ({ email: `refused..${i}@example.com`, first: 'X' })), { email, first: 'Lone' }];
	const loneImports = () => emulator.log.filter((l) => l.path.endsWith('bulk_import') && (l.body as { contacts: unknown[] }).contacts.length === 1);

	test('when ActiveCampaign refuses all but one contact of an import, the one left is written without a 1-contact import', async () => {
		const run = await ac(withFirst, allButOneRefused('lone@example.com'), { continueOnFail: true });
		expectOnePerItem(run, 12);
		expect(loneImports()).toHaveLength(0);
		expect(run.json[11]).toMatchObject({ email: 'lone@example.com', status: 'succeeded' });
		expect(emulator.ac.findByEmail('lone@example.com')?.firstName).toBe('Lone');
		expect(run.json.slice(0, 11).every((j) => j.status === 'failed')).toBe(true);
	});

	test('with Exclude Automations, a contact left alone is failed with the reason, never sent as a 1-contact import', async () => {
		const run = await ac({ ...withFirst, options: { excludeAutomations: true } }, allButOneRefused('lone-noauto@example.com'), { continueOnFail: true });
		expectOnePerItem(run, 12);
		expect(loneImports()).toHaveLength(0);
		expect(run.json[11]).toMatchObject({ email: 'lone-noauto@example.com', status: 'failed', error: expect.stringMatching(/1-contact import/) });
		expect(emulator.ac.findByEmail('lone-noauto@example.com')).toBeUndefined();

		const one = await ac({ ...withFirst, options: { excludeAutomations: true } }, [{ email: 'alone@example.com', first: 'A' }], { continueOnFail: true });
		expectOnePerItem(one, 1);
		expect(loneImports()).toHaveLength(0);
		expect(one.json[0]).toMatchObject({ email: 'alone@example.com', status: 'failed', error: expect.stringMatching(/Exclude Automations/) });
	});
});

describe('ActiveCampaign imports at the rate limit (issue 18)', () => {
	const imports = () => emulator.log.filter((l) => l.method === 'POST' && l.path.endsWith('/import/bulk_import'));
	const statusReads = () => emulator.log.filter((l) => l.method === 'GET' && l.path.endsWith('/import/info'));

	test('import statuses are read while the next imports are still being sent, about one read per import', async () => {
		emulator.ac.importDelayMs = 300;
		const input = people(3000, 'overlap');
		const run = await ac({ ...withFirst, limits: { requestsPerSecond: 5 } }, input);
		expect(run.error).toBeUndefined();
		expectOnePerItem(run, 3000);
		expect(run.json.every((j) => j.status === 'succeeded')).toBe(true);
		expect(imports()).toHaveLength(12);
		const lastImport = Math.max(...imports().map((l) => l.at));
		expect(statusReads().filter((l) => l.at < lastImport).length).toBeGreaterThanOrEqual(1);
		// The oldest unfinished import is asked about first, once it had time to finish: no read wasted.
		expect(statusReads().length).toBeLessThanOrEqual(12 + 3);
		for (const p of input) expect(emulator.ac.findByEmail(p.email)?.firstName).toBe(p.first);
	});

	test('imports in flight together: one refused with a 500 gives error items for its own contacts only (Continue On Fail)', async () => {
		const input = people(1250, 'parallelfail');
		const restore = faultOnCalls((method, path) => method === 'POST' && path.endsWith('bulk_import'), 3, 3, 500);
		try {
			const run = await ac(withFirst, input, { continueOnFail: true });
			expect(run.error).toBeUndefined();
			expectOnePerItem(run, 1250);
			const failed = run.json.filter((j) => j.status === 'failed');
			expect(failed).toHaveLength(250);
			expect(failed.every((j) => j.httpCode === '500')).toBe(true);
			run.json.forEach((json, i) => expect(Boolean(emulator.ac.findByEmail(input[i].email))).toBe(json.status === 'succeeded'));
		} finally {
			restore();
		}
	});

	test('without Continue On Fail, the error names every item written, also by imports that were in flight when one failed', async () => {
		emulator.ac.importDelayMs = 200;
		const input = people(1250, 'parallelstop');
		const restore = faultOnCalls((method, path) => method === 'POST' && path.endsWith('bulk_import'), 2, 2, 500);
		try {
			const run = await ac(withFirst, input);
			expect(run.error?.description).toMatch(/Already written before this failure: \d+ of 1250 items/);
			const named = new Set<number>();
			const ranges = /Already written before this failure: \d+ of 1250 items \(([^)]*)\)/.exec(String(run.error?.description))![1];
			for (const part of ranges.split(', ')) {
				const [from, to = from] = part.split('-').map(Number);
				for (let i = from; i <= to; i++) named.add(i);
			}
			// Exactly the contacts of the imports ActiveCampaign accepted are named: all in flight together.
			const accepted = new Set([...emulator.ac.imports.values()].flatMap((b) => b.contacts.map((c) => String(c.email))).filter((e) => e.startsWith('parallelstop')));
			input.forEach((p, i) => expect([i, accepted.has(p.email)]).toEqual([i, named.has(i)]));
			expect(named.size).toBeGreaterThan(250);
		} finally {
			restore();
		}
	});
});

describe('parameters read per item without n8n\'s expression engine (issue 18)', () => {
	// `={{ $json.x }}` is read from the item directly; `={{ ($json.x) }}` is the same expression in a
	// form only n8n's engine resolves. Both runs must write the same contacts and answer the same.
	const inputs = (prefix: string): IDataObject[] => [
		{ email: `${prefix}0@example.com`, 'first name': 'Ann', person: { last: 'Lee' }, phone: 5551234, tags: 'gold, vip' },
		{ email: `${prefix}1@example.com`, 'first name': 'Bo', person: { last: true }, phone: '555-0001', tags: '' },
		{ email: `${prefix}2@example.com`, person: null, phone: null, tags: 'gold' },
		{ email: `${prefix}3@example.com`, 'first name': '', person: { last: 'Kay' }, tags: 'silver' },
		...Array.from({ length: 8 }, (_, i) => ({ email: `${prefix}${i + 4}@example.com`, 'first name': `N${i}`, person: { last: `L${i}` }, phone: i, tags: 'bulk' })),
	];
	const parameters = (wrap: (path: string) => string) => ({
		email: `={{ ${wrap('$json.email')} }}`,
		tags: `={{ ${wrap('$json.tags')} }}`,
		additionalFields: { firstName: `={{ ${wrap('$json["first name"]')} }}`, lastName: `={{ ${wrap('$json.person.last')} }}`, phone: `={{ ${wrap('$json.phone')} }}` },
	});
	const written = (prefix: string, count: number) =>
		Array.from({ length: count }, (_, i) => {
			const c = emulator.ac.findByEmail(`${prefix}${i}@example.com`);
			const tags = c ? [...emulator.ac.contactTags.values()].filter((ct) => ct.contact === c.id).map((ct) => emulator.ac.tags.get(ct.tag)?.tag).sort() : undefined;
			return c && { firstName: c.firstName, lastName: c.lastName, phone: c.phone, tags };
		});
	const sameOutputs = (direct: IDataObject[], engine: IDataObject[]) =>
		expect(direct.map((j) => ({ ...j, email: String(j.email).replace('direct', 'engine') }))).toEqual(engine.map((j) => ({ ...j, batchId: direct[0].batchId })));

	test('bulk path: the same contacts, tags and outputs as n8n\'s engine gives', async () => {
		const direct = await ac(parameters((p) => p), inputs('direct'), { continueOnFail: true });
		const engine = await ac(parameters((p) => `(${p})`), inputs('engine'), { continueOnFail: true });
		expectOnePerItem(direct, 12);
		expect(direct.error).toBeUndefined();
		expect(engine.error).toBeUndefined();
		expect(written('direct', 12)).toEqual(written('engine', 12));
		expect(written('direct', 12)[0]).toMatchObject({ firstName: 'Ann', lastName: 'Lee', phone: '5551234', tags: ['gold', 'vip'] });
		sameOutputs(direct.json, engine.json);
	});

	test('a field that is not text (an object, a list) is refused naming the item, as n8n\'s engine would have it', async () => {
		const bad = (prefix: string) => [...inputs(prefix).slice(4), { email: { nested: true }, person: { last: ['x'] } }];
		const direct = await ac(parameters((p) => p), bad('direct'), { continueOnFail: true });
		const engine = await ac(parameters((p) => `(${p})`), bad('engine'), { continueOnFail: true });
		expectOnePerItem(direct, 9);
		expect(direct.json[8]).toMatchObject({ itemIndex: 8 });
		expect(direct.json[8].error).toEqual(engine.json[8].error);
	});

	test('a field n8n\'s engine refuses to read (caller, arguments, binding, ".constructor", "}}" in a name) is refused the same way, never read past it', async () => {
		// n8n's expression sandbox blocks these names ("Cannot access ... due to security concerns"),
		// in dot and bracket form alike, refuses any ".constructor" in the text, and ends an expression
		// at the first "}}": a contact must not be written through them on one path only.
		const paths = ['$json.caller', '$json["arguments"]', '$json.person.binding', '$json["x.constructor"]', '$json["a}}b"]'];
		for (const [index, path] of paths.entries()) {
			const item = (prefix: string) => [
				{
					caller: `${prefix}c${index}@example.com`,
					arguments: `${prefix}a${index}@example.com`,
					person: { binding: `${prefix}b${index}@example.com` },
					'x.constructor': `${prefix}x${index}@example.com`,
					'a}}b': `${prefix}y${index}@example.com`,
				},
			];
			const direct = await ac({ email: `={{ ${path} }}` }, item('directsafe'), { continueOnFail: true });
			const engine = await ac({ email: `={{ (${path}) }}` }, item('enginesafe'), { continueOnFail: true });
			expect(engine.json[0]).toMatchObject({ error: expect.any(String), itemIndex: 0 });
			expectOnePerItem(direct, 1);
			expect(direct.json[0].error).toEqual(engine.json[0].error);
			for (const letter of 'cabxy') expect(emulator.ac.findByEmail(`directsafe${letter}${index}@example.com`)).toBeUndefined();
		}
	});
});

describe('yes/no options given by an expression (issue 18: Overwrite Status on and off)', () => {
	// An expression gives what the item holds: from a sheet or a CSV that is the text "true" or
	// "yes", not a boolean. The node reads them as it reads VIP (true/false, yes/no, 1/0), and refuses
	// anything else naming the item and the option; it never takes them silently as off.
	test('Mailchimp: Overwrite Status "true" from the item overwrites; "maybe" is refused naming the item and the option', async () => {
		emulator.mc.addMember(AUD, 'owtext0@example.com', 'subscribed', { FNAME: 'Old' });
		emulator.mc.addMember(AUD, 'owtext1@example.com', 'subscribed', { FNAME: 'Old' });
		const input = [
			{ email: 'owtext0@example.com', first: 'A', force: 'true' },
			{ email: 'owtext1@example.com', first: 'B', force: 'no' },
			{ email: 'owtext2@example.com', first: 'C', force: 'maybe' },
		];
		const run = await mc(
			{ status: 'unsubscribed', additionalFields: { ...mcFirst.additionalFields, overwriteStatus: '={{ $json.force }}' } },
			input,
			{ continueOnFail: true },
		);
		expectOnePerItem(run, 3);
		expect(run.json[0]).toMatchObject({ status: 'updated', memberStatus: 'unsubscribed' });
		expect(member('owtext0@example.com')?.status).toBe('unsubscribed');
		expect(run.json[1]).toMatchObject({ status: 'updated', memberStatus: 'subscribed' });
		expect(member('owtext1@example.com')?.status).toBe('subscribed');
		expect(run.json[2]).toMatchObject({ itemIndex: 2, error: expect.stringMatching(/Overwrite Status.*item 2/) });
		expect(member('owtext2@example.com')).toBeUndefined();
	});

	test('ActiveCampaign: Exclude Automations "yes" and Wait for Completion "false" from the item are applied', async () => {
		const input = people(12, 'acopttext').map((p) => ({ ...p, noauto: 'yes', wait: 'false' }));
		const run = await ac({ ...withFirst, options: { excludeAutomations: '={{ $json.noauto }}', waitForCompletion: '={{ $json.wait }}' } }, input, { continueOnFail: true });
		expectOnePerItem(run, 12);
		const bodies = emulator.log.filter((l) => l.path.endsWith('bulk_import')).map((l) => l.body as IDataObject);
		expect(bodies.length).toBeGreaterThan(0);
		expect(bodies.every((b) => b.exclude_automations === true)).toBe(true);
		for (const json of run.json) expect(json).toMatchObject({ status: 'queued', batchId: expect.any(String) });
		expect(emulator.count('GET /api/3/import/info')).toBe(0);
	});

	test('ActiveCampaign: an option that is not yes or no is refused before anything is written', async () => {
		const input = people(12, 'acoptbad').map((p) => ({ ...p, over: 'sometimes' }));
		const run = await ac({ ...withFirst, options: { overwriteStatus: '={{ $json.over }}' } }, input);
		expect(run.error?.message).toMatch(/Overwrite Status.*not true or false/);
		expect(emulator.log.filter((l) => l.method === 'POST')).toHaveLength(0);
	});
});

describe('Mailchimp Create or Update Many: one truthful outcome per item', () => {
	test('a batch call that fails as a whole becomes error items for that call only (Continue On Fail)', async () => {
		// Calls go out in parallel: the second to arrive fails, whichever chunk it carries.
		const restore = faultOnCalls((method, path) => method === 'POST' && path === `/3.0/lists/${AUD}`, 2, 2, 500);
		try {
			const input = people(1200, 'mcchunk');
			const run = await mc({ ...mcFirst, limits: { maxAttempts: 1 } }, input, { continueOnFail: true });
			expect(run.error).toBeUndefined();
			expectOnePerItem(run, 1200);
			const failed = run.json.map((json, i) => (json.status === 'failed' ? i : -1)).filter((i) => i >= 0);
			// Exactly one call's items: 0-499, 500-999 or 1000-1199.
			expect([[0, 499], [500, 999], [1000, 1199]].map(([a, b]) => `${a}-${b}`)).toContain(`${failed[0]}-${failed[failed.length - 1]}`);
			expect(failed.length).toBe(failed[failed.length - 1] - failed[0] + 1);
			run.json.forEach((json, i) => {
				if (failed.includes(i)) {
					expect(json).toMatchObject({ email: input[i].email, status: 'failed', httpCode: '500', itemIndex: i });
					expect(member(input[i].email)).toBeUndefined();
				} else {
					expect(json).toMatchObject({ email: input[i].email, status: 'created' });
					expect(member(input[i].email)?.merge_fields.FNAME).toBe(`F${i}`);
				}
			});
		} finally {
			restore();
		}
	});

	test('without Continue On Fail the error says how many items were already written, and which', async () => {
		const restore = faultOnCalls((method, path) => method === 'POST' && path === `/3.0/lists/${AUD}`, 2, 99, 500);
		try {
			const input = people(700, 'mcstop');
			const run = await mc({ ...mcFirst, limits: { maxAttempts: 2 } }, input);
			// The chunks (0-499, 500-699) go out in parallel: the first to arrive is written.
			const written = input.map((p, i) => (member(p.email) ? i : -1)).filter((i) => i >= 0);
			expect([500, 200]).toContain(written.length);
			const range = written.length === 500 ? '0-499' : '500-699';
			expect(run.error?.description).toContain(`Already written before this failure: ${written.length} of 700 items (${range})`);
			expect(run.error?.description).toContain(`The failed request carried items ${written.length === 500 ? '500-699' : '0-499'}`);
		} finally {
			restore();
		}
	});

	test('existing members whose PUT fails as a whole get error items; the rest are created or updated', async () => {
		// Pending members are written with PUT (writing `pending` again in a batch could send a new confirmation email).
		for (let i = 0; i < 4; i++) emulator.mc.addMember(AUD, `putfail${i}@example.com`, 'pending', { FNAME: 'Old' });
		const input = people(8, 'putfail');
		const restore = faultOnCalls((method, path) => method === 'PUT' && path.includes('/members/'), 1, 1, 500);
		try {
			const run = await mc({ ...mcFirst, limits: { maxAttempts: 1 } }, input, { continueOnFail: true });
			expectOnePerItem(run, 8);
			expect(run.json.filter((j) => j.status === 'failed')).toHaveLength(1);
			expect(run.json.filter((j) => j.status === 'updated')).toHaveLength(3);
			expect(run.json.slice(4).every((j) => j.status === 'created')).toBe(true);
			run.json.forEach((json, i) => {
				const fname = member(input[i].email)?.merge_fields.FNAME;
				expect(fname).toBe(json.status === 'failed' ? 'Old' : `F${i}`);
			});
		} finally {
			restore();
		}
	});

	test('the same address twice: one member written and created, both items name each other, the last fields win', async () => {
		const input = [{ email: 'Twice@Example.com', first: 'First' }, { email: 'other@example.com', first: 'O' }, { email: 'twice@example.com', first: 'Last' }];
		const run = await mc(mcFirst, input, { continueOnFail: true });
		expectOnePerItem(run, 3);
		expect(run.json[0]).toMatchObject({ email: 'Twice@Example.com', status: 'created', mergedWith: [2] });
		expect(run.json[2]).toMatchObject({ email: 'twice@example.com', status: 'created', mergedWith: [0] });
		expect(member('twice@example.com')?.merge_fields.FNAME).toBe('Last');
	});

	test('5,000 items with one address: one member, every item answered, each naming at most 20 others', async () => {
		const input = Array.from({ length: 5000 }, (_, i) => ({ email: i % 2 ? 'same@example.com' : 'SAME@example.com', first: `V${i}` }));
		const run = await mc(mcFirst, input, { continueOnFail: true });
		expectOnePerItem(run, 5000);
		expect(emulator.count('POST /3.0/lists/:listId')).toBe(1);
		for (const json of run.json) {
			expect(json).toMatchObject({ status: 'created', mergedCount: 5000 });
			expect((json.mergedWith as number[]).length).toBe(20);
		}
		expect(member('same@example.com')?.merge_fields.FNAME).toBe('V4999');
	});

	test('existing members keep their status; an unsubscribed one is updated, not re-subscribed and not failed', async () => {
		emulator.mc.addMember(AUD, 'left@example.com', 'unsubscribed', { FNAME: 'Old' });
		emulator.mc.addMember(AUD, 'stays@example.com', 'subscribed', { FNAME: 'Old' });
		const input = [
			{ email: 'left@example.com', first: 'New' },
			{ email: 'stays@example.com', first: 'New' },
			{ email: 'newcomer@example.com', first: 'New' },
		];
		const run = await mc(mcFirst, input, { continueOnFail: true });
		expectOnePerItem(run, 3);
		expect(run.json[0]).toMatchObject({ email: 'left@example.com', status: 'updated', memberStatus: 'unsubscribed' });
		expect(run.json[1]).toMatchObject({ email: 'stays@example.com', status: 'updated', memberStatus: 'subscribed' });
		expect(run.json[2]).toMatchObject({ email: 'newcomer@example.com', status: 'created', memberStatus: 'subscribed' });
		expect(member('left@example.com')).toMatchObject({ status: 'unsubscribed', merge_fields: { FNAME: 'New' } });
		expect(member('newcomer@example.com')?.status).toBe('subscribed');
	});

	test('Overwrite Status sets the status on existing members; Mailchimp refuses an unsubscribed one, reported on its item', async () => {
		emulator.mc.addMember(AUD, 'ow-left@example.com', 'unsubscribed');
		emulator.mc.addMember(AUD, 'ow-pending@example.com', 'pending');
		const input = [{ email: 'ow-left@example.com' }, { email: 'ow-pending@example.com' }];
		const run = await mc({ additionalFields: { overwriteStatus: true } }, input, { continueOnFail: true });
		expectOnePerItem(run, 2);
		expect(run.json[0]).toMatchObject({ status: 'failed', error: expect.stringMatching(/Member In Compliance State/), itemIndex: 0 });
		expect(run.json[1]).toMatchObject({ status: 'updated', memberStatus: 'subscribed' });
		expect(member('ow-left@example.com')?.status).toBe('unsubscribed');
		expect(member('ow-pending@example.com')?.status).toBe('subscribed');
	});

	test('an address the node lets through but Mailchimp refuses is failed on its own item', async () => {
		const run = await mc(mcFirst, [{ email: 'fine@example.com' }, { email: 'dots..twice@example.com' }], { continueOnFail: true });
		expectOnePerItem(run, 2);
		expect(run.json[0]).toMatchObject({ status: 'created' });
		expect(run.json[1]).toMatchObject({ status: 'failed', itemIndex: 1 });
		expect(member('dots..twice@example.com')).toBeUndefined();
	});
});

describe('retried writes that already succeeded', () => {
	const timeoutFast = { limits: { timeoutSeconds: 1, requestsPerSecond: 1000 } };

	test('ActiveCampaign Delete: the first attempt deleted, the answer was lost, the retry gets 404: reported deleted', async () => {
		const contact = emulator.ac.addContact({ email: 'retried-delete@example.com' });
		emulator.faults.push({ kind: 'hang-after-write', method: 'DELETE', path: /\/contacts\/\d+$/ });
		const run = await runNode(emulator, 'activeCampaign', { resource: 'contact', operation: 'delete', contact: { __rl: true, mode: 'id', value: contact.id }, ...timeoutFast } as never);
		expect(run.error).toBeUndefined();
		expect(run.json).toEqual([{ deleted: true }]);
		expect(emulator.ac.contacts.has(contact.id)).toBe(false);
	});

	test('ActiveCampaign Delete of an id that never existed still fails, naming it', async () => {
		const run = await runNode(emulator, 'activeCampaign', { resource: 'contact', operation: 'delete', contact: { __rl: true, mode: 'id', value: '999999' }, ...timeoutFast } as never);
		expect(run.error?.message).toMatch(/could not find contact 999999/);
	});

	test('Mailchimp Archive: the retry gets 404 after the first attempt archived: reported archived', async () => {
		emulator.mc.addMember(AUD, 'retried-archive@example.com');
		emulator.faults.push({ kind: 'hang-after-write', method: 'DELETE', path: /\/members\/[0-9a-f]{32}$/ });
		const run = await runNode(emulator, 'mailchimp', { resource: 'member', operation: 'archive', audience, email: 'retried-archive@example.com', ...timeoutFast } as never);
		expect(run.error).toBeUndefined();
		expect(run.json).toEqual([{ archived: true, email: 'retried-archive@example.com' }]);
		expect(member('retried-archive@example.com')?.status).toBe('archived');
	});

	test('Mailchimp Update changing the email: the retry gets 404 after the first attempt worked: reported with the member', async () => {
		emulator.mc.addMember(AUD, 'old-address@example.com');
		emulator.faults.push({ kind: 'hang-after-write', method: 'PATCH', path: /\/members\/[0-9a-f]{32}$/ });
		const run = await runNode(
			emulator,
			'mailchimp',
			{ resource: 'member', operation: 'update', audience, email: 'old-address@example.com', updateFields: { emailAddress: 'new-address@example.com' }, ...timeoutFast } as never,
		);
		expect(run.error).toBeUndefined();
		expect(run.json[0]).toMatchObject({ email_address: 'new-address@example.com', id: subscriberHash('new-address@example.com') });
	});
});

describe('Mailchimp Create or Update Many: existing members at batch cost, their status kept (issue 18)', () => {
	/** Which kind of member item i is: the first 50 of every 50 cycle through every kind, the rest are new or existing. */
	const KINDS = ['unsubscribed', 'new', 'cleaned', 'subscribed', 'pending', 'archived'] as const;
	const kindOf = (i: number): (typeof KINDS)[number] => (i % 50 < KINDS.length ? KINDS[i % 50] : i % 2 ? 'new' : i % 10 === 0 ? 'unsubscribed' : 'subscribed');
	let audiences = 0;

	/** A fresh audience holding the existing kinds of `n` items, with FNAME "Old". */
	function seed(n: number, prefix: string): { id: string; input: IDataObject[] } {
		const id = `audKeep${++audiences}`;
		emulator.mc.addList(id, `Keep ${audiences}`);
		const input = people(n, prefix);
		input.forEach((p, i) => {
			const kind = kindOf(i);
			if (kind !== 'new') emulator.mc.addMember(id, p.email, kind, { FNAME: 'Old' });
		});
		return { id, input };
	}
	const memberOf = (id: string, email: string) => emulator.mc.lists.get(id)!.members.get(subscriberHash(email));

	test.each([3, 499, 501, 5000])('Overwrite Status off, %i items: every existing member keeps its status, every item is written and answered', async (n) => {
		const { id, input } = seed(n, `keep${n}-`);
		const run = await mc({ ...mcFirst, audience: { __rl: true, mode: 'id', value: id } }, input, { continueOnFail: true });
		expect(run.error).toBeUndefined();
		expectOnePerItem(run, n);
		run.json.forEach((json, i) => {
			const kind = kindOf(i);
			const now = memberOf(id, input[i].email as string);
			expect(now?.merge_fields.FNAME).toBe(`F${i}`);
			if (kind === 'new') {
				expect(json).toMatchObject({ email: input[i].email, status: 'created', memberStatus: 'subscribed' });
				expect(now?.status).toBe('subscribed');
			} else {
				expect(json).toMatchObject({ email: input[i].email, status: 'updated', memberStatus: kind });
				expect(now?.status).toBe(kind);
			}
		});
	});

	test.each([3, 499, 501, 5000])('Overwrite Status on, %i items: the status is set, but unsubscribed and cleaned members are never subscribed again', async (n) => {
		const { id, input } = seed(n, `over${n}-`);
		const run = await mc({ ...mcFirst, audience: { __rl: true, mode: 'id', value: id }, additionalFields: { ...mcFirst.additionalFields, overwriteStatus: true } }, input, {
			continueOnFail: true,
		});
		expect(run.error).toBeUndefined();
		expectOnePerItem(run, n);
		run.json.forEach((json, i) => {
			const kind = kindOf(i);
			const now = memberOf(id, input[i].email as string);
			if (kind === 'unsubscribed' || kind === 'cleaned') {
				expect(json).toMatchObject({ status: 'failed', error: expect.stringMatching(/Compliance State/), itemIndex: i });
				expect(now?.status).toBe(kind);
			} else {
				expect(json).toMatchObject({ status: kind === 'new' ? 'created' : 'updated', memberStatus: 'subscribed' });
				expect(now?.status).toBe('subscribed');
				expect(now?.merge_fields.FNAME).toBe(`F${i}`);
			}
		});
	});

	test('1,000 existing members (every 10th unsubscribed) cost one read of the audience and two batch calls, no PUT', async () => {
		const id = `audKeep${++audiences}`;
		emulator.mc.addList(id, 'Existing');
		const input = people(1000, 'cheap');
		input.forEach((p, i) => emulator.mc.addMember(id, p.email, i % 10 === 0 ? 'unsubscribed' : 'subscribed', { FNAME: 'Old' }));
		const run = await mc({ ...mcFirst, audience: { __rl: true, mode: 'id', value: id } }, input, { continueOnFail: true });
		expectOnePerItem(run, 1000);
		expect(run.json.every((j) => j.status === 'updated')).toBe(true);
		expect(emulator.count('PUT /3.0/lists/:listId/members/:hash')).toBe(0);
		expect(emulator.count('POST /3.0/lists/:listId')).toBe(2);
		// The audience's one page, and nothing else: read in one request, it leaves the batch calls
		// the same one-round window a read of the members changed since would leave them.
		expect(emulator.count('GET /3.0/lists/:listId/members')).toBe(1);
		input.forEach((p, i) => expect(memberOf(id, p.email)).toMatchObject({ status: i % 10 === 0 ? 'unsubscribed' : 'subscribed', merge_fields: { FNAME: `F${i}` } }));
	});

	test('a few members of a big audience: only the first page is read (the rest would cost more than the PUTs), statuses still kept', async () => {
		const id = `audKeep${++audiences}`;
		emulator.mc.addList(id, 'Big');
		for (let i = 0; i < 3000; i++) emulator.mc.addMember(id, `big${i}@example.com`, i % 2 ? 'unsubscribed' : 'subscribed', { FNAME: 'Old' });
		// big1 is on the first page of 1,000; big2501 is not; the third is new.
		const input = [{ email: 'big1@example.com', first: 'A' }, { email: 'big2501@example.com', first: 'B' }, { email: 'bignew@example.com', first: 'C' }];
		const run = await mc({ ...mcFirst, audience: { __rl: true, mode: 'id', value: id } }, input, { continueOnFail: true });
		expectOnePerItem(run, 3);
		expect(emulator.log.filter((l) => l.method === 'GET' && l.path.endsWith('/members') && !l.rawUrl.includes('since_last_changed'))).toHaveLength(1);
		expect(run.json[0]).toMatchObject({ status: 'updated', memberStatus: 'unsubscribed' });
		expect(run.json[1]).toMatchObject({ status: 'updated', memberStatus: 'unsubscribed' });
		expect(run.json[2]).toMatchObject({ status: 'created', memberStatus: 'subscribed' });
		expect(memberOf(id, 'big1@example.com')).toMatchObject({ status: 'unsubscribed', merge_fields: { FNAME: 'A' } });
		expect(memberOf(id, 'big2501@example.com')).toMatchObject({ status: 'unsubscribed', merge_fields: { FNAME: 'B' } });
	});

	test('new members for a big audience: the whole audience is read only when that costs less than half the PUTs it could save', async () => {
		// 4 members and an audience of 3 pages: reading it all costs 3 requests, which all 4 being new
		// would waste, against at most 4 PUTs saved if all exist. Only the first page is read.
		const id = `audKeep${++audiences}`;
		emulator.mc.addList(id, 'Big new');
		for (let i = 0; i < 3000; i++) emulator.mc.addMember(id, `bn${i}@example.com`, 'subscribed', { FNAME: 'Old' });
		const input = people(4, 'bnfresh');
		const run = await mc({ ...mcFirst, audience: { __rl: true, mode: 'id', value: id } }, input, { continueOnFail: true });
		expectOnePerItem(run, 4);
		expect(run.json.every((j) => j.status === 'created')).toBe(true);
		expect(emulator.log.filter((l) => l.method === 'GET' && l.path.endsWith('/members') && !l.rawUrl.includes('since_last_changed'))).toHaveLength(1);
		expect(emulator.count('POST /3.0/lists/:listId')).toBe(1);
	});

	test('a member who unsubscribes while the run is under way is still unsubscribed after it, with the new fields', async () => {
		const id = `audKeep${++audiences}`;
		emulator.mc.addList(id, 'Race');
		const input = people(20, 'race');
		for (const p of input) emulator.mc.addMember(id, p.email, 'subscribed', { FNAME: 'Old' });
		// Read as subscribed; the person unsubscribes (an unsubscribe link) before the batch call arrives.
		emulator.beforeAnswer = ({ method, path }) => {
			if (method === 'POST' && path === `/3.0/lists/${id}`) memberOf(id, 'race7@example.com')!.status = 'unsubscribed';
		};
		try {
			const run = await mc({ ...mcFirst, audience: { __rl: true, mode: 'id', value: id } }, input, { continueOnFail: true });
			expectOnePerItem(run, 20);
			expect(run.json[7]).toMatchObject({ status: 'updated', memberStatus: 'unsubscribed' });
			expect(memberOf(id, 'race7@example.com')).toMatchObject({ status: 'unsubscribed', merge_fields: { FNAME: 'F7' } });
			expect(run.json.filter((j) => j.status === 'updated')).toHaveLength(20);
		} finally {
			emulator.beforeAnswer = undefined;
		}
	});
});

describe('Mailchimp Create or Update Many: a batch call sent again reports only what is known (issue 17, section 5)', () => {
	test('the answer is lost after Mailchimp created the members: none of them is reported updated', async () => {
		const input = people(5, 'lostbatch');
		emulator.faults.push({ kind: 'hang-after-write', method: 'POST', path: new RegExp(`^/3.0/lists/${AUD}$`) });
		const run = await mc({ ...mcFirst, limits: { timeoutSeconds: 1 } }, input, { continueOnFail: true });
		expect(run.error).toBeUndefined();
		expectOnePerItem(run, 5);
		run.json.forEach((json, i) => {
			expect(json.status).not.toBe('updated');
			expect(json).toMatchObject({ email: input[i].email, status: 'succeeded', note: expect.stringMatching(/created or updated/) });
			expect(member(input[i].email)?.merge_fields.FNAME).toBe(`F${i}`);
		});
	});
});

describe('Mailchimp Create or Update Many: a batch call whose first answer was lost, then refused with a 500', () => {
	// The first attempt is handled (the members are written) and its answer never comes; the repeat
	// gets a 500 until the attempts are spent. Whether the call wrote is not known: the items must
	// not read as plainly failed (a user would send them again as never written).
	const lostThen500 = (prefix: string) => {
		emulator.faults.push({ kind: 'hang-after-write', method: 'POST', path: new RegExp(`^/3.0/lists/${AUD}$`) });
		emulator.faults.push({ kind: 500, method: 'POST', path: new RegExp(`^/3.0/lists/${AUD}$`), times: 5 });
		return people(4, prefix);
	};
	const limits = { limits: { timeoutSeconds: 1, maxAttempts: 2 } };

	test('Continue On Fail: each item is failed with the note that Mailchimp may still have applied the call', async () => {
		const input = lostThen500('lost500a');
		const run = await mc({ ...mcFirst, ...limits }, input, { continueOnFail: true });
		expectOnePerItem(run, 4);
		run.json.forEach((json, i) => {
			expect(member(input[i].email)?.merge_fields.FNAME).toBe(`F${i}`);
			expect(json).toMatchObject({ email: input[i].email, status: 'failed', httpCode: '500', note: expect.stringMatching(/may still have applied/) });
		});
	});

	test('without Continue On Fail: the error says the failed call may still have been applied', async () => {
		const input = lostThen500('lost500b');
		const run = await mc({ ...mcFirst, ...limits }, input);
		input.forEach((p, i) => expect(member(p.email)?.merge_fields.FNAME).toBe(`F${i}`));
		expect(run.error?.description).toContain('The failed request carried items 0-3');
		expect(run.error?.description).toMatch(/carried items 0-3 \([^)]*may still have applied/);
	});
});

describe('Mailchimp Create or Update Many: a batch call sent again, with existing members and Overwrite Status', () => {
	test('whichever call loses its answer, members that existed are updated and new ones are never reported updated', async () => {
		const id = 'audLostMix';
		emulator.mc.addList(id, 'Lost mix');
		const input = people(12, 'lostmix');
		input.slice(0, 6).forEach((p) => emulator.mc.addMember(id, p.email, 'subscribed', { FNAME: 'Old' }));
		emulator.faults.push({ kind: 'hang-after-write', method: 'POST', path: new RegExp(`^/3.0/lists/${id}$`) });
		const run = await mc({ ...mcFirst, audience: { __rl: true, mode: 'id', value: id }, limits: { timeoutSeconds: 1 } }, input, { continueOnFail: true });
		expectOnePerItem(run, 12);
		run.json.forEach((json, i) => {
			if (i < 6) expect(json).toMatchObject({ status: 'updated', memberStatus: 'subscribed' });
			else expect(['created', 'succeeded']).toContain(json.status);
			if (json.status === 'succeeded') expect(json.note).toMatch(/created or updated is not known/);
			expect(emulator.mc.lists.get(id)!.members.get(subscriberHash(input[i].email))?.merge_fields.FNAME).toBe(`F${i}`);
		});
	});

	test('Overwrite Status: a lost answer, sent again, reports the members it may have created as succeeded with a note', async () => {
		const input = people(4, 'lostover');
		emulator.faults.push({ kind: 'hang-after-write', method: 'POST', path: new RegExp(`^/3.0/lists/${AUD}$`) });
		const run = await mc({ ...mcFirst, additionalFields: { ...mcFirst.additionalFields, overwriteStatus: true }, limits: { timeoutSeconds: 1 } }, input, { continueOnFail: true });
		expectOnePerItem(run, 4);
		for (const json of run.json) expect(json).toMatchObject({ status: 'succeeded', memberStatus: 'subscribed', note: expect.stringMatching(/created or updated is not known/) });
	});
});

describe('Mailchimp Create or Update Many: statuses that change after the audience was read (real clock)', () => {
	let wall: Emulator;
	beforeAll(async () => {
		wall = await startEmulator({ clock: 'wall' });
	});
	afterAll(() => wall.stop());

	/** Whether a logged request is a read of the members changed (or archived) since a time. */
	const sinceReads = () => wall.log.filter((l) => l.method === 'GET' && l.path.endsWith('/members') && l.rawUrl.includes('since_last_changed'));

	/**
	 * A wall-clock audience `id` holding the input's members (`statusOf` each) and, with `filler`,
	 * that many more members: over 1,000 in all, the audience takes two pages to read, and the node
	 * reads the members changed since before its batch calls. All last changed an hour ago, so that
	 * read finds only what the test changes.
	 */
	function seedWall(id: string, input: ReturnType<typeof people>, statusOf: (i: number) => string, filler = 0) {
		wall.mc.addList(id, id);
		const hourAgo = new Date(Date.now() - 3_600_000).toISOString().replace(/\.\d{3}Z$/, '+00:00');
		input.forEach((p, i) => (wall.mc.addMember(id, p.email, statusOf(i), { FNAME: 'Old' }).last_changed = hourAgo));
		for (let i = 0; i < filler; i++) wall.mc.addMember(id, `${id}-filler${i}@example.com`, 'subscribed', { FNAME: 'Old' }).last_changed = hourAgo;
	}

	/**
	 * Runs Create or Update Many on a wall-clock audience; `change` runs once, after the audience was
	 * read (every page of it) and before the node's next request is answered. Returns the run and
	 * whether the change happened.
	 */
	async function upsertAfterChange(id: string, input: ReturnType<typeof people>, change: () => void) {
		let read = false;
		let changed = false;
		wall.resetCounts();
		wall.beforeAnswer = ({ method, path, query }) => {
			if (method === 'GET' && path.endsWith('/members') && !query.get('since_last_changed')) {
				read = true;
				return;
			}
			if (!read || changed) return;
			changed = true;
			change();
		};
		try {
			const run = await runNode(wall, 'mailchimp', { resource: 'member', operation: 'upsertMany', audience: { __rl: true, mode: 'id', value: id }, email: '={{ $json.email }}', status: 'subscribed', ...mcFirst } as never, input, {
				continueOnFail: true,
			});
			return { run, changed };
		} finally {
			wall.beforeAnswer = undefined;
		}
	}

	test('a member who signs up again, and one unsubscribed by another app, keep the status they have now', async () => {
		const id = 'audWall1';
		const input = people(30, 'wall');
		seedWall(id, input, (i) => (i === 3 ? 'unsubscribed' : 'subscribed'), 1000);
		const now = (email: string) => wall.mc.lists.get(id)!.members.get(subscriberHash(email))!;
		// After the audience was read, before the next request: wall3 signs up again, and another app
		// unsubscribes wall5 (an account's own unsubscribe, which Mailchimp may let the account undo).
		const { run, changed } = await upsertAfterChange(id, input, () => {
			Object.assign(now('wall3@example.com'), { status: 'subscribed', last_changed: wall.mc.now() });
			Object.assign(now('wall5@example.com'), { status: 'unsubscribed', last_changed: wall.mc.now() });
		});
		expectOnePerItem(run, 30);
		expect(changed).toBe(true);
		// Two pages read: the members changed since, and those archived since, are read again.
		expect(sinceReads()).toHaveLength(2);
		// Only those two are written with PUT; the other 28 go in the batch call.
		expect(wall.count('PUT /3.0/lists/:listId/members/:hash')).toBe(2);
		expect(run.json[3]).toMatchObject({ status: 'updated', memberStatus: 'subscribed' });
		expect(run.json[5]).toMatchObject({ status: 'updated', memberStatus: 'unsubscribed' });
		expect(now('wall3@example.com')).toMatchObject({ status: 'subscribed', merge_fields: { FNAME: 'F3' } });
		expect(now('wall5@example.com')).toMatchObject({ status: 'unsubscribed', merge_fields: { FNAME: 'F5' } });
		expect(run.json.every((j) => j.status === 'updated')).toBe(true);
	});

	test('a member archived by another app after the audience was read stays archived, as one archived before the run does', async () => {
		const id = 'audWallArchived';
		const input = people(30, 'warch');
		seedWall(id, input, (i) => (i === 4 ? 'unsubscribed' : 'subscribed'), 1000);
		const now = (email: string) => wall.mc.lists.get(id)!.members.get(subscriberHash(email))!;
		// After the audience was read (warch2 subscribed, warch4 unsubscribed), another app archives both.
		const { run, changed } = await upsertAfterChange(id, input, () => {
			for (const email of ['warch2@example.com', 'warch4@example.com']) Object.assign(now(email), { status: 'archived', last_changed: wall.mc.now() });
		});
		expectOnePerItem(run, 30);
		expect(changed).toBe(true);
		expect(sinceReads()).toHaveLength(2);
		expect(wall.count('PUT /3.0/lists/:listId/members/:hash')).toBe(2);
		for (const i of [2, 4]) {
			expect(now(`warch${i}@example.com`).status).toBe('archived');
			expect(run.json[i]).toMatchObject({ status: 'updated', memberStatus: 'archived' });
		}
	});

	test('an audience read in one request: no read of the members changed since, and a member who unsubscribes after the read stays unsubscribed', async () => {
		const id = 'audWallOnePage';
		const input = people(30, 'wone');
		seedWall(id, input, () => 'subscribed');
		const now = (email: string) => wall.mc.lists.get(id)!.members.get(subscriberHash(email))!;
		// Read as subscribed; wone6 unsubscribes (an unsubscribe link) before the next request is
		// answered. Mailchimp refuses the batch call's `subscribed` for it (Member In Compliance State).
		const { run, changed } = await upsertAfterChange(id, input, () => {
			Object.assign(now('wone6@example.com'), { status: 'unsubscribed', last_changed: wall.mc.now() });
		});
		expectOnePerItem(run, 30);
		expect(changed).toBe(true);
		expect(sinceReads()).toHaveLength(0);
		expect(wall.log.filter((l) => l.method === 'GET' && l.path.endsWith('/members'))).toHaveLength(1);
		expect(run.json[6]).toMatchObject({ status: 'updated', memberStatus: 'unsubscribed' });
		expect(now('wone6@example.com')).toMatchObject({ status: 'unsubscribed', merge_fields: { FNAME: 'F6' } });
		expect(run.json.every((j) => j.status === 'updated')).toBe(true);
		input.forEach((p, i) => i !== 6 && expect(now(p.email)).toMatchObject({ status: 'subscribed', merge_fields: { FNAME: `F${i}` } }));
	});

	test('members kept with the status read are sent before a run\'s other batch calls fill the 10 connections: one who signs up again meanwhile stays subscribed', async () => {
		// One run: 20 members to keep in a one-page audience (wkeep3 read as unsubscribed), and 5,000
		// members with Overwrite Status on for another audience (10 batch calls, as many as Mailchimp's
		// connections). The kept members' call carries statuses read before it: if it waits behind the
		// 10 others, someone who signs up again while they run is written back unsubscribed.
		const [kept, forced] = ['audWallKeepFirst', 'audWallForced'];
		const inKept = people(20, 'wkeep');
		seedWall(kept, inKept, (i) => (i === 3 ? 'unsubscribed' : 'subscribed'));
		wall.mc.addList(forced, forced);
		const inForced = people(5000, 'wforced');
		const now = (email: string) => wall.mc.lists.get(kept)!.members.get(subscriberHash(email))!;
		wall.resetCounts();
		let keptAnswered = false;
		let changed = false;
		// The forced calls are held until the kept call was handled (or 3 s, if it never comes while
		// they hold every connection); then wkeep3 signs up again, before any forced call is answered.
		wall.beforeAnswer = async ({ method, path }) => {
			if (method !== 'POST') return;
			if (path === `/3.0/lists/${kept}`) {
				keptAnswered = true;
				return;
			}
			if (path !== `/3.0/lists/${forced}`) return;
			for (let waited = 0; !keptAnswered && waited < 3000; waited += 20) await sleep(20);
			await sleep(20);
			if (changed) return;
			changed = true;
			Object.assign(now('wkeep3@example.com'), { status: 'subscribed', last_changed: wall.mc.now() });
		};
		try {
			const input = [...inKept.map((p) => ({ ...p, audience: kept, force: false })), ...inForced.map((p) => ({ ...p, audience: forced, force: true }))];
			const run = await runNode(
				wall,
				'mailchimp',
				{
					resource: 'member',
					operation: 'upsertMany',
					audience: { __rl: true, mode: 'id', value: '={{ $json.audience }}' },
					email: '={{ $json.email }}',
					status: 'subscribed',
					additionalFields: { ...mcFirst.additionalFields, overwriteStatus: '={{ $json.force }}' },
				} as never,
				input,
				{ continueOnFail: true },
			);
			expectOnePerItem(run, 5020);
			expect(changed).toBe(true);
			expect(now('wkeep3@example.com')).toMatchObject({ status: 'subscribed', merge_fields: { FNAME: 'F3' } });
			expect(run.json.slice(0, 20).every((j) => j.status === 'updated')).toBe(true);
			expect(run.json.slice(20).every((j) => j.status === 'created')).toBe(true);
		} finally {
			wall.beforeAnswer = undefined;
		}
	});

	test('two audiences of one page each: the first is read again before the batch calls, since the second read came after it', async () => {
		const [first, second] = ['audWallTwoA', 'audWallTwoB'];
		const inFirst = people(10, 'wtwoa');
		const inSecond = people(10, 'wtwob');
		seedWall(first, inFirst, (i) => (i === 3 ? 'unsubscribed' : 'subscribed'));
		seedWall(second, inSecond, () => 'subscribed');
		const now = (email: string) => wall.mc.lists.get(first)!.members.get(subscriberHash(email))!;
		wall.resetCounts();
		let changed = false;
		// The first audience is read; wtwoa3 signs up again while the second one is read.
		wall.beforeAnswer = ({ method, path, query }) => {
			if (changed || method !== 'GET' || path !== `/3.0/lists/${second}/members` || query.get('since_last_changed')) return;
			changed = true;
			Object.assign(now('wtwoa3@example.com'), { status: 'subscribed', last_changed: wall.mc.now() });
		};
		try {
			const input = [...inFirst.map((p) => ({ ...p, audience: first })), ...inSecond.map((p) => ({ ...p, audience: second }))];
			const run = await runNode(
				wall,
				'mailchimp',
				{ resource: 'member', operation: 'upsertMany', audience: { __rl: true, mode: 'id', value: '={{ $json.audience }}' }, email: '={{ $json.email }}', status: 'subscribed', ...mcFirst } as never,
				input,
				{ continueOnFail: true },
			);
			expectOnePerItem(run, 20);
			expect(changed).toBe(true);
			// Both audiences read again (changed and archived since): the second's read is no longer the last request before the batch calls.
			expect(sinceReads()).toHaveLength(4);
			expect(run.json[3]).toMatchObject({ status: 'updated', memberStatus: 'subscribed' });
			expect(now('wtwoa3@example.com')).toMatchObject({ status: 'subscribed', merge_fields: { FNAME: 'F3' } });
			expect(run.json.every((j) => j.status === 'updated')).toBe(true);
		} finally {
			wall.beforeAnswer = undefined;
		}
	});
});

