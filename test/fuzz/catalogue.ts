import { createHash } from 'node:crypto';

import { boolValue, certainlyBadEmail, emailValue, isStructured, oddValue, type Rng, textValue } from './values';

export type Item = Record<string, unknown>;

/**
 * Every operation of both nodes, as the fuzz suite drives it: which values an item carries, how
 * the node's parameters read them (`{{ $json.x }}`, or `$fromAI('x')` as an AI agent's tool call),
 * which requests the operation may send, and when an item is certainly invalid. The oracle uses
 * the issue's plain rules (a scalar where a scalar is expected, an email with one @ and no spaces,
 * an audience ID of letters and digits, numeric ActiveCampaign IDs), not the nodes' own checks.
 */

export const AUDIENCE = 'fuzzaud001';
export const OTHER_AUDIENCE = 'fuzzaud002';

export type Reader = (key: string) => string;
export const fromJson: Reader = (key) => `={{ $json[${JSON.stringify(key)}] }}`;
export const fromAi: Reader = (key) => `={{ $fromAI(${JSON.stringify(key)}, '', 'string') }}`;

export interface OpSpec {
	node: 'activeCampaign' | 'mailchimp';
	resource: string;
	operation: string;
	/** Get Many: an item yields any number of outputs (or one error item). */
	many?: boolean;
	/** Up to this many items per case (bulk operations get more). */
	maxItems?: number;
	item(rng: Rng, tag: string): Item;
	params(read: Reader, item: Item): Item;
	/** Item fields read as scalars: an object or array there makes the item invalid. */
	scalars: string[];
	/** Further reasons an item is certainly invalid. */
	invalid?(item: Item): boolean;
	/** `METHOD /path` patterns the operation may send (base path included). */
	routes: RegExp[];
}

const AC = '/api/3';
const MC = '/3.0';
const ID = '\\d+';
const L = '[A-Za-z0-9]+';
const H = '[0-9a-f]{32}';
const route = (method: string, path: string) => new RegExp(`^${method} ${path}$`);

const scalarOk = (v: unknown) => !isStructured(v);
const digits = (v: unknown) => (typeof v === 'string' || typeof v === 'number') && /^\d+$/.test(String(v).trim());
const audienceOk = (v: unknown) => (typeof v === 'string' || typeof v === 'number') && /^[A-Za-z0-9]+$/.test(String(v).trim());
const namesOk = (v: unknown) => (Array.isArray(v) ? v.every((x) => !isStructured(x)) : !isStructured(v));

export const subscriberHash = (email: string) => createHash('md5').update(email.trim().toLowerCase()).digest('hex');

function audienceValue(rng: Rng): unknown {
	if (rng.chance(0.6)) return AUDIENCE;
	return rng.pick<unknown>([OTHER_AUDIENCE, ` ${AUDIENCE} `, `${AUDIENCE}/../${OTHER_AUDIENCE}`, `${OTHER_AUDIENCE}/members`, `${AUDIENCE}?count=1`, `${AUDIENCE}#x`, '..', '.', '%2e%2e', 'nosuchlist', oddValue(rng)]);
}

function statusValue(rng: Rng): unknown {
	return rng.chance(0.6) ? rng.pick(['subscribed', 'unsubscribed', 'pending', 'SUBSCRIBED', ' transactional ']) : rng.pick<unknown>(['archived', 'bogus', oddValue(rng)]);
}

function mergeField(rng: Rng): Item {
	const name = rng.pick<unknown>(['FNAME', 'First Name', 'company', 'ADDRESS', '__proto__', 'constructor', 'prototype', 'NOPE', oddValue(rng)]);
	const value =
		name === 'ADDRESS' && rng.chance(0.5)
			? rng.pick<unknown>([{ addr1: '1 Main St', city: 'Springfield', state: 'IL', zip: '62701', country: 'US' }, '{"addr1":"x","__proto__":{"polluted":true}}', '{not json'])
			: textValue(rng);
	return { mfName: name, mfValue: value };
}

function customField(rng: Rng): Item {
	return { cfName: rng.pick<unknown>(['Company', 'company', '__proto__', 'constructor', 'Nope', oddValue(rng)]), cfValue: textValue(rng) };
}

const limitValue = (rng: Rng) => (rng.chance(0.6) ? rng.pick<unknown>([1, 2, 5, '3']) : oddValue(rng));
const tagsValue = (rng: Rng) => (rng.chance(0.5) ? rng.pick<unknown>(['vip, news', ['vip', 'lead'], 'lead', ' a , b ,, ']) : oddValue(rng));

const mcAudience = (read: Reader) => ({ audience: { __rl: true, mode: 'id', value: read('audience') } });
const addressOk = (item: Item) => String(item.mfName ?? '').trim().toLowerCase() === 'address';

/** Mailchimp member fields that every member-writing item may carry. */
const memberExtras = (rng: Rng): Item => ({ language: textValue(rng), vip: boolValue(rng), ...mergeField(rng) });
const mergeFieldsParam = (read: Reader) => ({ field: [{ field: read('mfName'), value: read('mfValue') }] });
const mergeScalars = ['mfName', 'language', 'vip'];
const mergeValueInvalid = (item: Item) => isStructured(item.mfValue) && !addressOk(item);

function mc(resource: string, operation: string, spec: Omit<OpSpec, 'node' | 'resource' | 'operation'>): OpSpec {
	return { node: 'mailchimp', resource, operation, ...spec, invalid: (item) => !audienceOk(item.audience) || (spec.invalid?.(item) ?? false) };
}

const memberOnly = (operation: string, path: string, method: string): OpSpec =>
	mc('member', operation, {
		item: (rng, tag) => ({ audience: audienceValue(rng), email: emailValue(rng, tag) }),
		params: (read) => ({ ...mcAudience(read), email: read('email') }),
		scalars: ['audience', 'email'],
		invalid: (item) => certainlyBadEmail(item.email),
		// A write retried after a lost answer that then meets 404 is checked with a read of the member.
		routes: [route(method, `${MC}/lists/${L}/members/${H}${path}`), route('GET', `${MC}/lists/${L}/members/${H}`)],
	});

export const MAILCHIMP_OPS: OpSpec[] = [
	mc('audience', 'get', {
		item: (rng) => ({ audience: audienceValue(rng) }),
		params: (read) => mcAudience(read),
		scalars: ['audience'],
		routes: [route('GET', `${MC}/lists/${L}`)],
	}),
	{
		node: 'mailchimp',
		resource: 'audience',
		operation: 'getAll',
		many: true,
		item: (rng) => ({ limit: limitValue(rng) }),
		params: (read) => ({ returnAll: false, limit: read('limit') }),
		scalars: ['limit'],
		routes: [route('GET', `${MC}/lists`)],
	},
	memberOnly('get', '', 'GET'),
	memberOnly('archive', '', 'DELETE'),
	memberOnly('deletePermanently', '/actions/delete-permanent', 'POST'),
	mc('member', 'create', {
		item: (rng, tag) => ({ audience: audienceValue(rng), email: emailValue(rng, tag), status: statusValue(rng), tags: tagsValue(rng), ...memberExtras(rng) }),
		params: (read) => ({
			...mcAudience(read),
			email: read('email'),
			status: read('status'),
			additionalFields: { language: read('language'), vip: read('vip'), tags: read('tags'), mergeFields: mergeFieldsParam(read) },
		}),
		scalars: ['audience', 'email', 'status', ...mergeScalars],
		invalid: (item) => certainlyBadEmail(item.email) || !namesOk(item.tags) || mergeValueInvalid(item),
		routes: [route('GET', `${MC}/lists/${L}/merge-fields`), route('POST', `${MC}/lists/${L}/members`)],
	}),
	mc('member', 'upsert', {
		item: (rng, tag) => ({ audience: audienceValue(rng), email: emailValue(rng, tag), status: statusValue(rng), ...memberExtras(rng) }),
		params: (read) => ({
			...mcAudience(read),
			email: read('email'),
			statusIfNew: read('status'),
			additionalFields: { language: read('language'), vip: read('vip'), mergeFields: mergeFieldsParam(read) },
		}),
		scalars: ['audience', 'email', 'status', ...mergeScalars],
		invalid: (item) => certainlyBadEmail(item.email) || mergeValueInvalid(item),
		routes: [route('GET', `${MC}/lists/${L}/merge-fields`), route('PUT', `${MC}/lists/${L}/members/${H}`)],
	}),
	mc('member', 'update', {
		item: (rng, tag) => ({ audience: audienceValue(rng), email: emailValue(rng, tag), newEmail: rng.chance(0.3) ? emailValue(rng, `${tag}n`) : undefined, status: statusValue(rng), ...memberExtras(rng) }),
		params: (read) => ({
			...mcAudience(read),
			email: read('email'),
			updateFields: { emailAddress: read('newEmail'), language: read('language'), vip: read('vip'), status: read('status'), mergeFields: mergeFieldsParam(read) },
		}),
		scalars: ['audience', 'email', 'status', 'newEmail', ...mergeScalars],
		invalid: (item) => certainlyBadEmail(item.email) || mergeValueInvalid(item),
		routes: [route('GET', `${MC}/lists/${L}/merge-fields`), route('(PATCH|GET)', `${MC}/lists/${L}/members/${H}`)],
	}),
	mc('member', 'upsertMany', {
		maxItems: 12,
		item: (rng, tag) => ({ audience: audienceValue(rng), email: emailValue(rng, tag), status: statusValue(rng), ...memberExtras(rng) }),
		params: (read) => ({
			...mcAudience(read),
			email: read('email'),
			status: read('status'),
			additionalFields: { language: read('language'), vip: read('vip'), mergeFields: mergeFieldsParam(read) },
		}),
		scalars: ['audience', 'email', 'status', ...mergeScalars],
		invalid: (item) => certainlyBadEmail(item.email) || mergeValueInvalid(item),
		// Batch subscribe; members that already exist are written with PUT (status_if_new semantics).
		routes: [route('GET', `${MC}/lists/${L}/merge-fields`), route('POST', `${MC}/lists/${L}`), route('(PUT|GET)', `${MC}/lists/${L}/members/${H}`)],
	}),
	mc('member', 'getAll', {
		many: true,
		item: (rng) => ({
			audience: audienceValue(rng),
			limit: limitValue(rng),
			status: statusValue(rng),
			since: rng.pick<unknown>(['2026-01-01T00:00:00Z', 1767225600000, 'not a date', oddValue(rng)]),
			sort: rng.pick<unknown>(['ASC', 'desc', 'sideways', oddValue(rng)]),
		}),
		params: (read) => ({ ...mcAudience(read), returnAll: false, limit: read('limit'), filters: { status: read('status'), changedSince: read('since'), sort: read('sort') } }),
		scalars: ['audience', 'limit', 'status', 'since', 'sort'],
		routes: [route('GET', `${MC}/lists/${L}/members`)],
	}),
	...(['add', 'remove'] as const).map((operation) =>
		mc('memberTag', operation, {
			item: (rng, tag) => ({ audience: audienceValue(rng), email: emailValue(rng, tag), tags: tagsValue(rng) }),
			params: (read) => ({ ...mcAudience(read), email: read('email'), tags: read('tags') }),
			scalars: ['audience', 'email'],
			invalid: (item) => certainlyBadEmail(item.email) || !namesOk(item.tags),
			routes: [route('POST', `${MC}/lists/${L}/members/${H}/tags`)],
		}),
	),
	mc('mergeField', 'getAll', {
		many: true,
		item: (rng) => ({ audience: audienceValue(rng), limit: limitValue(rng) }),
		params: (read) => ({ ...mcAudience(read), returnAll: false, limit: read('limit') }),
		scalars: ['audience', 'limit'],
		routes: [route('GET', `${MC}/lists/${L}/merge-fields`)],
	}),
];

/** A contact as a locator: by email or by ID (mode fixed per case through the item's `contactMode`). */
function contactValue(rng: Rng, tag: string): Item {
	if (rng.chance(0.5)) return { contactMode: 'email', contact: rng.chance(0.5) ? 'fuzz.known@example.com' : emailValue(rng, tag) };
	return { contactMode: 'id', contact: rng.pick<unknown>(['1', 2, '3', ' 4 ', '999999', '1/../2', '..', '2?x=1', oddValue(rng)]) };
}
const contactInvalid = (item: Item) => (item.contactMode === 'email' ? certainlyBadEmail(item.contact) : !digits(item.contact));
const contactParam = (read: Reader, item: Item) => ({ contact: { __rl: true, mode: item.contactMode, value: read('contact') } });

function locatorValue(rng: Rng, kind: 'list' | 'tag'): Item {
	const names = kind === 'list' ? ['Newsletter', 'customers', 'Nope'] : ['vip', 'LEAD', 'nope'];
	if (rng.chance(0.4)) return { [`${kind}Mode`]: 'name', [kind]: rng.chance(0.7) ? rng.pick(names) : oddValue(rng) };
	return { [`${kind}Mode`]: rng.pick(['id', 'list']), [kind]: rng.pick<unknown>(['1', 2, '999', '1/../2', '../1', '2?x=1', oddValue(rng)]) };
}
const locatorInvalid = (item: Item, kind: 'list' | 'tag') =>
	item[`${kind}Mode`] === 'name' ? isStructured(item[kind]) : !digits(item[kind]);
const locatorParam = (read: Reader, item: Item, kind: 'list' | 'tag') => ({ [kind]: { __rl: true, mode: item[`${kind}Mode`], value: read(kind) } });

const contactFieldsItem = (rng: Rng): Item => ({ first: textValue(rng), last: textValue(rng), phone: textValue(rng), ...customField(rng) });
const contactFieldsParam = (read: Reader) => ({
	firstName: read('first'),
	lastName: read('last'),
	phone: read('phone'),
	customFields: { field: [{ field: read('cfName'), value: read('cfValue') }] },
});
const contactScalars = ['first', 'last', 'phone', 'cfName', 'cfValue'];

function ac(resource: string, operation: string, spec: Omit<OpSpec, 'node' | 'resource' | 'operation'>): OpSpec {
	return { node: 'activeCampaign', resource, operation, ...spec };
}

export const ACTIVECAMPAIGN_OPS: OpSpec[] = [
	...(['create', 'upsert'] as const).map((operation) =>
		ac('contact', operation, {
			item: (rng, tag) => ({ email: emailValue(rng, tag), ...contactFieldsItem(rng) }),
			params: (read) => ({ email: read('email'), additionalFields: contactFieldsParam(read) }),
			scalars: ['email', ...contactScalars],
			invalid: (item) => certainlyBadEmail(item.email),
			routes: [route('GET', `${AC}/fields`), route('POST', `${AC}${operation === 'create' ? '/contacts' : '/contact/sync'}`)],
		}),
	),
	ac('contact', 'upsertMany', {
		maxItems: 12,
		item: (rng, tag) => ({ email: emailValue(rng, tag), ...contactFieldsItem(rng), tags: tagsValue(rng), lists: rng.pick<unknown>([['Newsletter'], 'Customers', [], ['Nope'], oddValue(rng)]) }),
		params: (read) => ({ email: read('email'), additionalFields: contactFieldsParam(read), tags: read('tags'), lists: read('lists'), options: { waitForCompletion: false } }),
		scalars: ['email', ...contactScalars],
		invalid: (item) => certainlyBadEmail(item.email) || !namesOk(item.tags) || !namesOk(item.lists),
		routes: [
			route('GET', `${AC}/(fields|lists|tags)`),
			route('POST', `${AC}/(tags|contact/sync|contactTags|contactLists|import/bulk_import)`),
			route('GET', `${AC}/import/info`),
			// Contacts found by id after an import, and list subscriptions read so an unsubscribed contact is not subscribed again.
			route('GET', `${AC}/contacts`),
			route('GET', `${AC}/contacts/${ID}/contactLists`),
		],
	}),
	ac('contact', 'get', {
		item: (rng, tag) => ({ ...contactValue(rng, tag), simplify: boolValue(rng) }),
		params: (read, item) => ({ ...contactParam(read, item), simplify: read('simplify') }),
		scalars: ['contact', 'simplify'],
		invalid: contactInvalid,
		routes: [route('GET', `${AC}/contacts`), route('GET', `${AC}/contacts/${ID}`)],
	}),
	ac('contact', 'delete', {
		item: (rng, tag) => contactValue(rng, tag),
		params: (read, item) => contactParam(read, item),
		scalars: ['contact'],
		invalid: contactInvalid,
		routes: [route('GET', `${AC}/contacts`), route('(DELETE|GET)', `${AC}/contacts/${ID}`)],
	}),
	ac('contact', 'update', {
		item: (rng, tag) => ({ ...contactValue(rng, tag), newEmail: rng.chance(0.3) ? emailValue(rng, `${tag}n`) : undefined, ...contactFieldsItem(rng) }),
		params: (read, item) => ({ ...contactParam(read, item), updateFields: { email: read('newEmail'), ...contactFieldsParam(read) } }),
		scalars: ['contact', 'newEmail', ...contactScalars],
		invalid: contactInvalid,
		routes: [route('GET', `${AC}/(fields|contacts)`), route('PUT', `${AC}/contacts/${ID}`)],
	}),
	ac('contact', 'getAll', {
		many: true,
		item: (rng, tag) => ({
			limit: limitValue(rng),
			emailFilter: rng.chance(0.3) ? emailValue(rng, tag) : undefined,
			search: rng.chance(0.5) ? textValue(rng) : undefined,
			status: rng.pick<unknown>(['1', -1, '2', 'bogus', undefined, oddValue(rng)]),
			listName: rng.chance(0.3) ? rng.pick<unknown>(['Newsletter', 'Nope', oddValue(rng)]) : undefined,
			since: rng.chance(0.3) ? rng.pick<unknown>(['2026-01-01T00:00:00Z', 'never', oddValue(rng)]) : undefined,
		}),
		params: (read) => ({
			returnAll: false,
			limit: read('limit'),
			filters: { email: read('emailFilter'), search: read('search'), status: read('status'), list: read('listName'), createdAfter: read('since') },
		}),
		scalars: ['limit', 'emailFilter', 'search', 'status', 'listName', 'since'],
		routes: [route('GET', `${AC}/(contacts|lists|tags)`)],
	}),
	ac('list', 'create', {
		item: (rng, tag) => ({ name: rng.chance(0.5) ? `List ${tag}` : oddValue(rng), url: textValue(rng), reminder: textValue(rng), stringid: rng.chance(0.3) ? textValue(rng) : undefined }),
		params: (read) => ({ name: read('name'), senderUrl: read('url'), senderReminder: read('reminder'), additionalFields: { stringid: read('stringid') } }),
		scalars: ['name', 'url', 'reminder', 'stringid'],
		routes: [route('POST', `${AC}/lists`)],
	}),
	ac('list', 'get', {
		item: (rng) => locatorValue(rng, 'list'),
		params: (read, item) => locatorParam(read, item, 'list'),
		scalars: ['list'],
		invalid: (item) => locatorInvalid(item, 'list'),
		routes: [route('GET', `${AC}/lists`), route('GET', `${AC}/lists/${ID}`)],
	}),
	ac('list', 'getAll', {
		many: true,
		item: (rng) => ({ limit: limitValue(rng), search: rng.chance(0.5) ? textValue(rng) : undefined }),
		params: (read) => ({ returnAll: false, limit: read('limit'), filters: { name: read('search') } }),
		scalars: ['limit', 'search'],
		routes: [route('GET', `${AC}/lists`)],
	}),
	...(['subscribe', 'unsubscribe'] as const).map((operation) =>
		ac('list', operation, {
			item: (rng, tag) => ({ ...locatorValue(rng, 'list'), ...contactValue(rng, tag) }),
			params: (read, item) => ({ ...locatorParam(read, item, 'list'), ...contactParam(read, item) }),
			scalars: ['list', 'contact'],
			invalid: (item) => locatorInvalid(item, 'list') || contactInvalid(item),
			routes: [route('GET', `${AC}/(lists|contacts)`), route('POST', `${AC}/contactLists`)],
		}),
	),
	ac('tag', 'create', {
		item: (rng, tag) => ({ name: rng.chance(0.5) ? `tag-${tag}` : oddValue(rng), description: textValue(rng) }),
		params: (read) => ({ name: read('name'), description: read('description') }),
		scalars: ['name', 'description'],
		routes: [route('POST', `${AC}/tags`)],
	}),
	ac('tag', 'getAll', {
		many: true,
		item: (rng) => ({ limit: limitValue(rng), search: rng.chance(0.5) ? textValue(rng) : undefined }),
		params: (read) => ({ returnAll: false, limit: read('limit'), filters: { search: read('search') } }),
		scalars: ['limit', 'search'],
		routes: [route('GET', `${AC}/tags`)],
	}),
	ac('tag', 'addToContact', {
		item: (rng, tag) => ({ ...locatorValue(rng, 'tag'), ...contactValue(rng, tag), createIfMissing: boolValue(rng) }),
		params: (read, item) => ({ ...locatorParam(read, item, 'tag'), ...contactParam(read, item), createIfMissing: read('createIfMissing') }),
		scalars: ['tag', 'contact'],
		invalid: (item) => locatorInvalid(item, 'tag') || contactInvalid(item),
		routes: [route('GET', `${AC}/(tags|contacts)`), route('POST', `${AC}/(tags|contactTags)`)],
	}),
	ac('tag', 'removeFromContact', {
		item: (rng, tag) => ({ ...locatorValue(rng, 'tag'), ...contactValue(rng, tag) }),
		params: (read, item) => ({ ...locatorParam(read, item, 'tag'), ...contactParam(read, item) }),
		scalars: ['tag', 'contact'],
		invalid: (item) => locatorInvalid(item, 'tag') || contactInvalid(item),
		routes: [route('GET', `${AC}/(tags|contacts)`), route('GET', `${AC}/contacts/${ID}/contactTags`), route('DELETE', `${AC}/contactTags/${ID}`)],
	}),
	ac('customField', 'getAll', {
		many: true,
		item: (rng) => ({ limit: limitValue(rng) }),
		params: (read) => ({ returnAll: false, limit: read('limit') }),
		scalars: ['limit'],
		routes: [route('GET', `${AC}/fields`)],
	}),
];

export const ALL_OPS = [...ACTIVECAMPAIGN_OPS, ...MAILCHIMP_OPS];

/** An item is certainly invalid: a structured value where a scalar is read, or the operation's own rules. */
export function certainlyInvalid(op: OpSpec, item: Item): boolean {
	return op.scalars.some((key) => !scalarOk(item[key])) || (op.invalid?.(item) ?? false);
}
