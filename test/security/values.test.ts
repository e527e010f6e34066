import type { IDataObject } from 'n8n-workflow';

import { subscriberHash } from '../emulator/mailchimp';
import { type Emulator, startEmulator } from '../emulator/server';
import { runNode } from '../nodes/workflow';

/**
 * Values in bodies and queries (issue 14): scalars are coerced as a user expects, objects and
 * arrays where a scalar belongs are refused per item (naming item and field, sending nothing),
 * emails are trimmed, and user-supplied key names never become object keys.
 */
let emulator: Emulator;
const AUD = 'valaud0001';
const fromItem = (key: string) => `={{ $json[${JSON.stringify(key)}] }}`;
const mc = (parameters: IDataObject, input: IDataObject[], options: { continueOnFail?: boolean } = {}) =>
	runNode(emulator, 'mailchimp', { audience: { __rl: true, mode: 'id', value: AUD }, ...parameters } as never, input, options);
const ac = (parameters: IDataObject, input: IDataObject[], options: { continueOnFail?: boolean } = {}) =>
	runNode(emulator, 'activeCampaign', { limits: { requestsPerSecond: 100000 }, ...parameters } as never, input, options);
const writes = () => emulator.log.filter((l) => l.method !== 'GET');

beforeAll(async () => {
	emulator = await startEmulator({ acRatePerSecond: 100000 });
	emulator.mc.addList(AUD, 'Values');
	emulator.ac.addField('Company');
	emulator.ac.addList('Newsletter');
	emulator.ac.addContact({ email: 'existing@example.com' });
});
afterAll(() => emulator.stop());
beforeEach(() => emulator.resetCounts());

describe('scalars where scalars belong', () => {
	test('an object or a list as a first name is refused for that item only, and nothing of it is sent', async () => {
		const run = await ac(
			{ resource: 'contact', operation: 'upsert', email: fromItem('email'), additionalFields: { firstName: fromItem('first'), phone: fromItem('phone') } },
			[
				{ email: 'obj@example.com', first: { name: 'Ada' }, phone: '1' },
				{ email: 'list@example.com', first: ['Ada'], phone: '2' },
				{ email: 'num@example.com', first: 'Num', phone: 5551234 },
			],
			{ continueOnFail: true },
		);
		expect(run.json.map((j) => j.error ?? j.email)).toEqual([
			'First name is an object, not text (item 0)',
			'First name is a list, not text (item 1)',
			'num@example.com',
		]);
		// The number is sent as the text a user typed; the refused items send nothing at all.
		expect(writes().map((l) => l.body)).toEqual([{ contact: { email: 'num@example.com', firstName: 'Num', phone: '5551234' } }]);
	});

	test('an email given as a number or an object is named as such, not as "missing"', async () => {
		const run = await mc({ resource: 'member', operation: 'upsert', email: fromItem('email'), statusIfNew: 'subscribed' }, [{ email: 42 }, { email: { address: 'a@example.com' } }], {
			continueOnFail: true,
		});
		expect(run.json.map((j) => j.error)).toEqual(['Email "42" is not a valid email address (item 0)', 'Email is an object, not text (item 1)']);
		expect(emulator.log).toEqual([]);
	});

	test('Limit "3" and Return All "false" from an expression are read as a user means them', async () => {
		for (let i = 0; i < 5; i++) emulator.ac.addContact({ email: `limit${i}@example.com` });
		const run = await ac({ resource: 'contact', operation: 'getAll', returnAll: fromItem('all'), limit: fromItem('limit') }, [{ all: 'false', limit: '3' }]);
		expect(run.error).toBeUndefined();
		expect(run.json).toHaveLength(3);
	});

	test('VIP "yes" is sent as the boolean true; VIP "maybe" is refused naming the item', async () => {
		const run = await mc(
			{ resource: 'member', operation: 'upsert', email: fromItem('email'), statusIfNew: 'subscribed', additionalFields: { vip: fromItem('vip') } },
			[
				{ email: 'vip@example.com', vip: 'yes' },
				{ email: 'maybe@example.com', vip: 'maybe' },
			],
			{ continueOnFail: true },
		);
		expect(run.json[1].error).toBe('VIP "maybe", not true or false (item 1)');
		expect(writes().map((l) => (l.body as IDataObject).vip)).toEqual([true]);
	});

	test('emails are trimmed (spaces, tabs, line breaks); a line break inside one is refused', async () => {
		const run = await mc({ resource: 'member', operation: 'upsert', email: fromItem('email'), statusIfNew: 'subscribed' }, [{ email: ' \tPad.Ded@Example.com\r\n' }, { email: 'a@example.com\r\nBcc: b@example.com' }], {
			continueOnFail: true,
		});
		expect(run.json[0].email_address).toBe('Pad.Ded@Example.com');
		expect(emulator.log.map((l) => l.path)).toEqual([`/3.0/lists/${AUD}/members/${subscriberHash('pad.ded@example.com')}`]);
		expect(run.json[1].error).toBe('Email "a@example.com\\r\\nBcc: b@example.com" is not a valid email address (item 1)');
	});

	test('a 1 MB value in a name is refused or sent whole, never cut silently, and the node does not crash', async () => {
		const big = 'x'.repeat(1024 * 1024);
		const run = await mc({ resource: 'member', operation: 'upsert', email: fromItem('email'), statusIfNew: 'subscribed' }, [{ email: `${big}@example.com` }], { continueOnFail: true });
		expect(run.json[0].error).toBe(`Email is ${big.length + 12} characters long; an email address has at most 254 (item 0)`);
		expect(emulator.log).toEqual([]);
	});
});

describe('no prototype pollution', () => {
	test('"__proto__" and "constructor" as merge-field names are unknown fields, not object keys', async () => {
		const run = await mc(
			{
				resource: 'member',
				operation: 'upsert',
				email: fromItem('email'),
				statusIfNew: 'subscribed',
				additionalFields: { mergeFields: { field: [{ field: fromItem('name'), value: fromItem('value') }] } },
			},
			[
				{ email: 'p1@example.com', name: '__proto__', value: 'x' },
				{ email: 'p2@example.com', name: 'constructor', value: 'x' },
			],
			{ continueOnFail: true },
		);
		expect(run.json.map((j) => j.error)).toEqual([
			`No merge field of audience ${AUD} has the tag "__proto__" (item 0)`,
			`No merge field of audience ${AUD} has the tag "constructor" (item 1)`,
		]);
		expect(writes()).toEqual([]);
		expect(({} as IDataObject).polluted).toBeUndefined();
	});

	test('an address merge field keeps only the address parts: a "__proto__" key in its JSON is dropped', async () => {
		const run = await mc(
			{
				resource: 'member',
				operation: 'upsert',
				email: 'addr@example.com',
				statusIfNew: 'subscribed',
				additionalFields: { mergeFields: { field: [{ field: 'ADDRESS', value: fromItem('address') }] } },
			},
			[{ address: '{"addr1":"1 Main St","city":"Springfield","__proto__":{"polluted":true},"constructor":{"prototype":{"polluted":true}}}' }],
		);
		expect(run.error).toBeUndefined();
		const sent = writes()[0].body as { merge_fields: IDataObject };
		expect(JSON.stringify(sent.merge_fields)).toBe('{"ADDRESS":{"addr1":"1 Main St","city":"Springfield"}}');
		expect(({} as IDataObject).polluted).toBeUndefined();
	});

	test('"__proto__" as an ActiveCampaign custom field name is an unknown field', async () => {
		const run = await ac(
			{ resource: 'contact', operation: 'upsert', email: 'cf@example.com', additionalFields: { customFields: { field: [{ field: fromItem('name'), value: 'x' }] } } },
			[{ name: 'name:__proto__' }],
		);
		expect(run.error?.message).toBe('No custom field is named "__proto__" (item 0)');
		expect(writes()).toEqual([]);
	});
});

describe('options that could make a run wait forever', () => {
	test('a negative pace or a timeout that is not a number is refused before any request', async () => {
		const pace = await ac({ resource: 'contact', operation: 'get', contact: { __rl: true, mode: 'id', value: '1' }, limits: { requestsPerSecond: '={{ -1 }}' } }, [{}]);
		expect(pace.error?.message).toBe('Requests per Second must be a whole number from 0 up, got "-1"');
		const timeout = await mc({ resource: 'member', operation: 'get', email: 'x@example.com', limits: { timeoutSeconds: '={{ "soon" }}' } }, [{}]);
		expect(timeout.error?.message).toBe('Timeout (Seconds) must be a number from 1 up, got "soon"');
		expect(emulator.log).toEqual([]);
	});

	test('Create or Update Many refuses an Import Wait that is not a number instead of polling forever', async () => {
		const items = Array.from({ length: 12 }, (_, i) => ({ email: `timeout${i}@example.com` }));
		const run = await ac({ resource: 'contact', operation: 'upsertMany', email: fromItem('email'), options: { completionTimeout: '={{ "never" }}' } }, items);
		expect(run.error?.message).toBe('Import Wait must be a number of seconds above 0, got "never"');
		expect(writes()).toEqual([]);
	});
});
