/* eslint-disable @n8n/community-nodes/no-hardcoded-secrets -- test code, never shipped: made-up test keys are fine here */
import {
	activeCampaignAccountUrl,
	activeCampaignApiBase,
	activeCampaignApiKey,
} from '../../credentials/ActiveCampaignSyncApi.credentials';
import { mailchimpApiBase, mailchimpDatacenter } from '../../credentials/MailchimpSyncApi.credentials';

describe('ActiveCampaign API URL normalisation', () => {
	test.each([
		['https://acme.api-us1.com', 'https://acme.api-us1.com'],
		['https://acme.api-us1.com/', 'https://acme.api-us1.com'],
		['https://acme.api-us1.com/api/3', 'https://acme.api-us1.com'],
		['https://acme.api-us1.com/api/3/', 'https://acme.api-us1.com'],
		['  https://acme.api-eu1.com/api/3  ', 'https://acme.api-eu1.com'],
		['https://acme.activehosted.com', 'https://acme.activehosted.com'],
		['https://ACME.api-us1.com//', 'https://acme.api-us1.com'],
		['acme.api-us1.com', 'https://acme.api-us1.com'],
		['http://127.0.0.1:4010', 'http://127.0.0.1:4010'],
		['http://localhost:4010/api/3/', 'http://localhost:4010'],
	])('%j becomes %j', (typed, expected) => {
		expect(activeCampaignAccountUrl(typed)).toBe(expected);
	});

	test('the request base appends /api/3 exactly once', () => {
		expect(activeCampaignApiBase('https://acme.api-us1.com/api/3/')).toBe('https://acme.api-us1.com/api/3');
	});

	test.each([
		['', /API URL is empty/],
		['   ', /API URL is empty/],
		['ftp://acme.api-us1.com', /must start with https:\/\/, not ftp:/],
		['http://acme.api-us1.com', /must use https:\/\/ .*only accepted for a local sandbox/],
		['http://10.0.0.5', /must use https:\/\//],
		['https://user:pw@acme.api-us1.com', /user name or password/],
		['https://acme.api-us1.com/?x=1', /"\?" or "#"/],
		['https://exa mple.com', /is not a valid URL/],
	])('%j is refused with a clear message', (typed, message) => {
		expect(() => activeCampaignAccountUrl(typed)).toThrow(message);
	});

	test('a key with spaces inside is refused; surrounding spaces are trimmed', () => {
		expect(activeCampaignApiKey('  abc123  ')).toBe('abc123');
		expect(() => activeCampaignApiKey('abc 123')).toThrow(/contains spaces/);
		expect(() => activeCampaignApiKey('')).toThrow(/is empty/);
	});
});

describe('Mailchimp datacenter derivation', () => {
	test.each([
		['0123456789abcdef0123456789abcdef-us18', 'us18', 'https://us18.api.mailchimp.com/3.0'],
		['0123456789abcdef0123456789abcdef-us1', 'us1', 'https://us1.api.mailchimp.com/3.0'],
		[' 0123456789abcdef0123456789abcdef-US6 ', 'us6', 'https://us6.api.mailchimp.com/3.0'],
		['a-b-c-eu2', 'eu2', 'https://eu2.api.mailchimp.com/3.0'],
	])('%j is in datacenter %s', (key, dc, base) => {
		expect(mailchimpDatacenter(key)).toBe(dc);
		expect(mailchimpApiBase(key)).toBe(base);
	});

	test.each([
		['0123456789abcdef0123456789abcdef', /has no datacenter suffix/],
		['0123456789abcdef0123456789abcdef-', /ends with "-" but no datacenter/],
		['0123456789abcdef 0123456789abcdef-us18', /contains spaces/],
		['0123456789abcdef0123456789abcdef-us 18', /contains spaces/],
		['0123456789abcdef0123456789abcdef-18', /datacenter suffix is not valid/],
		['0123456789abcdef0123456789abcdef-us18.evil.com/x', /datacenter suffix is not valid/],
		['', /is empty/],
	])('%j gets a clear message', (key, message) => {
		expect(() => mailchimpDatacenter(key)).toThrow(message);
	});

	test('messages about a bad key never repeat the key', () => {
		const key = '0123456789abcdef0123456789abcdef-18';
		expect(() => mailchimpDatacenter(key)).toThrow(expect.objectContaining({ message: expect.not.stringContaining(key) }));
	});

	test('the base URL override replaces the derived host, and is checked like any URL', () => {
		expect(mailchimpApiBase('k-us18', 'http://127.0.0.1:4010/3.0/')).toBe('http://127.0.0.1:4010/3.0');
		expect(mailchimpApiBase('k-us18', '  ')).toBe('https://us18.api.mailchimp.com/3.0');
		expect(() => mailchimpApiBase('k-us18', 'http://proxy.example.com/3.0')).toThrow(/must use https/);
	});
});
