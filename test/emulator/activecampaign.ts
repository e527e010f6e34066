/* eslint-disable @typescript-eslint/no-explicit-any, @n8n/community-nodes/no-restricted-globals -- test code, never shipped: untyped JSON from requests and timers are fine here */
import { randomUUID } from 'node:crypto';

import { formatInOffset, ProviderClock, readFilterDate } from './clock';
import { isValidEmail, page, type Reply, type Req, Router, TrackedMap } from './http';

/**
 * ActiveCampaign API v3, in memory, as far as the nodes use it.
 * Shapes follow API-NOTES.md (in this repository): string ids, `meta.total` as a string,
 * `{errors:[{title,detail,code,source:{pointer}}]}` for validation errors,
 * `{message:"No Result found for ..."}` for missing resources.
 */

/** A contact's membership of a list: status 0 unconfirmed, 1 active, 2 unsubscribed, 3 bounced. */
export interface AcContactList {
	id: string;
	contact: string;
	list: string;
	status: string;
	/** When the contact was added to the list, and when its status there last changed (the account's offset). */
	sdate: string;
	udate: string;
}

/** `GET /contacts` `status` values: -1 any, 0 unconfirmed, 1 active, 2 unsubscribed, 3 bounced. */
export const AC_LIST_STATUSES = ['0', '1', '2', '3'];

export interface AcContact {
	id: string;
	email: string;
	firstName: string;
	lastName: string;
	phone: string;
	cdate: string;
	udate: string;
}

export interface AcList {
	id: string;
	name: string;
	stringid: string;
	sender_url: string;
	sender_reminder: string;
}

export interface AcTag {
	id: string;
	tag: string;
	tagType: string;
	description: string;
}

export interface AcField {
	id: string;
	title: string;
	type: string;
	perstag: string;
}

/** How an import ends: `completed`, or `failed` / `interrupted` (the latter after half of its contacts). */
export type ImportEnding = 'completed' | 'failed' | 'interrupted';

interface ImportBatch {
	id: string;
	submittedAt: number;
	readyAt: number;
	ending: ImportEnding;
	contacts: any[];
	excludeAutomations: boolean;
	/** Filled when processing ends (contact ids imported, emails refused). */
	done: boolean;
	success: string[];
	failure: string[];
}

/** Events `GET /webhook/events` lists (a subset of ActiveCampaign's; see API-NOTES.md). */
export const AC_WEBHOOK_EVENTS = [
	'bounce',
	'click',
	'contact_tag_added',
	'contact_tag_removed',
	'deal_add',
	'forward',
	'list_add',
	'open',
	'reply',
	'sent',
	'sms_reply',
	'subscribe',
	'unsubscribe',
	'update',
];
export const AC_WEBHOOK_SOURCES = ['public', 'admin', 'api', 'system'];

export interface AcWebhook {
	id: string;
	name: string;
	url: string;
	events: string[];
	sources: string[];
	listid: string;
	cdate: string;
}

export class ActiveCampaignState {
	webhooks = new Map<string, AcWebhook>();
	contacts = new TrackedMap<string, AcContact>();
	lists = new Map<string, AcList>();
	tags = new Map<string, AcTag>();
	fields = new Map<string, AcField>();
	/** `${contact}:${list}` → the contact's status on that list (see AcContactList). */
	contactLists = new TrackedMap<string, AcContactList>();
	contactTags = new TrackedMap<string, { id: string; contact: string; tag: string }>();
	/** `${contact}:${field}` → value */
	fieldValues = new TrackedMap<string, { id: string; contact: string; field: string; value: string }>();
	imports = new Map<string, ImportBatch>();
	/** Emails that a bulk import reports under `failure` (AC refuses some addresses while processing). */
	importRejects = new Set<string>();
	/**
	 * How long a bulk import takes to process. `import/info` reports `false` for its first tenth,
	 * then `waiting`, `claimed` and `active`, then how it ended; contacts change only at the end.
	 */
	importDelayMs = 0;
	/** How the next imports end, in order (then `completed`). */
	importEndings: ImportEnding[] = [];
	/** Start times of multi-contact imports (another integration's can be pushed here). */
	importTimes: number[] = [];
	/** ActiveCampaign counts 100 multi-contact imports per rolling minute. */
	importWindowMs = 60_000;
	/** Start times of 1-contact imports, which ActiveCampaign counts apart: 20 a minute (API-NOTES.md). */
	singleImportTimes: number[] = [];
	/** Every import's `exclude_automations`, in order. */
	importExcludeAutomations: boolean[] = [];
	private readonly emails = new Map<string, AcContact>();
	private readonly tagLinks = new Map<string, { id: string; contact: string; tag: string }>();
	private nextId = 1;
	/** The provider's clock (the emulator shares one between both APIs). */
	clock = new ProviderClock();
	/** The account's time zone offset: with a `wall` clock, cdate/udate are written in it (`2026-11-25T05:35:00-06:00`). */
	utcOffset = '-06:00';
	/** How `filters[created_*]`/`filters[updated_*]` values are read: honouring their zone, or as the account's local wall time. */
	filterReading: 'offset' | 'local' = 'offset';
	/** Whether `*_after`/`*_before` include a contact stamped exactly at the bound (undocumented; exclusive by default). */
	filterBoundary: 'exclusive' | 'inclusive' = 'exclusive';

	id(): string {
		return String(this.nextId++);
	}

	/** A change's stamp: with the default `sequence` clock strictly increasing UTC, with `wall` the account's local time. */
	now(): string {
		const ms = this.clock.stampMs();
		return this.clock.mode === 'wall' ? formatInOffset(ms, this.utcOffset) : new Date(ms).toISOString();
	}

	findByEmail(email: string): AcContact | undefined {
		const found = this.emails.get(email.toLowerCase());
		return found && this.contacts.get(found.id) === found && found.email.toLowerCase() === email.toLowerCase() ? found : undefined;
	}

	/** Keeps the email index true after a contact's email changed. */
	indexEmail(contact: AcContact): void {
		this.emails.set(contact.email.toLowerCase(), contact);
	}

	addContact(data: Partial<AcContact> & { email: string }): AcContact {
		const t = this.now();
		const contact: AcContact = {
			id: this.id(),
			email: data.email,
			firstName: data.firstName ?? '',
			lastName: data.lastName ?? '',
			phone: data.phone ?? '',
			cdate: data.cdate ?? t,
			udate: data.udate ?? t,
		};
		this.contacts.set(contact.id, contact);
		this.indexEmail(contact);
		return contact;
	}

	addList(name: string): AcList {
		const list = { id: this.id(), name, stringid: name.toLowerCase().replace(/\W+/g, '-'), sender_url: 'https://example.com', sender_reminder: 'You signed up.' };
		this.lists.set(list.id, list);
		return list;
	}

	addTag(tag: string): AcTag {
		const t = { id: this.id(), tag, tagType: 'contact', description: '' };
		this.tags.set(t.id, t);
		return t;
	}

	addField(title: string, type = 'text'): AcField {
		const f = { id: this.id(), title, type, perstag: title.toUpperCase().replace(/\W+/g, '_') };
		this.fields.set(f.id, f);
		return f;
	}

	subscribe(contact: string, list: string, status: string): AcContactList {
		const key = `${contact}:${list}`;
		const existing = this.contactLists.get(key);
		if (existing?.status === status) return existing;
		const t = this.now();
		const row = { id: existing?.id ?? this.id(), contact, list, status, sdate: existing?.sdate ?? t, udate: t };
		this.contactLists.set(key, row);
		return row;
	}

	private contactOrder?: { version: number; sorted: AcContact[] };
	private listIndexCache?: { version: number; byList: Map<string, Map<string, AcContactList>> };
	private tagIndexCache?: { version: number; byTag: Map<string, Set<string>>; byContact: Map<string, string[]> };

	/** Every contact by ascending id (rebuilt only when contacts were added or removed). */
	contactsById(): AcContact[] {
		if (this.contactOrder?.version !== this.contacts.version) {
			const sorted = [...this.contacts.values()];
			let inOrder = true;
			for (let i = 1; i < sorted.length && inOrder; i++) inOrder = Number(sorted[i - 1].id) < Number(sorted[i].id);
			if (!inOrder) sorted.sort((a, b) => Number(a.id) - Number(b.id));
			this.contactOrder = { version: this.contacts.version, sorted };
		}
		return this.contactOrder.sorted;
	}

	/** list id → contact id → membership row. */
	listIndex(): Map<string, Map<string, AcContactList>> {
		if (this.listIndexCache?.version !== this.contactLists.version) {
			const byList = new Map<string, Map<string, AcContactList>>();
			for (const row of this.contactLists.values()) {
				let members = byList.get(row.list);
				if (!members) byList.set(row.list, (members = new Map()));
				members.set(row.contact, row);
			}
			this.listIndexCache = { version: this.contactLists.version, byList };
		}
		return this.listIndexCache.byList;
	}

	/** tag id → contact ids, and contact id → its contactTag row ids. */
	tagIndex(): { byTag: Map<string, Set<string>>; byContact: Map<string, string[]> } {
		if (this.tagIndexCache?.version !== this.contactTags.version) {
			const byTag = new Map<string, Set<string>>();
			const byContact = new Map<string, string[]>();
			for (const row of this.contactTags.values()) {
				let contacts = byTag.get(row.tag);
				if (!contacts) byTag.set(row.tag, (contacts = new Set()));
				contacts.add(row.contact);
				const rows = byContact.get(row.contact);
				if (rows) rows.push(row.id);
				else byContact.set(row.contact, [row.id]);
			}
			this.tagIndexCache = { version: this.contactTags.version, byTag, byContact };
		}
		return this.tagIndexCache;
	}

	tagContact(contact: string, tag: string) {
		const existing = this.tagLinks.get(`${contact}:${tag}`);
		if (existing && this.contactTags.get(existing.id) === existing) return existing;
		const row = { id: this.id(), contact, tag };
		this.contactTags.set(row.id, row);
		this.tagLinks.set(`${contact}:${tag}`, row);
		return row;
	}

	/** Processes an import whose time has come: its contacts change now, not on submission. */
	finishImport(batch: ImportBatch): void {
		if (batch.done) return;
		batch.done = true;
		if (batch.ending === 'failed') return;
		const rows = batch.ending === 'interrupted' ? batch.contacts.slice(0, Math.floor(batch.contacts.length / 2)) : batch.contacts;
		for (const c of rows) {
			if (this.importRejects.has(String(c.email).toLowerCase())) {
				batch.failure.push(c.email);
				continue;
			}
			batch.success.push(this.importContact(c).id);
		}
	}

	/**
	 * One bulk import row. Rows with the same email in one import are applied in order, to the
	 * same contact. `subscribe` adds the contact to a list, but never re-subscribes a contact who
	 * unsubscribed from it (status 2) or bounced (status 3).
	 */
	private importContact(c: any): AcContact {
		const contact = this.findByEmail(c.email) ?? this.addContact({ email: c.email });
		if (c.first_name !== undefined) contact.firstName = String(c.first_name);
		if (c.last_name !== undefined) contact.lastName = String(c.last_name);
		if (c.phone !== undefined) contact.phone = String(c.phone);
		contact.udate = this.now();
		for (const name of c.tags ?? []) {
			const tag = [...this.tags.values()].find((t) => t.tag.toLowerCase() === String(name).toLowerCase()) ?? this.addTag(String(name));
			this.tagContact(contact.id, tag.id);
		}
		for (const f of c.fields ?? []) if (this.fields.has(String(f.id))) this.setFieldValue(contact.id, String(f.id), String(f.value ?? ''));
		for (const s of c.subscribe ?? []) {
			if (!this.lists.has(String(s.listid))) continue;
			if (['2', '3'].includes(this.contactLists.get(`${contact.id}:${s.listid}`)?.status ?? '')) continue;
			this.subscribe(contact.id, String(s.listid), '1');
		}
		for (const s of c.unsubscribe ?? []) if (this.lists.has(String(s.listid))) this.subscribe(contact.id, String(s.listid), '2');
		return contact;
	}

	setFieldValue(contact: string, field: string, value: string) {
		const key = `${contact}:${field}`;
		const row = { id: this.fieldValues.get(key)?.id ?? this.id(), contact, field, value };
		this.fieldValues.set(key, row);
		return row;
	}
}

const notFound = (what: string, id: string): Reply => ({ status: 404, body: { message: `No Result found for ${what} with id ${id}` } });

const invalid = (title: string, pointer: string, code = 'invalid'): Reply => ({
	status: 422,
	body: { errors: [{ title, detail: '', code, source: { pointer } }] },
});

function listAnswer<T>(key: string, all: T[], req: Req): Reply {
	return {
		status: 200,
		body: { [key]: page(all, req.query, 'limit', 20, 100), meta: { total: String(all.length) } },
	};
}

export function activeCampaignRoutes(state: ActiveCampaignState): Router {
	const r = new Router();
	const p = '/api/3';

	const contactBody = (req: Req) => (req.body && typeof req.body === 'object' ? req.body.contact : undefined);

	/** Applies `{contact:{...fieldValues}}` to a contact; returns an error reply or undefined. */
	const applyContact = (contact: AcContact, data: any): Reply | undefined => {
		if (data.email !== undefined) {
			if (!isValidEmail(data.email)) return invalid('Contact Email Address is not valid.', '/data/attributes/email', 'email_invalid');
			contact.email = data.email;
			state.indexEmail(contact);
		}
		for (const key of ['firstName', 'lastName', 'phone'] as const) {
			if (data[key] !== undefined) contact[key] = String(data[key]);
		}
		for (const fv of data.fieldValues ?? []) {
			if (!state.fields.has(String(fv.field))) {
				return invalid(`Field with id ${fv.field} does not exist`, '/data/attributes/fieldValues/field', 'field_missing');
			}
		}
		for (const fv of data.fieldValues ?? []) state.setFieldValue(contact.id, String(fv.field), String(fv.value ?? ''));
		contact.udate = state.now();
		return undefined;
	};

	const contactAnswer = (c: AcContact, status = 200): Reply => ({
		status,
		body: {
			contact: { ...c, links: {} },
			fieldValues: [...state.fieldValues.values()].filter((fv) => fv.contact === c.id),
		},
	});

	r.on('GET', `${p}/webhook/events`, () => ({ status: 200, body: { webhookEvents: AC_WEBHOOK_EVENTS, meta: { total: AC_WEBHOOK_EVENTS.length } } }));

	r.on('GET', `${p}/webhooks`, (req) => {
		let all = [...state.webhooks.values()];
		const url = req.query.get('filters[url]');
		if (url) all = all.filter((w) => w.url === url);
		return listAnswer('webhooks', all, req);
	});

	r.on('POST', `${p}/webhooks`, (req) => {
		const w = req.body?.webhook ?? {};
		if (typeof w.name !== 'string' || !w.name) return invalid('Name is required', '/data/attributes/name', 'field_missing');
		if (typeof w.url !== 'string' || !/^https?:\/\/\S+$/.test(w.url)) return invalid('A valid URL is required', '/data/attributes/url', 'field_invalid');
		const events: unknown[] = Array.isArray(w.events) ? w.events : [];
		if (!events.length || events.some((e) => !AC_WEBHOOK_EVENTS.includes(String(e)))) return invalid('Events are invalid', '/data/attributes/events', 'field_invalid');
		const sources: unknown[] = Array.isArray(w.sources) ? w.sources : [];
		if (!sources.length || sources.some((s) => !AC_WEBHOOK_SOURCES.includes(String(s)))) return invalid('Sources are invalid', '/data/attributes/sources', 'field_invalid');
		const hook: AcWebhook = { id: state.id(), name: w.name, url: w.url, events: events.map(String), sources: sources.map(String), listid: String(w.listid ?? '0'), cdate: state.now() };
		state.webhooks.set(hook.id, hook);
		return { status: 201, body: { webhook: hook } };
	});

	r.on('GET', `${p}/webhooks/:id`, (req) => {
		const hook = state.webhooks.get(req.params.id);
		return hook ? { status: 200, body: { webhook: hook } } : notFound('Webhook', req.params.id);
	});

	r.on('DELETE', `${p}/webhooks/:id`, (req) => {
		if (!state.webhooks.delete(req.params.id)) return notFound('Webhook', req.params.id);
		return { status: 200, body: {} };
	});

	r.on('GET', `${p}/users/me`, () => ({ status: 200, body: { user: { id: '1', username: 'admin', email: 'admin@example.com' } } }));

	/** Whole-list reads by (list, status, tag) and the state's versions: see the cached path below. */
	const wholeReads = new Map<string, AcContact[]>();

	r.on('GET', `${p}/contacts`, (req) => {
		const q = req.query;
		const status = q.get('status') ?? '-1';
		if (status !== '-1' && !AC_LIST_STATUSES.includes(status)) return invalid('status must be one of -1, 0, 1, 2, 3', '/data/attributes/status');
		const include = new Set((q.get('include') ?? '').split(',').map((name) => name.trim().split('.')[0]).filter(Boolean));
		// Filters as tests (field by field, one pass); the list, tag and id filters read indexes, so a page of a
		// 100,000-contact list costs one pass over ids, not a scan of every membership.
		const tests: Array<(c: AcContact) => boolean> = [];
		const email = q.get('email');
		if (email) tests.push((c) => c.email.toLowerCase() === email.toLowerCase());
		const like = q.get('email_like');
		if (like) tests.push((c) => c.email.toLowerCase().includes(like.toLowerCase()));
		const search = q.get('search');
		if (search) {
			const s = search.toLowerCase();
			tests.push((c) => [c.email, c.firstName, c.lastName, c.phone].some((v) => v.toLowerCase().includes(s)));
		}
		const listid = q.get('listid');
		if (listid) {
			// Contacts associated with the list, whatever their status there unless `status` says which.
			const members = state.listIndex().get(listid) ?? new Map<string, AcContactList>();
			tests.push(status === '-1' ? (c) => members.has(c.id) : (c) => members.get(c.id)?.status === status);
		} else if (status !== '-1') {
			// Without a list, a contact with that status on any list (unconfirmed; see API-NOTES.md).
			const lists = [...state.listIndex().values()];
			tests.push((c) => lists.some((members) => members.get(c.id)?.status === status));
		}
		const tagid = q.get('tagid');
		if (tagid) {
			const tagged = state.tagIndex().byTag.get(tagid) ?? new Set<string>();
			tests.push((c) => tagged.has(c.id));
		}
		const ids = q.get('ids') ?? q.getAll('ids[]').join(',');
		if (ids) {
			const wanted = new Set(ids.split(','));
			tests.push((c) => wanted.has(c.id));
		}
		const idLess = q.get('id_less');
		if (idLess) tests.push((c) => Number(c.id) < Number(idLess));
		// Last of the tests (the cached path below reads it with a binary search instead).
		const idGreater = q.get('id_greater');
		const inclusive = state.filterBoundary === 'inclusive';
		const bounds: Array<[string, 'cdate' | 'udate', (a: number, b: number) => boolean]> = [
			['filters[created_before]', 'cdate', (a, b) => a < b || (inclusive && a === b)],
			['filters[created_after]', 'cdate', (a, b) => a > b || (inclusive && a === b)],
			['filters[updated_before]', 'udate', (a, b) => a < b || (inclusive && a === b)],
			['filters[updated_after]', 'udate', (a, b) => a > b || (inclusive && a === b)],
		];
		for (const [param, field, cmp] of bounds) {
			const v = q.get(param);
			if (v) {
				const bound = readFilterDate(v, state.filterReading, state.utcOffset);
				if (Number.isNaN(bound)) return invalid(`${param} is not a valid date`, `/data/attributes/${param}`);
				tests.push((c) => cmp(Date.parse(c[field]), bound));
			}
		}
		if (idGreater) tests.push((c) => Number(c.id) > Number(idGreater));
		const order = [...q.keys()].find((k) => k.startsWith('orders['));
		const orderField = order ? order.slice(7, -1) : 'id';
		const dir = order && q.get(order)?.toUpperCase() === 'DESC' ? -1 : 1;
		const size = Math.min(Math.max(Number(q.get('limit') ?? 20) || 20, 1), 100);
		const offset = Math.max(Number(q.get('offset') ?? 0) || 0, 0);
		const matches = (c: AcContact) => tests.every((t) => t(c));
		let total = 0;
		let pageOf: AcContact[];
		// Reads of a whole list (list, status, tag; by id; offset or id_greater paging) hit a cache that
		// memberships, tags and contacts invalidate: a page of a 1,000,000-contact list costs a slice.
		const cacheable =
			orderField === 'id' &&
			dir === 1 &&
			!email &&
			!like &&
			!search &&
			!ids &&
			!idLess &&
			!bounds.some(([param]) => q.get(param)) &&
			(!idGreater || /^\d+$/.test(idGreater));
		if (cacheable) {
			const key = `${listid}|${status}|${tagid}|${state.contacts.version}|${state.contactLists.version}|${state.contactTags.version}`;
			let matched = wholeReads.get(key);
			if (!matched) {
				const unbounded = idGreater ? tests.slice(0, -1) : tests;
				matched = state.contactsById().filter((c) => unbounded.every((t) => t(c)));
				if (wholeReads.size >= 8) wholeReads.delete(wholeReads.keys().next().value!);
				wholeReads.set(key, matched);
			}
			let from = 0;
			if (idGreater) {
				// The first contact with an id above the bound (ids ascend).
				let lo = 0;
				let hi = matched.length;
				while (lo < hi) {
					const mid = (lo + hi) >> 1;
					if (Number(matched[mid].id) > Number(idGreater)) hi = mid;
					else lo = mid + 1;
				}
				from = lo;
			}
			total = matched.length - from;
			pageOf = matched.slice(from + offset, from + offset + size);
		} else if (orderField === 'id') {
			// By id (the default): one pass, counting every match and keeping only the page.
			const byId = state.contactsById();
			pageOf = [];
			for (let k = 0; k < byId.length; k++) {
				const c = byId[dir === 1 ? k : byId.length - 1 - k];
				if (!matches(c)) continue;
				if (total >= offset && pageOf.length < size) pageOf.push(c);
				total++;
			}
		} else {
			const all = state.contactsById().filter(matches);
			const key = (c: AcContact) => String((c as any)[orderField] ?? '');
			all.sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0) * dir);
			total = all.length;
			pageOf = all.slice(offset, offset + size);
		}
		const body: Record<string, unknown> = { contacts: pageOf.map((c) => ({ ...c, links: {} })), meta: { total: String(total) } };
		// `include=` sideloads related records beside the contacts, each contact naming its rows' ids.
		const contacts = body.contacts as Array<Record<string, unknown>>;
		if (include.has('contactLists')) {
			const lists = [...state.listIndex().values()];
			const rows: AcContactList[] = [];
			for (const c of contacts) {
				const own = lists.map((members) => members.get(String(c.id))).filter((row): row is AcContactList => row !== undefined);
				c.contactLists = own.map((row) => row.id);
				rows.push(...own);
			}
			body.contactLists = rows;
		}
		if (include.has('contactTags')) {
			const { byContact } = state.tagIndex();
			const rows: unknown[] = [];
			for (const c of contacts) {
				const own = byContact.get(String(c.id)) ?? [];
				c.contactTags = own;
				rows.push(...own.map((id) => state.contactTags.get(id)));
			}
			body.contactTags = rows;
		}
		if (include.has('fieldValues')) {
			const fields = [...state.fields.keys()];
			const rows: unknown[] = [];
			for (const c of contacts) {
				const own = fields.map((f) => state.fieldValues.get(`${c.id}:${f}`)).filter((row) => row !== undefined);
				c.fieldValues = own.map((row) => row.id);
				rows.push(...own);
			}
			body.fieldValues = rows;
		}
		return { status: 200, body };
	});

	r.on('POST', `${p}/contacts`, (req) => {
		const data = contactBody(req);
		if (!data?.email) return invalid('Email is required', '/data/attributes/email', 'field_missing');
		if (!isValidEmail(data.email)) return invalid('Contact Email Address is not valid.', '/data/attributes/email', 'email_invalid');
		if (state.findByEmail(data.email)) return invalid('Email address already exists in the system', '/data/attributes/email', 'duplicate');
		const contact = state.addContact({ email: data.email });
		const error = applyContact(contact, data);
		if (error) {
			state.contacts.delete(contact.id);
			return error;
		}
		return contactAnswer(contact, 201);
	});

	r.on('POST', `${p}/contact/sync`, (req) => {
		const data = contactBody(req);
		if (!data?.email) return invalid('Email is required', '/data/attributes/email', 'field_missing');
		if (!isValidEmail(data.email)) return invalid('Contact Email Address is not valid.', '/data/attributes/email', 'email_invalid');
		const existing = state.findByEmail(data.email);
		const contact = existing ?? state.addContact({ email: data.email });
		const error = applyContact(contact, data);
		if (error) {
			if (!existing) state.contacts.delete(contact.id);
			return error;
		}
		return contactAnswer(contact, existing ? 200 : 201);
	});

	r.on('GET', `${p}/contacts/:id`, (req) => {
		const c = state.contacts.get(req.params.id);
		return c ? contactAnswer(c) : notFound('Subscriber', req.params.id);
	});

	r.on('PUT', `${p}/contacts/:id`, (req) => {
		const c = state.contacts.get(req.params.id);
		if (!c) return notFound('Subscriber', req.params.id);
		const data = contactBody(req) ?? {};
		if (data.email && data.email.toLowerCase() !== c.email.toLowerCase() && state.findByEmail(data.email)) {
			return invalid('Email address already exists in the system', '/data/attributes/email', 'duplicate');
		}
		return applyContact(c, data) ?? contactAnswer(c);
	});

	r.on('DELETE', `${p}/contacts/:id`, (req) => {
		if (!state.contacts.delete(req.params.id)) return notFound('Subscriber', req.params.id);
		for (const [k, ct] of state.contactTags) if (ct.contact === req.params.id) state.contactTags.delete(k);
		return { status: 200, body: {} };
	});

	r.on('GET', `${p}/contacts/:id/contactTags`, (req) => {
		if (!state.contacts.has(req.params.id)) return notFound('Subscriber', req.params.id);
		return { status: 200, body: { contactTags: [...state.contactTags.values()].filter((ct) => ct.contact === req.params.id) } };
	});

	r.on('GET', `${p}/contacts/:id/contactLists`, (req) => {
		if (!state.contacts.has(req.params.id)) return notFound('Subscriber', req.params.id);
		return { status: 200, body: { contactLists: [...state.contactLists.values()].filter((cl) => cl.contact === req.params.id) } };
	});

	r.on('GET', `${p}/contacts/:id/fieldValues`, (req) => {
		if (!state.contacts.has(req.params.id)) return notFound('Subscriber', req.params.id);
		return { status: 200, body: { fieldValues: [...state.fieldValues.values()].filter((fv) => fv.contact === req.params.id) } };
	});

	r.on('GET', `${p}/lists`, (req) => {
		let all = [...state.lists.values()];
		const name = req.query.get('filters[name]');
		if (name) all = all.filter((l) => l.name.toLowerCase().includes(name.toLowerCase()));
		return listAnswer('lists', all, req);
	});

	r.on('GET', `${p}/lists/:id`, (req) => {
		const l = state.lists.get(req.params.id);
		return l ? { status: 200, body: { list: l } } : notFound('List', req.params.id);
	});

	r.on('POST', `${p}/lists`, (req) => {
		const data = req.body?.list ?? {};
		for (const key of ['name', 'stringid', 'sender_url', 'sender_reminder']) {
			if (!data[key]) return invalid(`List ${key} is required`, `/data/attributes/${key}`, 'field_missing');
		}
		const list = state.addList(String(data.name));
		Object.assign(list, { stringid: data.stringid, sender_url: data.sender_url, sender_reminder: data.sender_reminder });
		return { status: 201, body: { list } };
	});

	r.on('POST', `${p}/contactLists`, (req) => {
		const data = req.body?.contactList ?? {};
		if (!state.contacts.has(String(data.contact))) return notFound('Subscriber', String(data.contact));
		if (!state.lists.has(String(data.list))) return notFound('List', String(data.list));
		if (!['1', '2'].includes(String(data.status))) return invalid('Status must be 1 or 2', '/data/attributes/status');
		return { status: 201, body: { contactList: state.subscribe(String(data.contact), String(data.list), String(data.status)) } };
	});

	r.on('GET', `${p}/tags`, (req) => {
		let all = [...state.tags.values()];
		const search = req.query.get('search');
		if (search) all = all.filter((t) => t.tag.toLowerCase().includes(search.toLowerCase()));
		return listAnswer('tags', all, req);
	});

	r.on('GET', `${p}/tags/:id`, (req) => {
		const t = state.tags.get(req.params.id);
		return t ? { status: 200, body: { tag: t } } : notFound('Tag', req.params.id);
	});

	r.on('POST', `${p}/tags`, (req) => {
		const data = req.body?.tag ?? {};
		if (!data.tag) return invalid('Tag name is required', '/data/attributes/tag', 'field_missing');
		if ([...state.tags.values()].some((t) => t.tag.toLowerCase() === String(data.tag).toLowerCase())) {
			return invalid('Tag name already exists', '/data/attributes/tag', 'duplicate');
		}
		const tag = state.addTag(String(data.tag));
		tag.description = String(data.description ?? '');
		return { status: 201, body: { tag } };
	});

	r.on('POST', `${p}/contactTags`, (req) => {
		const data = req.body?.contactTag ?? {};
		if (!state.contacts.has(String(data.contact))) return notFound('Subscriber', String(data.contact));
		if (!state.tags.has(String(data.tag))) return notFound('Tag', String(data.tag));
		return { status: 201, body: { contactTag: state.tagContact(String(data.contact), String(data.tag)) } };
	});

	r.on('DELETE', `${p}/contactTags/:id`, (req) => {
		if (!state.contactTags.delete(req.params.id)) return notFound('ContactTag', req.params.id);
		return { status: 200, body: {} };
	});

	r.on('GET', `${p}/fields`, (req) => {
		const all = [...state.fields.values()];
		const answer = listAnswer('fields', all, req);
		Object.assign(answer.body as object, { fieldOptions: [], fieldRels: [] });
		return answer;
	});

	/** field id → its values in the order they were first set (rebuilt when values are added or removed). */
	let valuesByField: { version: number; byField: Map<string, Array<{ id: string; contact: string; field: string; value: string }>> } | undefined;

	r.on('GET', `${p}/fieldValues`, (req) => {
		if (valuesByField?.version !== state.fieldValues.version) {
			const byField = new Map<string, Array<{ id: string; contact: string; field: string; value: string }>>();
			for (const row of state.fieldValues.values()) {
				const rows = byField.get(row.field);
				if (rows) rows.push(row);
				else byField.set(row.field, [row]);
			}
			valuesByField = { version: state.fieldValues.version, byField };
		}
		const fieldId = req.query.get('filters[fieldid]');
		const val = req.query.get('filters[val]');
		let all = fieldId ? (valuesByField.byField.get(fieldId) ?? []) : [...state.fieldValues.values()];
		if (val !== null) all = all.filter((row) => row.value === val);
		return listAnswer('fieldValues', all, req);
	});

	r.on('POST', `${p}/fieldValues`, (req) => {
		const data = req.body?.fieldValue ?? {};
		if (!state.contacts.has(String(data.contact))) return notFound('Subscriber', String(data.contact));
		if (!state.fields.has(String(data.field))) return notFound('Field', String(data.field));
		return { status: 200, body: { fieldValue: state.setFieldValue(String(data.contact), String(data.field), String(data.value ?? '')) } };
	});

	r.on('POST', `${p}/import/bulk_import`, (req) => {
		const contacts: any[] = Array.isArray(req.body?.contacts) ? req.body.contacts : [];
		if (contacts.length === 0) return { status: 400, body: { success: 0, message: 'No contacts provided.', failureReasons: [] } };
		if (contacts.length > 250) {
			return { status: 400, body: { success: 0, message: 'Too many contacts. A maximum of 250 contacts can be imported per request.', failureReasons: [] } };
		}
		const now = Date.now();
		const single = contacts.length === 1;
		const times = (single ? state.singleImportTimes : state.importTimes).filter((t) => t > now - state.importWindowMs);
		if (single) state.singleImportTimes = times;
		else state.importTimes = times;
		if (times.length >= (single ? 20 : 100)) return { status: 400, body: { success: 0, message: 'Rate limit exceeded.', failureReasons: [] } };
		const failureReasons = contacts
			.map((c, i) => (isValidEmail(c?.email) ? undefined : { contact: i, failureReason: 'Invalid email address' }))
			.filter(Boolean);
		if (failureReasons.length) return { status: 400, body: { success: 0, message: 'Validation failed.', failureReasons } };
		times.push(now);
		const batch: ImportBatch = {
			id: randomUUID(),
			submittedAt: now,
			readyAt: now + state.importDelayMs,
			ending: state.importEndings.shift() ?? 'completed',
			contacts,
			excludeAutomations: req.body?.exclude_automations === true,
			done: false,
			success: [],
			failure: [],
		};
		state.importExcludeAutomations.push(batch.excludeAutomations);
		state.imports.set(batch.id, batch);
		if (state.importDelayMs <= 0) state.finishImport(batch);
		else setTimeout(() => state.finishImport(batch), state.importDelayMs).unref();
		return { status: 200, body: { success: 1, queued_contacts: contacts.length, batchId: batch.id, message: 'Contact import queued' } };
	});

	r.on('GET', `${p}/import/info`, (req) => {
		const batch = state.imports.get(req.query.get('batchId') ?? '');
		if (!batch) return { status: 400, body: { success: 0, message: "'batchId' is a required field." } };
		const elapsed = Date.now() - batch.submittedAt;
		const delay = state.importDelayMs;
		if (elapsed < delay) {
			const status = elapsed < delay * 0.1 ? false : elapsed < delay * 0.3 ? 'waiting' : elapsed < delay * 0.5 ? 'claimed' : 'active';
			return { status: 200, body: { status, success: [], failure: [] } };
		}
		state.finishImport(batch);
		return { status: 200, body: { status: batch.ending, success: batch.success, failure: batch.failure } };
	});

	return r;
}
