/* eslint-disable @typescript-eslint/no-explicit-any -- test code, never shipped: untyped JSON from requests are fine here */
import { createHash } from 'node:crypto';

import { formatInOffset, ProviderClock } from './clock';
import { isValidEmail, page, type Reply, type Req, Router, TrackedMap } from './http';

/**
 * Mailchimp Marketing API 3.0, in memory, as far as the nodes use it.
 * Errors are `application/problem+json` with `type, title, status, detail, instance`.
 */

export const subscriberHash = (email: string) => createHash('md5').update(email.toLowerCase()).digest('hex');

const STATUSES = ['subscribed', 'unsubscribed', 'cleaned', 'pending', 'transactional'];
/** What `GET /lists/{id}/members?status=` accepts: the writable statuses plus `archived`. */
export const MC_MEMBER_STATUSES = [...STATUSES, 'archived'];

export interface McMember {
	id: string;
	email_address: string;
	unique_email_id: string;
	status: string;
	merge_fields: Record<string, unknown>;
	tags: Array<{ id: number; name: string }>;
	timestamp_signup: string;
	last_changed: string;
	list_id: string;
}

export const MC_WEBHOOK_EVENTS = ['subscribe', 'unsubscribe', 'profile', 'cleaned', 'upemail', 'campaign'] as const;
export const MC_WEBHOOK_SOURCES = ['user', 'admin', 'api'] as const;

export interface McWebhook {
	id: string;
	url: string;
	events: Record<string, boolean>;
	sources: Record<string, boolean>;
	list_id: string;
}

export interface McCampaign {
	id: string;
	status: string;
	recipients: { list_id: string };
	settings: { subject_line: string; title: string };
}

interface McList {
	webhooks: Map<string, McWebhook>;
	id: string;
	name: string;
	members: TrackedMap<string, McMember>;
	forgotten: Set<string>;
	/** `options` as the merge-fields reference gives them (`date_format` of a date or birthday field, ...). */
	mergeFields: Array<{ merge_id: number; tag: string; name: string; type: string; required: boolean; options?: Record<string, unknown> }>;
}

export class MailchimpState {
	lists = new Map<string, McList>();
	campaigns = new Map<string, McCampaign>();
	/**
	 * How the emulated Mailchimp checks a new webhook URL: a GET that must answer 200. Set by the
	 * emulator (it owns the HTTP client); answers the status the URL gave, or 0 when unreachable.
	 */
	checkWebhookUrl: (url: string) => Promise<number> = async () => 200;
	private webhookIds = 0;
	private tagIds = new Map<string, number>();
	/** The provider's clock (the emulator shares one between both APIs). Stamps are UTC, `+00:00`, whole seconds. */
	clock = new ProviderClock();
	/** Whether `since_last_changed`/`before_last_changed` include a member stamped exactly at the bound (undocumented; inclusive by default). */
	filterBoundary: 'exclusive' | 'inclusive' = 'inclusive';
	/** The order of members that tie on the sort field: a new random one on every request (undocumented), or insertion order. */
	tieOrder: 'shuffled' | 'stable' = 'shuffled';

	now(): string {
		return formatInOffset(this.clock.stampMs(), '+00:00');
	}

	addList(id: string, name: string): McList {
		const list: McList = {
			webhooks: new Map(),
			id,
			name,
			members: new TrackedMap(),
			forgotten: new Set(),
			mergeFields: [
				{ merge_id: 1, tag: 'FNAME', name: 'First Name', type: 'text', required: false },
				{ merge_id: 2, tag: 'LNAME', name: 'Last Name', type: 'text', required: false },
				{ merge_id: 3, tag: 'ADDRESS', name: 'Address', type: 'address', required: false },
				{ merge_id: 4, tag: 'PHONE', name: 'Phone Number', type: 'phone', required: false },
			],
		};
		this.lists.set(id, list);
		return list;
	}

	addMergeField(listId: string, tag: string, name: string, type = 'text', options?: Record<string, unknown>) {
		const list = this.lists.get(listId)!;
		list.mergeFields.push({ merge_id: list.mergeFields.length + 1, tag, name, type, required: false, ...(options ? { options } : {}) });
	}

	addMember(listId: string, email: string, status = 'subscribed', merge_fields: Record<string, unknown> = {}): McMember {
		const list = this.lists.get(listId)!;
		const t = this.now();
		const hash = subscriberHash(email);
		const member: McMember = {
			id: hash,
			email_address: email,
			unique_email_id: hash.slice(0, 10),
			status,
			merge_fields,
			tags: [],
			timestamp_signup: t,
			last_changed: t,
			list_id: listId,
		};
		list.members.set(hash, member);
		return member;
	}

	addCampaign(id: string, listId: string, status = 'sent', subject = 'Our news'): McCampaign {
		const campaign = { id, status, recipients: { list_id: listId }, settings: { subject_line: subject, title: subject } };
		this.campaigns.set(id, campaign);
		return campaign;
	}

	newWebhookId(): string {
		return `wh${String(++this.webhookIds).padStart(8, '0')}`;
	}

	tagId(name: string): number {
		const key = name.toLowerCase();
		if (!this.tagIds.has(key)) this.tagIds.set(key, this.tagIds.size + 1);
		return this.tagIds.get(key)!;
	}
}

export const problem = (status: number, title: string, detail: string, instance = '', extra: object = {}): Reply => ({
	status,
	headers: { 'content-type': 'application/problem+json; charset=utf-8' },
	body: {
		type: 'https://mailchimp.com/developer/marketing/docs/errors/',
		title,
		status,
		detail,
		instance: instance || '00000000-0000-0000-0000-000000000000',
		...extra,
	},
});

/**
 * Mailchimp's `fields` / `exclude_fields` query parameters: comma-separated field names, sub-objects
 * and the items of arrays reached with dot notation (`members.email_address`). `fields` keeps only
 * the named paths; `exclude_fields` drops them. Names that match nothing are ignored.
 */
export function projectFields(body: unknown, query: URLSearchParams): unknown {
	const paths = (name: string) =>
		(query.get(name) ?? '')
			.split(',')
			.map((f) => f.trim())
			.filter(Boolean)
			.map((f) => f.split('.'));
	const keep = paths('fields');
	const drop = paths('exclude_fields');
	let out = body;
	if (keep.length) out = pick(out, treeOf(keep));
	if (drop.length) out = omit(out, treeOf(drop));
	return out;
}

type FieldTree = { [name: string]: FieldTree | true };

function treeOf(paths: string[][]): FieldTree {
	const tree: FieldTree = {};
	for (const path of paths) {
		let node = tree;
		path.forEach((name, i) => {
			if (i === path.length - 1) node[name] = true;
			else if (node[name] !== true) node = (node[name] ??= {}) as FieldTree;
		});
	}
	return tree;
}

function pick(value: unknown, tree: FieldTree | true): unknown {
	if (tree === true || value === null || typeof value !== 'object') return value;
	if (Array.isArray(value)) return value.map((v) => pick(v, tree));
	const out: Record<string, unknown> = {};
	for (const [name, sub] of Object.entries(tree)) if (name in (value as object)) out[name] = pick((value as Record<string, unknown>)[name], sub);
	return out;
}

function omit(value: unknown, tree: FieldTree): unknown {
	if (value === null || typeof value !== 'object') return value;
	if (Array.isArray(value)) return value.map((v) => omit(v, tree));
	const out: Record<string, unknown> = { ...(value as Record<string, unknown>) };
	for (const [name, sub] of Object.entries(tree)) {
		if (!(name in out)) continue;
		if (sub === true) delete out[name];
		else out[name] = omit(out[name], sub);
	}
	return out;
}

const listMissing = () => problem(404, 'Resource Not Found', 'The requested resource could not be found.');

export function mailchimpRoutes(state: MailchimpState): Router {
	const r = new Router();
	const p = '/3.0';

	const listOf = (req: Req) => state.lists.get(req.params.listId);

	const listAnswer = (l: McList) => ({
		id: l.id,
		name: l.name,
		stats: { member_count: [...l.members.values()].filter((m) => m.status === 'subscribed').length },
	});

	/** Checks and applies merge fields / status to a member; returns an error reply or undefined. */
	const applyMember = (list: McList, member: McMember, data: any): Reply | undefined => {
		if (data.status !== undefined && !STATUSES.includes(data.status)) {
			return problem(400, 'Invalid Resource', 'The resource submitted could not be validated. For field-specific details, see the \'errors\' array.', '', {
				errors: [{ field: 'status', message: 'Data did not match any of the schemas described in anyOf.' }],
			});
		}
		// An address that unsubscribed or was cleaned is never subscribed again through the API;
		// an unsubscribed one may be sent a new opt-in (pending).
		const resubscribes = data.status === 'subscribed' || (data.status === 'pending' && member.status === 'cleaned');
		if (resubscribes && (member.status === 'unsubscribed' || member.status === 'cleaned')) {
			return problem(
				400,
				'Member In Compliance State',
				`${member.email_address} is in a compliance state due to unsubscribe, bounce, or compliance review and cannot be subscribed.`,
			);
		}
		if (data.merge_fields && typeof data.merge_fields === 'object') {
			const unknown = Object.keys(data.merge_fields).filter((tag) => !list.mergeFields.some((f) => f.tag === tag));
			if (unknown.length) {
				return problem(400, 'Invalid Resource', 'The resource submitted could not be validated. For field-specific details, see the \'errors\' array.', '', {
					errors: unknown.map((tag) => ({ field: `merge_fields.${tag}`, message: 'This merge field does not exist in this audience.' })),
				});
			}
			member.merge_fields = { ...member.merge_fields, ...data.merge_fields };
		}
		if (data.status !== undefined) member.status = data.status;
		if (Array.isArray(data.tags)) {
			for (const name of data.tags) {
				if (!member.tags.some((t) => t.name === name)) member.tags.push({ id: state.tagId(String(name)), name: String(name) });
			}
		}
		member.last_changed = state.now();
		return undefined;
	};

	const invalidEmail = () =>
		problem(400, 'Invalid Resource', 'Please provide a valid email address.', '', { errors: [{ field: 'email_address', message: 'Please provide a valid email address.' }] });

	const forgotten = (email: string) =>
		problem(400, 'Forgotten Email Not Subscribed', `${email} was permanently deleted and cannot be re-imported. The contact must re-subscribe to get back on the list.`);

	r.on('GET', `${p}/ping`, () => ({ status: 200, body: { health_status: "Everything's Chimpy!" } }));

	r.on('GET', `${p}/lists`, (req) => {
		const all = [...state.lists.values()].map(listAnswer);
		return { status: 200, body: { lists: page(all, req.query, 'count', 10, 1000), total_items: all.length } };
	});

	r.on('GET', `${p}/lists/:listId`, (req) => {
		const l = listOf(req);
		return l ? { status: 200, body: listAnswer(l) } : listMissing();
	});

	r.on('POST', `${p}/lists/:listId`, (req) => {
		const list = listOf(req);
		if (!list) return listMissing();
		const members: any[] = Array.isArray(req.body?.members) ? req.body.members : [];
		if (members.length > 500) {
			return problem(400, 'Invalid Resource', 'The resource submitted could not be validated. For field-specific details, see the \'errors\' array.', '', {
				errors: [{ field: 'members', message: 'You can only add or update 500 members per request.' }],
			});
		}
		const updateExisting = req.body?.update_existing === true;
		const skipDuplicateCheck = req.query.get('skip_duplicate_check') === 'true';
		const seen = new Set<string>();
		const answer = { new_members: [] as McMember[], updated_members: [] as McMember[], errors: [] as any[], total_created: 0, total_updated: 0, error_count: 0 };
		for (const m of members) {
			const email = m?.email_address;
			const fail = (error: string, error_code: string, field = '', field_message = '') =>
				answer.errors.push({ email_address: email, error, error_code, field, field_message });
			if (!isValidEmail(email)) {
				fail(`${email} looks fake or invalid, please enter a real email address.`, 'ERROR_GENERIC', 'email_address', 'Please provide a valid email address.');
				continue;
			}
			const hash = subscriberHash(email);
			// The same address twice in one request: the first appearance counts; the others are
			// refused, or ignored with skip_duplicate_check.
			if (seen.has(hash)) {
				if (!skipDuplicateCheck) fail(`${email} appears more than once in this request.`, 'ERROR_GENERIC', 'email_address', 'Duplicate email address in the request.');
				continue;
			}
			seen.add(hash);
			if (list.forgotten.has(hash)) {
				fail(`${email} was permanently deleted and cannot be re-imported.`, 'ERROR_GENERIC');
				continue;
			}
			const existing = list.members.get(hash);
			if (existing && !updateExisting) {
				fail(`${email} is already a list member, do you want to update? please provide update_existing:true in the request body`, 'ERROR_CONTACT_EXISTS');
				continue;
			}
			const member = existing ?? { ...state.addMember(list.id, email, m.status ?? 'subscribed'), merge_fields: {} };
			const error = applyMember(list, member, existing ? m : { ...m, status: m.status ?? 'subscribed' });
			if (error) {
				if (!existing) list.members.delete(hash);
				const body = error.body as any;
				fail(body.title === 'Member In Compliance State' ? `${body.title}: ${body.detail}` : body.detail, 'ERROR_GENERIC', body.errors?.[0]?.field ?? '', body.errors?.[0]?.message ?? '');
				continue;
			}
			list.members.set(hash, member);
			(existing ? answer.updated_members : answer.new_members).push(member);
		}
		answer.total_created = answer.new_members.length;
		answer.total_updated = answer.updated_members.length;
		answer.error_count = answer.errors.length;
		return { status: 200, body: answer };
	});

	/** Members in insertion order, rebuilt only when members were added or removed. */
	const ordered = new WeakMap<McList, { version: number; all: McMember[] }>();
	const membersOf = (list: McList): McMember[] => {
		let cached = ordered.get(list);
		if (cached?.version !== list.members.version) ordered.set(list, (cached = { version: list.members.version, all: [...list.members.values()] }));
		return cached.all;
	};

	r.on('GET', `${p}/lists/:listId/members`, (req) => {
		const list = listOf(req);
		if (!list) return listMissing();
		const q = req.query;
		const status = q.get('status');
		if (status && !MC_MEMBER_STATUSES.includes(status)) {
			return problem(400, 'Invalid Resource', 'The resource submitted could not be validated.', '', { errors: [{ field: 'status', message: 'Data did not match any of the allowed values.' }] });
		}
		// Without a status filter, archived members are left out (they are read with status=archived).
		const tests: Array<(m: McMember) => boolean> = [status ? (m) => m.status === status : (m) => m.status !== 'archived'];
		const inclusive = state.filterBoundary === 'inclusive';
		for (const [param, after] of [['since_last_changed', true], ['before_last_changed', false]] as const) {
			const value = q.get(param);
			if (!value) continue;
			const bound = Date.parse(value);
			if (Number.isNaN(bound)) {
				return problem(400, 'Invalid Resource', 'The resource submitted could not be validated.', '', { errors: [{ field: param, message: 'This value is not a valid datetime.' }] });
			}
			tests.push((m) => {
				const t = Date.parse(m.last_changed);
				return (after ? t > bound : t < bound) || (inclusive && t === bound);
			});
		}
		const size = Math.min(Math.max(Number(q.get('count') ?? 10) || 10, 1), 1000);
		const offset = Math.max(Number(q.get('offset') ?? 0) || 0, 0);
		const matches = tests.length === 1 ? tests[0] : (m: McMember) => tests.every((t) => t(m));
		const sortField = q.get('sort_field');
		let total = 0;
		let members: McMember[];
		if (sortField && ['timestamp_opt', 'timestamp_signup', 'last_changed'].includes(sortField)) {
			const key = sortField === 'last_changed' ? 'last_changed' : 'timestamp_signup';
			const dir = q.get('sort_dir') === 'DESC' ? -1 : 1;
			// By instant (stamps set by tests may mix `Z` and `+00:00`). The order of ties is not
			// documented (API-NOTES.md), and a database paging with LIMIT/OFFSET does not promise one:
			// ties come in a new random order on every request (`tieOrder: 'stable'` keeps insertion order).
			const keyed = membersOf(list)
				.filter(matches)
				.map((m) => ({ m, t: Date.parse(m[key]), r: state.tieOrder === 'shuffled' ? Math.random() : 0 }));
			keyed.sort((a, b) => (a.t - b.t) * dir || a.r - b.r);
			total = keyed.length;
			members = keyed.slice(offset, offset + size).map((k) => k.m);
		} else {
			// One pass: count every match, keep only the page (a page of a 1,000,000-member audience costs one loop).
			members = [];
			for (const m of membersOf(list)) {
				if (!matches(m)) continue;
				if (total >= offset && members.length < size) members.push(m);
				total++;
			}
		}
		return { status: 200, body: { members, list_id: list.id, total_items: total } };
	});

	r.on('POST', `${p}/lists/:listId/members`, (req) => {
		const list = listOf(req);
		if (!list) return listMissing();
		const data = req.body ?? {};
		if (!isValidEmail(data.email_address)) return invalidEmail();
		if (!data.status) {
			return problem(400, 'Invalid Resource', 'The resource submitted could not be validated.', '', { errors: [{ field: 'status', message: 'This value should not be blank.' }] });
		}
		const hash = subscriberHash(data.email_address);
		if (list.forgotten.has(hash)) return forgotten(data.email_address);
		if (list.members.has(hash)) {
			return problem(400, 'Member Exists', `${data.email_address} is already a list member. Use PUT to insert or update list members.`);
		}
		const member = state.addMember(list.id, data.email_address, 'subscribed');
		const error = applyMember(list, member, data);
		if (error) {
			list.members.delete(hash);
			return error;
		}
		return { status: 200, body: member };
	});

	const memberRoute = (req: Req): { list?: McList; member?: McMember; error?: Reply } => {
		const list = listOf(req);
		if (!list) return { error: listMissing() };
		const member = list.members.get(req.params.hash.toLowerCase());
		return { list, member };
	};

	r.on('GET', `${p}/lists/:listId/members/:hash`, (req) => {
		const { member, error } = memberRoute(req);
		if (error) return error;
		return member ? { status: 200, body: member } : listMissing();
	});

	r.on('PUT', `${p}/lists/:listId/members/:hash`, (req) => {
		const { list, member, error } = memberRoute(req);
		if (error) return error;
		const data = req.body ?? {};
		if (member) {
			if (data.email_address && subscriberHash(data.email_address) !== member.id) {
				return problem(400, 'Invalid Resource', 'The email address does not match the subscriber hash in the URL.');
			}
			return applyMember(list!, member, data) ?? { status: 200, body: member };
		}
		if (!isValidEmail(data.email_address)) return invalidEmail();
		if (subscriberHash(data.email_address) !== req.params.hash.toLowerCase()) {
			return problem(400, 'Invalid Resource', 'The email address does not match the subscriber hash in the URL.');
		}
		if (list!.forgotten.has(req.params.hash)) return forgotten(data.email_address);
		const statusIfNew = data.status_if_new ?? data.status;
		if (!statusIfNew) {
			return problem(400, 'Invalid Resource', 'The resource submitted could not be validated.', '', { errors: [{ field: 'status_if_new', message: 'This value should not be blank.' }] });
		}
		const created = state.addMember(list!.id, data.email_address, 'subscribed');
		const err = applyMember(list!, created, { ...data, status: statusIfNew });
		if (err) {
			list!.members.delete(created.id);
			return err;
		}
		return { status: 200, body: created };
	});

	r.on('PATCH', `${p}/lists/:listId/members/:hash`, (req) => {
		const { list, member, error } = memberRoute(req);
		if (error) return error;
		if (!member) return listMissing();
		const data = req.body ?? {};
		const newEmail = data.email_address;
		if (newEmail !== undefined && subscriberHash(String(newEmail)) !== member.id) {
			// A new address moves the member to the new address's hash.
			if (!isValidEmail(newEmail)) return invalidEmail();
			const newHash = subscriberHash(newEmail);
			if (list!.members.has(newHash)) return problem(400, 'Member Exists', `${newEmail} is already a list member.`);
			const error = applyMember(list!, member, data);
			if (error) return error;
			list!.members.delete(member.id);
			member.id = newHash;
			member.email_address = newEmail;
			list!.members.set(newHash, member);
			return { status: 200, body: member };
		}
		return applyMember(list!, member, data) ?? { status: 200, body: member };
	});

	r.on('DELETE', `${p}/lists/:listId/members/:hash`, (req) => {
		const { member, error } = memberRoute(req);
		if (error) return error;
		// An archived member is no longer there to archive.
		if (!member || member.status === 'archived') return listMissing();
		member.status = 'archived';
		member.last_changed = state.now();
		return { status: 204 };
	});

	r.on('POST', `${p}/lists/:listId/members/:hash/actions/delete-permanent`, (req) => {
		const { list, member, error } = memberRoute(req);
		if (error) return error;
		if (!member) return listMissing();
		list!.members.delete(member.id);
		list!.forgotten.add(member.id);
		return { status: 204 };
	});

	r.on('GET', `${p}/lists/:listId/members/:hash/tags`, (req) => {
		const { member, error } = memberRoute(req);
		if (error) return error;
		if (!member) return listMissing();
		return { status: 200, body: { tags: member.tags, total_items: member.tags.length } };
	});

	r.on('POST', `${p}/lists/:listId/members/:hash/tags`, (req) => {
		const { member, error } = memberRoute(req);
		if (error) return error;
		if (!member) return listMissing();
		for (const t of req.body?.tags ?? []) {
			if (!t?.name || !['active', 'inactive'].includes(t.status)) {
				return problem(400, 'Invalid Resource', 'The resource submitted could not be validated.', '', { errors: [{ field: 'tags', message: 'Each tag needs a name and a status of active or inactive.' }] });
			}
			if (t.status === 'active' && !member.tags.some((x) => x.name === t.name)) member.tags.push({ id: state.tagId(t.name), name: t.name });
			if (t.status === 'inactive') member.tags = member.tags.filter((x) => x.name !== t.name);
		}
		member.last_changed = state.now();
		return { status: 204 };
	});

	const webhookAnswer = (w: McWebhook) => ({ ...w });

	r.on('GET', `${p}/lists/:listId/webhooks`, (req) => {
		const list = listOf(req);
		if (!list) return listMissing();
		const all = [...list.webhooks.values()].map(webhookAnswer);
		return { status: 200, body: { webhooks: all, list_id: list.id, total_items: all.length } };
	});

	r.on('POST', `${p}/lists/:listId/webhooks`, async (req) => {
		const list = listOf(req);
		if (!list) return listMissing();
		const data = req.body ?? {};
		const invalidUrl = (message: string) =>
			problem(400, 'Invalid Resource', "The resource submitted could not be validated. For field-specific details, see the 'errors' array.", '', { errors: [{ field: 'url', message }] });
		if (typeof data.url !== 'string' || !/^https?:\/\/\S+$/.test(data.url)) return invalidUrl('This value should be a valid URL.');
		// Mailchimp checks the URL with a GET and needs a 200 before it saves the webhook.
		const checked = await state.checkWebhookUrl(data.url);
		if (checked !== 200) return invalidUrl(`We couldn't verify the URL is working. Please double-check and try again. HTTP Code: ${checked}`);
		const flags = (given: unknown, names: readonly string[]) =>
			Object.fromEntries(names.map((n) => [n, given && typeof given === 'object' && n in given ? (given as Record<string, unknown>)[n] === true : true]));
		const hook: McWebhook = { id: state.newWebhookId(), url: data.url, events: flags(data.events, MC_WEBHOOK_EVENTS), sources: flags(data.sources, MC_WEBHOOK_SOURCES), list_id: list.id };
		list.webhooks.set(hook.id, hook);
		return { status: 200, body: webhookAnswer(hook) };
	});

	r.on('GET', `${p}/lists/:listId/webhooks/:webhookId`, (req) => {
		const hook = listOf(req)?.webhooks.get(req.params.webhookId);
		return hook ? { status: 200, body: webhookAnswer(hook) } : listMissing();
	});

	r.on('DELETE', `${p}/lists/:listId/webhooks/:webhookId`, (req) => {
		const list = listOf(req);
		if (!list || !list.webhooks.delete(req.params.webhookId)) return listMissing();
		return { status: 204 };
	});

	r.on('GET', `${p}/campaigns/:campaignId`, (req) => {
		const campaign = state.campaigns.get(req.params.campaignId);
		return campaign ? { status: 200, body: campaign } : listMissing();
	});

	r.on('GET', `${p}/lists/:listId/merge-fields`, (req) => {
		const list = listOf(req);
		if (!list) return listMissing();
		const all = list.mergeFields.map((f) => ({ ...f, list_id: list.id }));
		return { status: 200, body: { merge_fields: page(all, req.query, 'count', 10, 1000), list_id: list.id, total_items: all.length } };
	});

	return r;
}
