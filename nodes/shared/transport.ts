import {
	sleep,
	type IAdditionalCredentialOptions,
	type IDataObject,
	type IExecuteFunctions,
	type IHookFunctions,
	type IHttpRequestMethods,
	type IHttpRequestOptions,
	type ILoadOptionsFunctions,
	type IN8nHttpFullResponse,
	type IPollFunctions,
	type IWebhookFunctions,
} from 'n8n-workflow';

import { apiFailure, asNodeError, type FailureFacts, inputFailure, type ProviderError } from './errors';
import type { Pacer, PaceOutcome } from './pacing';
import { shown } from './values';

/**
 * The one way our nodes talk HTTP: n8n's httpRequestWithAuthentication (so n8n applies the
 * credential, its proxy and SSL settings; n8n's httpRequest with the caller's signature only for
 * an endpoint that wants another scheme, see `signedBy`), behind a shared pacer, with bounded retries that
 * never repeat a request which could duplicate data, offset pagination, and error mapping with
 * secrets redacted. Everything provider-specific comes in through an ApiDescription.
 */

export type HttpContext = IExecuteFunctions | ILoadOptionsFunctions | IPollFunctions | IHookFunctions | IWebhookFunctions;

export interface ApiDescription {
	service: string;
	credentialType: string;
	/** Passed on to httpRequestWithAuthentication (an OAuth2 credential's token type). */
	credentialOptions?: IAdditionalCredentialOptions;
	/**
	 * For an endpoint that wants another scheme than n8n signs the credential with: the headers
	 * that sign each request instead (built from the credential by the caller; their secret parts
	 * must be in `secrets`). Such requests go through n8n's httpRequest, unsigned by n8n, with the
	 * same pacing, retries, error mapping and redaction as every other.
	 */
	signedBy?: () => Record<string, string>;
	baseUrl: string;
	/** Strings that must never appear in an error: the API key and anything derived from it. */
	secrets: string[];
	pacer: Pacer;
	/**
	 * A 429 without Retry-After still only means "too busy right now" (Mailchimp: too many
	 * connections at once), so it is waited out within the rate-limit wait budget like one with
	 * Retry-After. Otherwise such 429s are bounded by the attempt limit.
	 */
	waitOutEvery429?: boolean;
	/** Requests beyond GET/PUT/DELETE that can be repeated without duplicating data (upserts). */
	isRepeatable(method: IHttpRequestMethods, path: string): boolean;
	/** Reads the provider's error body. */
	readError(body: unknown): ProviderError;
	/** The provider's own advice per status: key rejected (401/403), billing (402). */
	adviceFor(status: number): string | undefined;
}

export interface RetryPolicy {
	/** Attempts in all, the first included (for errors other than 429s that are waited out). */
	maxAttempts: number;
	/** Upper bound on the time spent waiting between attempts of one request (errors other than those 429s). */
	maxWaitMs: number;
	/**
	 * Upper bound on the time one request spends waiting out 429s (with Retry-After, or from an API
	 * whose 429s are always transient): under contention a 429 is normal and must not fail a run.
	 */
	maxRateLimitWaitMs: number;
	/** Per-attempt timeout. */
	timeoutMs: number;
	/** First backoff step when the server gives no Retry-After (doubles each attempt, full jitter). */
	baseDelayMs: number;
	maxDelayMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = {
	maxAttempts: 6,
	maxWaitMs: 120_000,
	maxRateLimitWaitMs: 600_000,
	timeoutMs: 60_000,
	baseDelayMs: 500,
	maxDelayMs: 20_000,
};

/** The default policy with a node's overrides (unset options keep the defaults). */
export function retryPolicy(overrides: Partial<RetryPolicy> = {}): RetryPolicy {
	const set = Object.entries(overrides).filter(([, v]) => typeof v === 'number' && Number.isFinite(v));
	return { ...DEFAULT_RETRY, ...Object.fromEntries(set) };
}

export interface ApiRequest {
	method: IHttpRequestMethods;
	/**
	 * Path below the base URL, starting with `/`: fixed segments, and `{name}` placeholders that
	 * `params` fill. Never build a path from user input by hand: put the value in `params`.
	 */
	path: string;
	/** Values for the `{name}` placeholders of `path`: each becomes exactly one encoded segment. */
	params?: Record<string, string | number>;
	/** Query values; an array repeats its key (`ids[]=1&ids[]=2`). */
	query?: Record<string, string | number | boolean | string[] | undefined>;
	body?: unknown;
	/** Named in error messages: `contact 42`. */
	subject?: string;
	itemIndex?: number;
	/**
	 * Called when the request is about to be sent again after an attempt whose outcome is unknown
	 * (no answer, a cut-off answer, a 5xx): that attempt may have been applied, and the caller may
	 * have to word its result accordingly (an upsert that created a record may now see it existing).
	 */
	onRepeat?: () => void;
}

/** Characters a fixed path segment may hold as they are (RFC 3986 pchar, `%` only as `%XX`). */
const PLAIN_SEGMENT = /^(?:[A-Za-z0-9\-._~!$&'()*+,;=:@]|%[0-9A-Fa-f]{2})+$/;
const PLACEHOLDER = /^\{(\w+)\}$/;

/** A segment a server (or a proxy) would read as "this folder" or "the parent folder", or as nothing. */
function isDotOrEmpty(segment: string): boolean {
	let decoded = segment;
	try {
		decoded = decodeURIComponent(segment);
	} catch {
		// A malformed escape is refused by the caller's own check.
	}
	return !decoded.trim() || decoded === '.' || decoded === '..';
}

/**
 * The request path from a template and its parameters, every parameter percent-encoded as one
 * segment. Returns the problem instead when a segment is empty, `.` or `..` (also percent-encoded,
 * as URL parsers resolve `%2e%2e` too), when a placeholder has no value, or when a fixed segment
 * holds characters that would change the route (`?`, `#`, spaces, raw non-ASCII).
 */
export function buildPath(template: string, params: Record<string, string | number> = {}): { path: string } | { problem: string } {
	if (!template.startsWith('/')) return { problem: 'it does not start with /' };
	const out: string[] = [];
	for (const segment of template.slice(1).split('/')) {
		const placeholder = PLACEHOLDER.exec(segment);
		if (placeholder) {
			const value = Object.prototype.hasOwnProperty.call(params, placeholder[1]) ? params[placeholder[1]] : undefined;
			if (typeof value !== 'string' && !(typeof value === 'number' && Number.isFinite(value))) {
				return { problem: `no value for {${placeholder[1]}}` };
			}
			const text = String(value);
			if (isDotOrEmpty(text)) return { problem: `{${placeholder[1]}} would be the segment ${shown(text)}` };
			out.push(encodeURIComponent(text));
			continue;
		}
		if (isDotOrEmpty(segment) || !PLAIN_SEGMENT.test(segment)) return { problem: `the segment ${shown(segment)} is not allowed` };
		out.push(segment);
	}
	return { path: `/${out.join('/')}` };
}

const REPEATABLE_METHODS = new Set<string>(['GET', 'HEAD', 'PUT', 'DELETE']);
const NETWORK_CODES = new Set(['ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'ETIMEDOUT', 'ECONNABORTED', 'ENOTFOUND', 'EAI_AGAIN', 'ERR_SOCKET_CONNECTION_TIMEOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'UND_ERR_SOCKET']);

/** Seconds, or an HTTP date; undefined when absent or unreadable. */
export function parseRetryAfter(value: unknown, now = Date.now()): number | undefined {
	if (typeof value !== 'string' || !value.trim()) return undefined;
	const trimmed = value.trim();
	if (/^\d+(\.\d+)?$/.test(trimmed)) return Number(trimmed) * 1000;
	const at = Date.parse(trimmed);
	return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

const clock = (): number => performance.now();

/** Exponential backoff with full jitter: a random wait in [0, min(max, base * 2^attempt)]. */
export function backoffDelay(attempt: number, policy: RetryPolicy, random = Math.random): number {
	return Math.floor(random() * Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1)));
}

/**
 * The network failure behind an error, if that is what it is. n8n wraps axios errors in a
 * NodeApiError that keeps the code in `httpCode` and the original text in `messages`.
 */
function networkCode(error: unknown): string | undefined {
	const seen = new Set<unknown>();
	let current = error as { code?: unknown; httpCode?: unknown; message?: unknown; messages?: unknown; cause?: unknown } | undefined;
	while (current && typeof current === 'object' && !seen.has(current)) {
		seen.add(current);
		const texts = [current.message, ...(Array.isArray(current.messages) ? current.messages : [])].map(String).join(' ');
		for (const code of [current.code, current.httpCode]) {
			if (code === 'ECONNABORTED' || code === 'ETIMEDOUT') return 'TIMEOUT';
			if (typeof code === 'string' && NETWORK_CODES.has(code)) return code;
		}
		if (/timeout of \d+ms exceeded/i.test(texts)) return 'TIMEOUT';
		if (/socket hang up/i.test(texts)) return 'ECONNRESET';
		current = current.cause as typeof current;
	}
	return undefined;
}

function headerValue(headers: IN8nHttpFullResponse['headers'] | undefined, name: string): unknown {
	if (!headers) return undefined;
	const found = Object.entries(headers).find(([k]) => k.toLowerCase() === name);
	return found?.[1];
}

export interface Page<T> {
	items: T[];
	/** The total the API reports, when it does. */
	total?: number;
}

export interface PaginateOptions {
	pageSize: number;
	/** Stop after this many items (undefined: all). Pages are sized so nothing extra is fetched. */
	limit?: number;
	/** Pages fetched at once once the total is known (the pacer still bounds the real rate). */
	concurrency?: number;
	/**
	 * false: the concurrent pages are handed on as they arrive, not in order, for a caller that
	 * does not need the order (a whole read into an index). A page then never waits, parsed, for
	 * an earlier one held up by a retry: held pages outlive the young generation and a large read
	 * fills the heap with them.
	 */
	ordered?: boolean;
}

/**
 * Offset pagination as an async iterator of pages, in order (unless `ordered` is false). The first
 * page is fetched alone; when it reports a total, the remaining pages are fetched `concurrency` at
 * a time.
 */
export async function* paginate<T>(
	fetchPage: (offset: number, size: number) => Promise<Page<T>>,
	options: PaginateOptions,
): AsyncGenerator<T[]> {
	const wanted = options.limit ?? Number.POSITIVE_INFINITY;
	if (wanted <= 0) return;
	const sizeAt = (offset: number) => Math.min(options.pageSize, wanted - offset);

	const first = await fetchPage(0, sizeAt(0));
	const firstItems = first.items.slice(0, sizeAt(0));
	if (firstItems.length) yield firstItems;
	if (first.items.length < sizeAt(0)) return;

	let offset = firstItems.length;
	const total = first.total;
	const concurrency = Math.max(1, options.concurrency ?? 1);

	if (total !== undefined && concurrency > 1) {
		const end = Math.min(total, wanted);
		const offsets: number[] = [];
		for (let o = offset; o < end; o += options.pageSize) offsets.push(o);
		// Pages arrive into `slots` (by the order they were started) or, unordered, into `arrived`;
		// the read waits for the next one to hand on, or for the first failure of any page in flight:
		// a later page failing while an earlier one is still pending ends the read at once. Every page
		// promise gets its handlers when it starts, so none is left rejected unobserved (an unhandled
		// rejection) when the read ends or is abandoned early. No promise of a page is kept (nor a
		// Promise.race against one long-lived promise, whose reactions would hold every page read).
		const ordered = options.ordered !== false;
		const slots = new Map<number, Page<T>>();
		const arrived: Array<Page<T>> = [];
		let failure: { error: unknown } | undefined;
		let wake: (() => void) | undefined;
		const wakeUp = () => {
			const woken = wake;
			wake = undefined;
			woken?.();
		};
		let started = 0;
		let handed = 0;
		const start = (o: number) => {
			const n = started++;
			fetchPage(o, sizeAt(o)).then(
				(page) => {
					if (ordered) slots.set(n, page);
					else arrived.push(page);
					wakeUp();
				},
				(error: unknown) => {
					failure ??= { error };
					wakeUp();
				},
			);
		};
		const take = (): Page<T> | undefined => {
			const page = ordered ? slots.get(handed) : arrived.shift();
			if (page) slots.delete(handed++);
			return page;
		};
		let next = 0;
		while (next < offsets.length && started < concurrency) start(offsets[next++]);
		let shortPage = false;
		while (handed < started) {
			let page = failure ? undefined : take();
			while (!page) {
				if (failure) throw failure.error;
				await new Promise<void>((resolve) => (wake = resolve));
				page = failure ? undefined : take();
			}
			if (next < offsets.length && !shortPage) start(offsets[next++]);
			if (page.items.length) yield page.items;
			offset += page.items.length;
			if (page.items.length < options.pageSize) shortPage = true;
		}
		// The total was the API's answer when paging began: stop there rather than ask for an empty page.
		if (shortPage || offset >= end) return;
	} else if (total !== undefined && offset >= total) {
		return;
	}

	while (offset < wanted) {
		const size = sizeAt(offset);
		const page = await fetchPage(offset, size);
		const items = page.items.slice(0, size);
		if (items.length) yield items;
		offset += items.length;
		if (items.length < size || (page.total !== undefined && offset >= page.total)) return;
	}
}

/** All items of a paginated read, in order. */
export async function collectPages<T>(pages: AsyncGenerator<T[]>, map: (item: T) => T = (item) => item): Promise<T[]> {
	const out: T[] = [];
	for await (const page of pages) for (const item of page) out.push(map(item));
	return out;
}

export class ApiClient {
	/** The provider's clock as its last answer's `Date` header gave it (ms), when there was one. */
	serverDate?: number;

	/** Requests sent through this client (every attempt) and the 429 answers among them, for a node's summary. */
	readonly counts = { requests: 0, throttled: 0 };

	constructor(
		private readonly ctx: HttpContext,
		readonly api: ApiDescription,
		readonly retry: RetryPolicy = DEFAULT_RETRY,
	) {}

	/** The node this client works for (for input errors raised outside the client). */
	getNode() {
		return this.ctx.getNode();
	}

	/** A problem found before any request, reported without secrets. */
	/** A caught error as the node should throw it: NodeApiError/NodeOperationError as they are, anything else wrapped. */
	nodeError(error: unknown, itemIndex?: number) {
		return asNodeError(this.ctx.getNode(), error, itemIndex);
	}

	inputError(message: string, itemIndex?: number, description?: string) {
		return inputFailure(this.ctx.getNode(), message, this.api.secrets, itemIndex, description);
	}

	/** Sends one request and returns its parsed JSON body (undefined for an empty body). */
	async request<T = IDataObject>(request: ApiRequest): Promise<T> {
		const { api, retry } = this;
		// Every path is built here, from encoded segments; nothing leaves with a dot or empty segment.
		const built = buildPath(request.path, request.params);
		if ('problem' in built) {
			throw this.inputError(
				`Refused to send a request to an unsafe path${request.itemIndex === undefined ? '' : ` (item ${request.itemIndex})`}: ${built.problem}`,
				request.itemIndex,
				`Path template: ${shown(request.path)}. Values that go into a request path are checked and encoded; this one was not accepted.`,
			);
		}
		const req = { ...request, path: built.path };
		const repeatable = REPEATABLE_METHODS.has(req.method) || api.isRepeatable(req.method, req.path);
		const query = Object.entries(req.query ?? {})
			.filter(([, v]) => v !== undefined && v !== '')
			.flatMap(([k, v]): Array<[string, string]> => (Array.isArray(v) ? v.map((one) => [k, one]) : [[k, String(v)]]));
		const search = new URLSearchParams(query).toString();
		const options: IHttpRequestOptions = {
			method: req.method,
			baseURL: api.baseUrl,
			url: search ? `${req.path}?${search}` : req.path,
			headers: { Accept: 'application/json' },
			encoding: 'text',
			json: false,
			returnFullResponse: true,
			ignoreHttpStatusErrors: true,
			timeout: retry.timeoutMs,
		};
		if (req.body !== undefined) {
			options.body = JSON.stringify(req.body);
			options.headers!['Content-Type'] = 'application/json';
		}

		let waitedMs = 0;
		/** Time spent waiting out 429s, from each 429 until the retry got its slot. */
		let throttledMs = 0;
		let throttledSince: number | undefined;
		let throttles = 0;
		/** 429s waited out within the time budget: they do not count against the attempt limit. */
		let waitedOut = 0;
		/** Attempts that got no readable answer and were sent again: the request may have been applied by one of them. */
		let unanswered = 0;
		const facts = (extra: Partial<FailureFacts>, attempts: number): FailureFacts => ({
			service: api.service,
			method: req.method,
			path: req.path,
			subject: req.subject,
			itemIndex: req.itemIndex,
			secrets: api.secrets,
			attempts,
			waitedMs,
			timeoutMs: retry.timeoutMs,
			unansweredAttempts: unanswered,
			...extra,
		});
		/** Waits before the next attempt; false when the attempts or the wait budget are spent. */
		const waitForRetry = async (attempt: number, delayMs: number): Promise<boolean> => {
			if (attempt - waitedOut >= retry.maxAttempts || waitedMs + delayMs > retry.maxWaitMs) return false;
			waitedMs += delayMs;
			if (delayMs > 0) await sleep(delayMs);
			return true;
		};

		for (let attempt = 1; ; attempt++) {
			const release = await api.pacer.acquire();
			this.counts.requests++;
			if (throttledSince !== undefined) {
				throttledMs += clock() - throttledSince;
				throttledSince = undefined;
			}
			let response: IN8nHttpFullResponse;
			let outcome: PaceOutcome = 'failed';
			try {
				response = (
					api.signedBy
						? await this.ctx.helpers.httpRequest({ ...options, headers: { ...options.headers, ...api.signedBy() } })
						: await this.ctx.helpers.httpRequestWithAuthentication.call(this.ctx, api.credentialType, { ...options, headers: { ...options.headers } }, api.credentialOptions)
				) as IN8nHttpFullResponse;
				outcome = response.statusCode === 429 ? 'throttled' : response.statusCode < 500 ? 'success' : 'failed';
			} catch (error) {
				const code = networkCode(error);
				if (!code) {
					// Not a transport failure: the credential's own checks (bad URL or key) or n8n refusing the request.
					throw this.inputError((error as Error).message ?? String(error), req.itemIndex);
				}
				if (repeatable && (await waitForRetry(attempt, backoffDelay(attempt - waitedOut, retry)))) {
					unanswered++;
					req.onRepeat?.();
					continue;
				}
				throw apiFailure(this.ctx.getNode(), facts({ networkCode: code }, attempt));
			} finally {
				// The pacer learns from every answer: a 429 lowers this account's pace, a success raises it.
				release(outcome);
			}

			const status = response.statusCode;
			const date = Date.parse(String(headerValue(response.headers, 'date') ?? ''));
			if (!Number.isNaN(date)) this.serverDate = date;
			const text = typeof response.body === 'string' ? response.body : '';
			let body: unknown;
			let unreadable = false;
			if (text.trim()) {
				try {
					body = JSON.parse(text);
				} catch {
					unreadable = true;
					body = text.slice(0, 500);
				}
			}

			if (status === 429) {
				this.counts.throttled++;
				// A 429 means the request was not processed: repeating it is always safe.
				const retryAfter = parseRetryAfter(headerValue(response.headers, 'retry-after'));
				throttles++;
				if (retryAfter !== undefined || api.waitOutEvery429) {
					// Waited out within a time budget, not an attempt count: under contention 429s are normal.
					// Never less than half a backoff step, so a "Retry-After: 0" loop still spends the budget.
					const delayMs = Math.max(retryAfter ?? backoffDelay(throttles, retry), Math.min(retry.baseDelayMs, 1000) / 2);
					if (throttledMs + delayMs > retry.maxRateLimitWaitMs) {
						throw apiFailure(
							this.ctx.getNode(),
							facts({ status, body, provider: api.readError(body), rateLimitWaitMs: throttledMs, rateLimitBudgetMs: retry.maxRateLimitWaitMs }, attempt),
						);
					}
					throttledSince = clock();
					waitedOut++;
					if (retryAfter !== undefined) {
						// Every caller of this account in the process waits with us, queued ones included;
						// the next acquire() waits for the pause.
						api.pacer.pauseFor(delayMs);
					} else {
						await sleep(delayMs);
					}
					continue;
				}
				if (await waitForRetry(attempt, backoffDelay(attempt - waitedOut, retry))) continue;
				throw apiFailure(this.ctx.getNode(), facts({ status, body, provider: api.readError(body) }, attempt));
			}
			if (status >= 500 || (status < 300 && unreadable)) {
				if (repeatable && (await waitForRetry(attempt, backoffDelay(attempt - waitedOut, retry)))) {
					if (status < 300) unanswered++;
					req.onRepeat?.();
					continue;
				}
				throw apiFailure(this.ctx.getNode(), facts({ status: status >= 500 ? status : undefined, body }, attempt));
			}
			if (status >= 300) {
				throw apiFailure(
					this.ctx.getNode(),
					facts({ status, body, provider: api.readError(body), advice: api.adviceFor(status) }, attempt),
				);
			}
			return body as T;
		}
	}
}
