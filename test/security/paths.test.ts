import type { IDataObject } from 'n8n-workflow';

import { type Emulator, AC_TEST_KEY, MC_TEST_KEY, startEmulator } from '../emulator/server';
import { loadNodeOptions, poller } from '../harness/n8n';
import { runNode } from '../nodes/workflow';
import { acClient, mcClient, thrown } from '../transport/helpers';

/**
 * Path injection (issue 14): a value that reaches a request path is validated at the edge, and the
 * transport encodes every path segment and refuses empty, `.` and `..` ones. The emulator records
 * where each request went (`log[].path`, and `rawUrl` as it arrived), so these tests see it.
 */
let emulator: Emulator;
const A = 'a1b2c3d4e5';
const F = 'f6e5d4c3b2';
const rl = (value: unknown, mode = 'id') => ({ __rl: true as const, mode, value: value as string });
const mc = (parameters: IDataObject, input?: IDataObject[], options?: { continueOnFail?: boolean }) =>
	runNode(emulator, 'mailchimp', parameters as never, input, options);
const ac = (parameters: IDataObject, input?: IDataObject[], options?: { continueOnFail?: boolean }) =>
	runNode(emulator, 'activeCampaign', { limits: { requestsPerSecond: 1000 }, ...parameters } as never, input, options);

beforeAll(async () => {
	emulator = await startEmulator({ acRatePerSecond: 1000 });
	emulator.mc.addList(A, 'Pointed at');
	emulator.mc.addList(F, 'Not pointed at');
	emulator.mc.addMember(F, 'victim@example.com');
	emulator.ac.addList('One');
	emulator.ac.addList('Two');
	emulator.ac.addTag('one');
	emulator.ac.addTag('two');
	emulator.ac.addContact({ email: 'someone@example.com' });
});
afterAll(() => emulator.stop());
beforeEach(() => emulator.resetCounts());

describe('Mailchimp audience IDs', () => {
	test('Create or Update with the audience ID "a1b2c3d4e5/../f6e5d4c3b2" is refused naming the item and the field, and writes nowhere', async () => {
		const before = emulator.mc.lists.get(F)!.members.size;
		const run = await mc(
			{ resource: 'member', operation: 'upsert', audience: rl(`${A}/../${F}`), email: '={{ $json.email }}', statusIfNew: 'subscribed' },
			[{ email: 'one@example.com' }, { email: 'two@example.com' }],
		);
		expect(run.error?.message).toBe(`Audience ID "${A}/../${F}" is not a Mailchimp audience ID (item 0): it has letters and digits only, like a1b2c3d4e5`);
		expect(emulator.log).toEqual([]);
		expect(emulator.mc.lists.get(F)!.members.size).toBe(before);
		expect(emulator.mc.lists.get(A)!.members.size).toBe(0);
	});

	const hostile = [`${A}/../${F}`, `${F}/members`, `${F}?count=1000`, `${F}#x`, '..', '.', `${A}/../../lists`, '%2e%2e', `${F}\r\nX-Injected: 1`, `${F}%2F..`, ''];
	const operations: Array<[string, string, IDataObject]> = [
		['audience', 'get', {}],
		['member', 'get', { email: 'victim@example.com' }],
		['member', 'getAll', { returnAll: true }],
		['member', 'create', { email: 'new@example.com', status: 'subscribed' }],
		['member', 'upsert', { email: 'victim@example.com', statusIfNew: 'subscribed' }],
		['member', 'update', { email: 'victim@example.com', updateFields: { vip: true } }],
		['member', 'archive', { email: 'victim@example.com' }],
		['member', 'deletePermanently', { email: 'victim@example.com' }],
		['member', 'upsertMany', { email: 'victim@example.com', status: 'subscribed' }],
		['memberTag', 'add', { email: 'victim@example.com', tags: 'owned' }],
		['memberTag', 'remove', { email: 'victim@example.com', tags: 'owned' }],
		['mergeField', 'getAll', { returnAll: true }],
	];

	test.each(operations)('%s %s refuses an audience ID holding /, ?, #, CR/LF or dot segments, before any request', async (resource, operation, extra) => {
		for (const id of hostile) {
			// From an upstream item, as `{{ $json.list }}` would give it (a static empty value is refused by n8n itself).
			const run = await mc({ resource, operation, audience: rl('={{ $json.list }}'), ...extra }, [{ list: id }]);
			expect(run.error?.message).toMatch(id ? /^Audience ID ".*" is not a Mailchimp audience ID \(item 0\)/ : /^No audience given \(item 0\)/);
			expect({ id, requests: emulator.log }).toEqual({ id, requests: [] });
		}
		const victim = [...emulator.mc.lists.get(F)!.members.values()];
		expect(victim.map((m) => [m.email_address, m.status, m.tags.length])).toEqual([['victim@example.com', 'subscribed', 0]]);
	});

	test('an object or an array from an expression is refused as an audience ID, with Continue On Fail one error item per item', async () => {
		const run = await mc(
			{ resource: 'member', operation: 'get', audience: rl('={{ $json.list }}'), email: 'victim@example.com' },
			[{ list: { id: F } }, { list: [F] }, { list: F }],
			{ continueOnFail: true },
		);
		expect(run.json).toHaveLength(3);
		expect(run.json[0].error).toBe('Audience ID is an object, not text (item 0)');
		expect(run.json[1].error).toBe('Audience ID is a list, not text (item 1)');
		expect(run.json[2].email_address).toBe('victim@example.com');
		expect(emulator.log).toHaveLength(1);
		expect(emulator.log[0].path.startsWith(`/3.0/lists/${F}/members/`)).toBe(true);
	});

	test('the trigger and the merge-field dropdown refuse a hostile audience ID without a request', async () => {
		const creds = { mailchimpSyncApi: { apiKey: MC_TEST_KEY, useCustomBaseUrl: true, baseUrl: emulator.mcBaseUrl } };
		const trigger = await poller('mailchimpSyncTrigger', { audience: rl(`${A}/../${F}`), status: '' }, creds);
		await expect(trigger.poll()).rejects.toThrow(`Audience ID "${A}/../${F}" is not a Mailchimp audience ID`);
		await expect(loadNodeOptions('mailchimpSync', 'loadOptions', 'getMergeFields', creds, undefined, { audience: rl(`${F}/../${A}`) })).rejects.toThrow(
			`Audience ID "${F}/../${A}" is not a Mailchimp audience ID`,
		);
		expect(emulator.log).toEqual([]);
	});
});

describe('ActiveCampaign IDs', () => {
	// n8n itself refuses a static By ID value that fails the mode's regex; expressions reach the node.
	const fromItem = (mode = 'id') => rl('={{ $json.id }}', mode);

	test('a list ID given By ID or by expression is digits only: "1/../2" is refused, no request', async () => {
		for (const mode of ['id', 'list']) {
			const run = await ac({ resource: 'list', operation: 'get', list: fromItem(mode) }, [{ id: '1/../2' }]);
			expect(run.error?.message).toBe('List ID "1/../2" is not a number (item 0): give the ID of a list, or switch to By Name');
		}
		const sub = await ac({ resource: 'list', operation: 'subscribe', list: fromItem(), contact: rl('someone@example.com', 'email') }, [{ id: '2?x=1' }]);
		expect(sub.error?.message).toBe('List ID "2?x=1" is not a number (item 0): give the ID of a list, or switch to By Name');
		expect(emulator.log).toEqual([]);
	});

	test('a tag ID is digits only for Add to Contact and Remove From Contact, no request', async () => {
		for (const operation of ['addToContact', 'removeFromContact']) {
			const run = await ac({ resource: 'tag', operation, tag: fromItem(), contact: rl('someone@example.com', 'email') }, [{ id: '../1' }]);
			expect(run.error?.message).toBe('Tag ID "../1" is not a number (item 0): give the ID of a tag, or switch to By Name');
		}
		expect(emulator.log).toEqual([]);
	});

	test('a contact ID stays digits only (the model the others follow)', async () => {
		const run = await ac({ resource: 'contact', operation: 'delete', contact: fromItem() }, [{ id: '1/../2' }]);
		expect(run.error?.message).toMatch(/^Contact ID "1\/\.\.\/2" is not a number \(item 0\)/);
		expect(emulator.log).toEqual([]);
	});
});

describe('The transport builds paths from encoded segments', () => {
	test('a parameter is encoded as one segment: "/" "?" "#" never change the route', async () => {
		const client = await mcClient(emulator);
		const error = await thrown(() => client.request({ method: 'GET', path: '/lists/{listId}', params: { listId: `${F}/members?x#y` } }));
		expect(error.message).toMatch(/^Mailchimp could not find/);
		expect(emulator.log.map((l) => l.rawUrl)).toEqual([`/3.0/lists/${encodeURIComponent(`${F}/members?x#y`)}`]);
	});

	test('empty, "." and ".." segments are refused before any request, from parameters and from the path itself', async () => {
		const clients = [await mcClient(emulator), await acClient(emulator, {}, AC_TEST_KEY)];
		for (const client of clients) {
			for (const listId of ['', '.', '..', ' ', '%2e%2e']) {
				const error = await thrown(() => client.request({ method: 'GET', path: '/lists/{listId}', params: { listId } }));
				expect(error.message).toMatch(/^Refused to send a request to an unsafe path/);
			}
			for (const path of ['/lists/../users/me', '/lists//x', '/lists/./x', '/lists/x?y=1', '/lists/x#y', 'lists', '/lists/{missing}', '/lists/%2e%2E']) {
				const error = await thrown(() => client.request({ method: 'GET', path }));
				expect(error.message).toMatch(/^Refused to send a request to an unsafe path/);
			}
		}
		expect(emulator.log).toEqual([]);
	});
});
