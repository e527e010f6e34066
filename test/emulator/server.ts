/* eslint-disable @n8n/community-nodes/no-hardcoded-secrets, @n8n/community-nodes/no-restricted-imports -- test code, never shipped: made-up test keys, Node modules are fine here */
import { createServer, type IncomingMessage, type ServerResponse, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

import { ActiveCampaignState, activeCampaignRoutes } from './activecampaign';
import { ProviderClock } from './clock';
import { delay, readBody, type Reply, type Router, send } from './http';
import { MailchimpState, mailchimpRoutes, problem, projectFields } from './mailchimp';

/**
 * A local emulator of the ActiveCampaign v3 and Mailchimp 3.0 APIs on 127.0.0.1.
 * ActiveCampaign lives under `/api/3` (API URL = the emulator's URL), Mailchimp under
 * `/3.0` (base URL override = `${url}/3.0`). It enforces the providers' limits, answers
 * errors in their shapes, counts requests per route, and can inject faults.
 */

/**
 * `echo-secret`: a 422 whose error text repeats the credential the request carried (to prove redaction).
 * `import-refuses`: ActiveCampaign's 400 for a bulk import, naming the contacts at positions `refuse`.
 * `reply`: answers with `reply` as it is (an answer of an unexpected shape).
 * `hang-after-write`: handles the request (the write happens), then never answers: a timeout after success.
 */
export type FaultKind = 500 | 503 | 429 | 'reset' | 'truncated' | 'hang' | 'no-body-429' | 'echo-secret' | 'import-refuses' | 'reply' | 'hang-after-write';

export interface Fault {
	kind: FaultKind;
	method?: string;
	/** Matched against the path without the query string. */
	path?: RegExp;
	/** Matched against the query string (without `?`): one page of a paginated read. */
	query?: RegExp;
	/** How many matching requests it hits (default 1). */
	times?: number;
	/** For kind 429: the Retry-After header value to send (AC sends one, Mailchimp none). */
	retryAfter?: string;
	/** Matching requests to let through before the fault hits (default 0): fails a poll partway. */
	after?: number;
	/** For kind import-refuses: positions in the import's contacts to name in failureReasons. */
	refuse?: number[];
	/** For kind reply: the answer to send. */
	reply?: Reply;
}

export interface EmulatorOptions {
	port?: number;
	/** Added to every request while it is in flight. */
	latencyMs?: number;
	/**
	 * Up to this many ms of random delay before a request reaches the rate limiter, as the network
	 * adds on the way: requests sent evenly spaced can arrive bunched (and a busy machine does this too).
	 */
	arrivalJitterMs?: number;
	acKeys?: string[];
	mcKeys?: string[];
	/** Mailchimp OAuth2 access tokens the emulator knows (as `Bearer` on the API, as `OAuth` on the metadata). */
	mcOAuthTokens?: string[];
	/** ActiveCampaign requests per rolling second per account (5). */
	acRatePerSecond?: number;
	/** Seconds in ActiveCampaign's Retry-After on a 429 (AC's docs show 30; 1 keeps tests short). */
	acRetryAfterSeconds?: number;
	/** Mailchimp simultaneous connections per key (10). */
	mcMaxInFlight?: number;
	/** ActiveCampaign accounts answering 402 (payment issue) on every request. */
	acPaymentRequired?: boolean;
	/** `wall`: changes are stamped with the provider's clock at one-second resolution, as the real APIs do (see clock.ts). */
	clock?: 'sequence' | 'wall';
	/** Provider time minus the test machine's time (changes' stamps and the `Date` header). */
	clockSkewMs?: number;
}

/** What a request hook sees: called for every request that reached an API route, before it is answered. */
export interface RequestInfo {
	method: string;
	path: string;
	query: URLSearchParams;
}

export const AC_TEST_KEY = 'ac-test-key-0f1e2d3c4b5a69788796a5b4c3d2e1f0';
export const MC_TEST_KEY = '0123456789abcdef0123456789abcdef-us18';
/** An OAuth2 access token of the emulated Mailchimp account (datacenter us18). */
export const MC_TEST_OAUTH_TOKEN = 'mc-oauth-token-5e4d3c2b1a0f9e8d7c6b5a4f3e2d1c0b';

export class Emulator {
	readonly ac = new ActiveCampaignState();
	readonly mc = new MailchimpState();
	/** `METHOD /route/pattern` → count of requests that reached that route (after limits and faults). */
	readonly counts = new Map<string, number>();
	/**
	 * Every request received, in order, with its status: for assertions on what was sent and where.
	 * `path` is the path the server acts on (dot segments resolved, as any HTTP server does);
	 * `rawUrl` is the request target exactly as it arrived.
	 */
	readonly log: Array<{ method: string; path: string; rawUrl: string; status: number; at: number; body?: unknown }> = [];
	faults: Fault[] = [];
	/** The providers' clock, shared by both fake APIs; every answer's `Date` header reads it. */
	readonly clock = new ProviderClock();
	/** false: answers carry no `Date` header (as behind a proxy that strips it). */
	sendDate = true;
	/**
	 * Runs before a request is answered (after auth and limits): tests change records here, between
	 * the pages of a poll, as live traffic would.
	 */
	beforeAnswer?: (request: RequestInfo) => void | Promise<void>;
	/** Called for every connection accepted (tools/queue.ts finds which process opened it). */
	onConnection?: (socket: Socket) => void;
	/** Called for every request on arrival, before anything else (tools/queue.ts counts per process). */
	onRequest?: (req: IncomingMessage, res: ServerResponse) => void;
	rejected429 = { ac: 0, mc: 0 };
	maxMcInFlight = 0;
	url = '';
	options: Required<EmulatorOptions>;

	private server?: Server;
	private readonly sockets = new Set<Socket>();
	private readonly acRouter: Router;
	private readonly mcRouter: Router;
	private acWindow: number[] = [];
	private mcInFlight = new Map<string, number>();

	constructor(options: EmulatorOptions = {}) {
		this.options = {
			port: 0,
			latencyMs: 0,
			arrivalJitterMs: 0,
			acKeys: [AC_TEST_KEY],
			mcKeys: [MC_TEST_KEY],
			mcOAuthTokens: [MC_TEST_OAUTH_TOKEN],
			acRatePerSecond: 5,
			acRetryAfterSeconds: 1,
			mcMaxInFlight: 10,
			acPaymentRequired: false,
			clock: 'sequence',
			clockSkewMs: 0,
			...options,
		};
		this.clock.mode = this.options.clock;
		this.clock.skewMs = this.options.clockSkewMs;
		this.ac.clock = this.clock;
		this.mc.clock = this.clock;
		this.acRouter = activeCampaignRoutes(this.ac);
		this.mcRouter = mailchimpRoutes(this.mc);
		this.mc.checkWebhookUrl = async (url) => {
			try {
				return (await fetch(url, { method: 'GET', headers: { 'user-agent': 'MailChimp.com WebHook Validator' } })).status;
			} catch {
				return 0;
			}
		};
	}

	/**
	 * The sandbox plays an ActiveCampaign event as if it happened in the account: the contact's
	 * state changes accordingly (so Confirm With the API agrees), then the event is delivered.
	 * `options.email` picks the contact (default: the first one).
	 */
	async fireAc(type: string, options: Record<string, unknown> = {}): Promise<Reply> {
		if (!['subscribe', 'unsubscribe', 'update', 'contact_tag_added', 'contact_tag_removed'].includes(type)) {
			return { status: 400, body: { message: 'The sandbox fires subscribe, unsubscribe, update, contact_tag_added or contact_tag_removed' } };
		}
		const contact = typeof options.email === 'string' ? this.ac.findByEmail(options.email) : this.ac.contacts.values().next().value;
		if (!contact) return { status: 404, body: { message: 'No such contact in the sandbox' } };
		const list = [...this.ac.lists.values()][0];
		let tag: string | undefined;
		if ((type === 'subscribe' || type === 'unsubscribe') && list) this.ac.subscribe(contact.id, list.id, type === 'subscribe' ? '1' : '2');
		if (type === 'update') contact.udate = this.ac.now();
		if (type.startsWith('contact_tag')) {
			const t = [...this.ac.tags.values()][0] ?? this.ac.addTag('sandbox');
			tag = t.tag;
			if (type === 'contact_tag_added') this.ac.tagContact(contact.id, t.id);
			else for (const [k, ct] of this.ac.contactTags) if (ct.contact === contact.id && ct.tag === t.id) this.ac.contactTags.delete(k);
		}
		const fields = Object.fromEntries([...this.ac.fieldValues.values()].filter((fv) => fv.contact === contact.id).map((fv) => [fv.field, fv.value]));
		const payload = {
			type,
			date_time: new Date().toISOString(),
			initiated_by: 'admin',
			initiated_from: 'admin',
			list: (type === 'subscribe' || type === 'unsubscribe') && list ? list.id : '0',
			...(tag ? { tag } : {}),
			contact: { id: contact.id, email: contact.email, first_name: contact.firstName, last_name: contact.lastName, phone: contact.phone, fields },
		};
		return { status: 200, body: { payload, deliveries: await this.deliverAc(payload) } };
	}

	/**
	 * The sandbox plays a Mailchimp audience event (the member's status changes accordingly),
	 * then delivers it. `options.list` picks the audience (default: the first one with a
	 * webhook), `options.email` the member.
	 */
	async fireMc(type: string, options: Record<string, unknown> = {}): Promise<Reply> {
		if (!['subscribe', 'unsubscribe', 'profile', 'cleaned', 'upemail', 'campaign'].includes(type)) {
			return { status: 400, body: { message: 'The sandbox fires subscribe, unsubscribe, profile, cleaned, upemail or campaign' } };
		}
		const list = typeof options.list === 'string' ? this.mc.lists.get(options.list) : [...this.mc.lists.values()].find((l) => l.webhooks.size) ?? [...this.mc.lists.values()][0];
		if (!list) return { status: 404, body: { message: 'No such audience in the sandbox' } };
		const firedAt = new Date().toISOString().replace('T', ' ').slice(0, 19);
		let data: Record<string, unknown>;
		if (type === 'campaign') {
			const campaign = this.mc.addCampaign(`sandbox${String(this.mc.campaigns.size + 1).padStart(4, '0')}`, list.id, 'sent', 'Sandbox campaign');
			data = { id: campaign.id, subject: campaign.settings.subject_line, status: 'sent', reason: '', list_id: list.id };
		} else {
			const wanted = typeof options.email === 'string' ? options.email.toLowerCase() : undefined;
			const members = [...list.members.values()];
			const member =
				(wanted ? members.find((m) => m.email_address.toLowerCase() === wanted) : undefined) ??
				(type === 'subscribe' ? members.find((m) => m.status !== 'subscribed') : members.find((m) => m.status === 'subscribed')) ??
				(wanted ? this.mc.addMember(list.id, wanted, 'unsubscribed') : members[0]);
			if (!member) return { status: 404, body: { message: 'No member in that audience' } };
			const status: Record<string, string> = { subscribe: 'subscribed', unsubscribe: 'unsubscribed', cleaned: 'cleaned' };
			if (status[type]) member.status = status[type];
			member.last_changed = this.mc.now();
			const merges = { EMAIL: member.email_address, ...member.merge_fields };
			data =
				type === 'upemail'
					? { list_id: list.id, new_id: member.unique_email_id, new_email: member.email_address, old_email: `old.${member.email_address}` }
					: { id: member.unique_email_id, email: member.email_address, email_type: 'html', list_id: list.id, merges, ...(type === 'unsubscribe' ? { action: 'unsub', reason: 'manual' } : {}), ...(type === 'cleaned' ? { reason: 'hard' } : {}) };
		}
		const payload = { type, fired_at: firedAt, data };
		return { status: 200, body: { payload, deliveries: await this.deliverMc(list.id, payload, 'admin') } };
	}

	/**
	 * ActiveCampaign delivers an event to every webhook registered for its type and source (and
	 * list, when the webhook names one): a form-encoded POST with bracketed keys.
	 */
	async deliverAc(payload: Record<string, unknown>): Promise<Delivered[]> {
		const source = String(payload.initiated_from ?? 'admin');
		const list = String(payload.list ?? '0');
		const hooks = [...this.ac.webhooks.values()].filter(
			(w) => w.events.includes(String(payload.type)) && w.sources.includes(source) && (w.listid === '0' || w.listid === list),
		);
		return Promise.all(hooks.map((w) => postForm(w.url, payload, 'ActiveCampaign/1.0')));
	}

	/**
	 * Mailchimp delivers an audience event to every webhook of that audience registered for its
	 * type and source (campaign events cannot be limited by source): a form-encoded POST.
	 */
	async deliverMc(listId: string, payload: Record<string, unknown>, source: 'user' | 'admin' | 'api' = 'admin'): Promise<Delivered[]> {
		const list = this.mc.lists.get(listId);
		const type = String(payload.type);
		const hooks = [...(list?.webhooks.values() ?? [])].filter((w) => w.events[type] && (type === 'campaign' || w.sources[source]));
		return Promise.all(hooks.map((w) => postForm(w.url, payload, 'MailChimp.com')));
	}

	get mcBaseUrl(): string {
		return `${this.url}/3.0`;
	}

	count(route: string): number {
		return this.counts.get(route) ?? 0;
	}

	resetCounts(): void {
		this.counts.clear();
		this.log.length = 0;
		this.rejected429 = { ac: 0, mc: 0 };
		this.maxMcInFlight = 0;
	}

	async start(): Promise<this> {
		this.server = createServer((req, res) => {
			this.handle(req, res).catch((error: Error) => {
				if (!res.headersSent) send(res, { status: 500, body: { message: error.message } });
			});
		});
		this.server.on('connection', (s) => {
			this.sockets.add(s);
			s.on('close', () => this.sockets.delete(s));
			this.onConnection?.(s);
		});
		await new Promise<void>((resolve, reject) => {
			this.server!.once('error', (error: NodeJS.ErrnoException) =>
				reject(error.code === 'EADDRINUSE' ? new Error(`Port ${this.options.port} on 127.0.0.1 is in use: stop what runs there, or choose another port (SANDBOX_PORT).`) : error),
			);
			this.server!.listen(this.options.port, '127.0.0.1', resolve);
		});
		this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
		return this;
	}

	async stop(): Promise<void> {
		for (const s of this.sockets) s.destroy();
		await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
	}

	private takeFault(method: string, path: string, query: string): Fault | undefined {
		const i = this.faults.findIndex((f) => (!f.method || f.method === method) && (!f.path || f.path.test(path)) && (!f.query || f.query.test(query)));
		if (i < 0) return undefined;
		const fault = this.faults[i];
		if (fault.after) {
			fault.after--;
			return undefined;
		}
		fault.times = (fault.times ?? 1) - 1;
		if (fault.times <= 0) this.faults.splice(i, 1);
		return fault;
	}

	private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
		this.onRequest?.(req, res);
		const url = new URL(req.url ?? '/', 'http://127.0.0.1');
		const method = (req.method ?? 'GET').toUpperCase();
		const path = url.pathname.replace(/\/+$/, '') || '/';
		const raw = await readBody(req);
		const isAc = path.startsWith('/api/3');
		const isMc = path === '/3.0' || path.startsWith('/3.0/');
		if (this.sendDate) res.setHeader('date', new Date(this.clock.nowMs()).toUTCString());
		else res.sendDate = false;
		const reply = (r: Reply, body?: unknown) => {
			this.log.push({ method, path, rawUrl: req.url ?? '', status: r.status, at: Date.now(), body });
			send(res, r);
		};

		if (path === '/oauth2/metadata') {
			// Mailchimp's login host: which datacenter and API endpoint a token belongs to.
			this.counts.set(`${method} ${path}`, (this.counts.get(`${method} ${path}`) ?? 0) + 1);
			// Signed `Authorization: OAuth <token>`, as Mailchimp documents it (API-NOTES.md); `Bearer` is refused here.
			const auth = String(req.headers.authorization ?? '');
			const token = /^OAuth /.test(auth) ? auth.slice('OAuth '.length) : '';
			if (method !== 'GET') return reply({ status: 405, body: { error: 'method_not_allowed' } });
			const fault = this.takeFault(method, path, url.search.slice(1));
			if (fault) {
				this.log.push({ method, path, rawUrl: req.url ?? '', status: typeof fault.kind === 'number' ? fault.kind : 0, at: Date.now() });
				return this.applyFault(fault, req, res, false);
			}
			if (!this.options.mcOAuthTokens.includes(token)) return reply({ status: 401, body: { error: 'invalid_token', error_description: 'Invalid token' } });
			return reply({
				status: 200,
				body: { dc: 'us18', role: 'owner', accountname: 'Sandbox Account', user_id: 1, login_url: this.url, api_endpoint: this.url },
			});
		}
		const fire = /^\/_sandbox\/fire\/(activecampaign|mailchimp)\/(\w+)$/.exec(path);
		if (fire && method === 'POST') {
			// A sandbox control, not part of either API: play an event and deliver it to the registered webhooks.
			let options: Record<string, unknown> = {};
			try {
				options = raw ? (JSON.parse(raw) as Record<string, unknown>) : {};
			} catch {
				return reply({ status: 400, body: { message: 'The body must be JSON (or empty)' } });
			}
			const answer = fire[1] === 'activecampaign' ? await this.fireAc(fire[2], options) : await this.fireMc(fire[2], options);
			return reply(answer);
		}
		if (!isAc && !isMc) return reply({ status: 404, body: { message: 'Not an API path of this emulator' } });
		if (this.options.arrivalJitterMs) await delay(Math.random() * this.options.arrivalJitterMs);

		if (isAc) {
			const key = req.headers['api-token'];
			if (typeof key !== 'string' || !this.options.acKeys.includes(key)) {
				return reply({ status: 403, body: { message: 'Forbidden' } });
			}
			if (this.options.acPaymentRequired) {
				return reply({ status: 402, body: { message: 'Payment Required. Your account has an outstanding balance.' } });
			}
			const now = Date.now();
			this.acWindow = this.acWindow.filter((t) => t > now - 1000);
			if (this.acWindow.length >= this.options.acRatePerSecond) {
				this.rejected429.ac++;
				return reply({
					status: 429,
					headers: {
						'retry-after': String(this.options.acRetryAfterSeconds),
						'ratelimit-limit': String(this.options.acRatePerSecond),
						'ratelimit-remaining': '0',
					},
					body: { message: 'Too Many Requests' },
				});
			}
			this.acWindow.push(now);
		}

		let mcKey: string | undefined;
		if (isMc) {
			const auth = req.headers.authorization ?? '';
			const bearer = auth.startsWith('Bearer ') ? auth.slice(7) : undefined;
			const decoded = auth.startsWith('Basic ') ? Buffer.from(auth.slice(6), 'base64').toString('utf8') : '';
			mcKey = bearer ?? decoded.slice(decoded.indexOf(':') + 1);
			const known = bearer !== undefined ? this.options.mcOAuthTokens.includes(bearer) : auth.startsWith('Basic ') && this.options.mcKeys.includes(mcKey);
			if (!known) {
				return reply(problem(401, 'API Key Invalid', "Your API key may be invalid, or you've attempted to access the wrong datacenter."));
			}
			const inFlight = (this.mcInFlight.get(mcKey) ?? 0) + 1;
			if (inFlight > this.options.mcMaxInFlight) {
				this.rejected429.mc++;
				return reply(problem(429, 'Too Many Requests', 'You have exceeded the limit of 10 simultaneous connections.'));
			}
			this.mcInFlight.set(mcKey, inFlight);
			this.maxMcInFlight = Math.max(this.maxMcInFlight, inFlight);
		}

		try {
			if (this.options.latencyMs) await delay(this.options.latencyMs);
			const fault = this.takeFault(method, path, url.search.slice(1));
			if (fault && fault.kind !== 'hang-after-write') {
				this.log.push({ method, path, rawUrl: req.url ?? '', status: typeof fault.kind === 'number' ? fault.kind : 0, at: Date.now() });
				return this.applyFault(fault, req, res, isAc);
			}
			const router = isAc ? this.acRouter : this.mcRouter;
			const found = router.match(method, path);
			if (!('route' in found)) {
				if (found.allowed.length) {
					return reply(isAc ? { status: 405, body: { message: 'Method Not Allowed' } } : problem(405, 'Method Not Allowed', `The requested method and resource are not compatible.`));
				}
				return reply(isAc ? { status: 404, body: { message: 'No Result found' } } : problem(404, 'Resource Not Found', 'The requested resource could not be found.'));
			}
			if (this.beforeAnswer) await this.beforeAnswer({ method, path, query: url.searchParams });
			const routeKey = `${method} ${found.route.pattern}`;
			this.counts.set(routeKey, (this.counts.get(routeKey) ?? 0) + 1);
			let body: unknown;
			if (raw) {
				try {
					body = JSON.parse(raw);
				} catch {
					return reply(isAc ? { status: 400, body: { message: 'Invalid JSON' } } : problem(400, 'JSON Parse Error', 'We encountered an unspecified JSON parsing error.'));
				}
			}
			let answer = await found.route.handler({ method, path, query: url.searchParams, headers: req.headers, body, params: found.params });
			// Mailchimp trims any GET answer to `fields` / without `exclude_fields`.
			if (isMc && method === 'GET' && answer.status === 200 && answer.body !== undefined) answer = { ...answer, body: projectFields(answer.body, url.searchParams) };
			if (fault) {
				// The write happened; the answer never leaves (the socket is destroyed when the emulator stops).
				this.log.push({ method, path, rawUrl: req.url ?? '', status: 0, at: Date.now(), body });
				return new Promise<void>(() => undefined);
			}
			reply(answer, body);
		} finally {
			if (mcKey !== undefined) this.mcInFlight.set(mcKey, (this.mcInFlight.get(mcKey) ?? 1) - 1);
		}
	}

	private async applyFault(fault: Fault, req: IncomingMessage, res: ServerResponse, isAc: boolean): Promise<void> {
		switch (fault.kind) {
			case 'echo-secret': {
				const carried = String(req.headers['api-token'] ?? req.headers.authorization ?? '');
				const decoded = carried.startsWith('Basic ') ? Buffer.from(carried.slice(6), 'base64').toString('utf8') : carried;
				return send(
					res,
					isAc
						? { status: 422, body: { errors: [{ title: `Token ${decoded} is not allowed here`, detail: carried, code: 'invalid', source: { pointer: '/data/attributes/email' } }] } }
						: problem(400, 'Invalid Resource', `Key ${decoded} (${carried}) is not allowed`, '', { errors: [{ field: 'email_address', message: decoded }] }),
				);
			}
			case 'reset':
				res.socket?.destroy();
				return;
			case 'hang':
				// Never answer; the socket is destroyed when the emulator stops.
				return new Promise<void>(() => undefined);
			case 'truncated':
				res.writeHead(200, { 'content-type': 'application/json' });
				res.end('{"contacts":[{"id":"1","email":"trunc');
				return;
			case 'import-refuses':
				return send(res, {
					status: 400,
					body: { success: 0, message: 'Validation failed.', failureReasons: (fault.refuse ?? []).map((contact) => ({ contact, failureReason: 'Refused: test rule' })) },
				});
			case 'reply':
				return send(res, fault.reply ?? { status: 200, body: {} });
			case 'no-body-429':
				return send(res, { status: 429 });
			case 429: {
				const answer: Reply = isAc
					? { status: 429, body: { message: 'Too Many Requests' } }
					: problem(429, 'Too Many Requests', 'You have exceeded the limit of 10 simultaneous connections.');
				if (fault.retryAfter !== undefined) answer.headers = { ...answer.headers, 'retry-after': fault.retryAfter };
				return send(res, answer);
			}
			case 'hang-after-write':
				return;
			default:
				return send(
					res,
					isAc
						? { status: fault.kind, body: { message: fault.kind === 503 ? 'Service Unavailable' : 'Internal Server Error' } }
						: problem(fault.kind, fault.kind === 503 ? 'Service Unavailable' : 'Internal Server Error', 'An unexpected internal error has occurred.'),
				);
		}
	}
}

export interface Delivered {
	url: string;
	status: number;
	body: string;
}

/** `{contact: {email: 'a'}}` → `[['contact[email]', 'a']]`, as the providers encode their forms. */
export function formPairs(value: unknown, prefix = ''): Array<[string, string]> {
	if (value === undefined || value === null) return [];
	if (Array.isArray(value)) return value.flatMap((v) => formPairs(v, `${prefix}[]`));
	if (typeof value === 'object') return Object.entries(value as object).flatMap(([k, v]) => formPairs(v, prefix ? `${prefix}[${k}]` : k));
	return [[prefix, String(value)]];
}

/** POSTs a form (application/x-www-form-urlencoded) to a URL, as a provider's webhook does. */
export async function postForm(url: string, payload: unknown, userAgent = 'test'): Promise<Delivered> {
	const body = new URLSearchParams(formPairs(payload)).toString();
	const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', 'user-agent': userAgent }, body });
	return { url, status: res.status, body: await res.text() };
}

export async function startEmulator(options: EmulatorOptions = {}): Promise<Emulator> {
	return new Emulator(options).start();
}
