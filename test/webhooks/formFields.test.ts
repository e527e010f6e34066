/* eslint-disable @n8n/community-nodes/no-restricted-imports -- test code, never shipped: parses form bodies the way n8n does */
import { parse } from 'node:querystring';

import { nestFormFields, secretMatches, urlWithSecret, withoutQuery } from '../../nodes/shared/webhooks';

/** Form bodies as n8n hands them to a webhook node (Node's querystring), nested as the triggers emit them. */
const form = (text: string) => nestFormFields(parse(text));

describe('nestFormFields', () => {
	test('bracketed keys become nested objects; repeated and [] keys become lists; values stay strings', () => {
		expect(form('type=update&contact%5Bid%5D=7&contact%5Bfields%5D%5B12%5D=Acme&contact%5Btags%5D%5B%5D=a&contact%5Btags%5D%5B%5D=b&x=1&x=2')).toEqual({
			type: 'update',
			contact: { id: '7', fields: { '12': 'Acme' }, tags: ['a', 'b'] },
			x: ['1', '2'],
		});
	});

	test('prototype keys are dropped at any depth, in flat and in already nested (JSON) bodies', () => {
		const out = form('a%5B__proto__%5D%5Bp%5D=1&__proto__%5Bp%5D=1&b%5Bconstructor%5D%5Bprototype%5D%5Bp%5D=1&c%5Bprototype%5D=1&ok=1');
		expect(out).toEqual({ ok: '1' });
		expect(({} as Record<string, unknown>).p).toBeUndefined();
		const nested = nestFormFields(JSON.parse('{"data":{"__proto__":{"p":1},"merges":{"constructor":{"prototype":{"p":1}},"FNAME":"x"}}}'));
		expect(nested).toEqual({ data: { merges: { FNAME: 'x' } } });
		expect(Object.getPrototypeOf((nested.data as Record<string, unknown>).merges)).toBe(Object.prototype);
	});

	test('malformed, empty-named and too deep keys are dropped; the first of a plain and a nested value wins', () => {
		expect(form('a%5Bb=1&%5Bx%5D=1&d%5B1%5D%5B2%5D%5B3%5D%5B4%5D%5B5%5D%5B6%5D%5B7%5D%5B8%5D=deep&k=plain&k%5Bsub%5D=nested')).toEqual({ k: 'plain' });
		expect(nestFormFields(undefined)).toEqual({});
		expect(nestFormFields('text')).toEqual({});
	});
});

describe('webhook secret', () => {
	test('is matched exactly, in constant time, and only as a string', () => {
		expect(secretMatches('abc', 'abc')).toBe(true);
		expect(secretMatches('abd', 'abc')).toBe(false);
		expect(secretMatches('ab', 'abc')).toBe(false);
		expect(secretMatches(['abc', 'abc'], 'abc')).toBe(false);
		expect(secretMatches('', '')).toBe(false);
		expect(secretMatches(undefined, undefined)).toBe(false);
	});

	test('goes into the query of the registered URL, which is recognised without it', () => {
		expect(urlWithSecret('https://n8n.example.com/webhook/x/webhook', 's1')).toBe('https://n8n.example.com/webhook/x/webhook?secret=s1');
		expect(urlWithSecret('https://h/w?a=1', 's')).toBe('https://h/w?a=1&secret=s');
		expect(withoutQuery('https://h/w/?secret=s')).toBe('https://h/w');
	});
});
