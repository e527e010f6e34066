import { randomBytes, timingSafeEqual } from 'crypto';

import type { IDataObject, IWebhookFunctions, IWebhookResponseData } from 'n8n-workflow';

import type { ApiClient } from './transport';
import { readBoolean } from './values';

/**
 * Provider-neutral pieces of a webhook trigger whose provider does not sign its deliveries:
 * a random secret carried in the registered URL, safe parsing of form-encoded bracketed keys,
 * and answers that never start the workflow.
 */

/** What a webhook trigger keeps in the node's static data between activations. */
export interface WebhookState {
	/** The provider's id of the webhook we registered. */
	webhookId?: string;
	/** The secret in the registered URL's query. */
	secret?: string;
	/** The list/audience the webhook was registered for. */
	target?: string;
}

/** The query parameter that carries the secret. */
export const SECRET_PARAM = 'secret';

export function newWebhookSecret(): string {
	return randomBytes(24).toString('hex');
}

/** The URL to register: n8n's webhook URL plus the secret. */
export function urlWithSecret(url: string, secret: string): string {
	return `${url}${url.includes('?') ? '&' : '?'}${SECRET_PARAM}=${encodeURIComponent(secret)}`;
}

/** A URL without its query: to recognise our own webhooks whatever secret they carry. */
export function withoutQuery(url: unknown): string {
	return typeof url === 'string' ? url.split('?')[0].replace(/\/+$/, '') : '';
}

/** Compares the request's secret with the stored one in constant time. */
export function secretMatches(given: unknown, expected: unknown): boolean {
	if (typeof given !== 'string' || typeof expected !== 'string' || !expected) return false;
	const a = Buffer.from(given);
	const b = Buffer.from(expected);
	return a.length === b.length && timingSafeEqual(a, b);
}

/** Answers the request directly and does not start the workflow. */
export function answer(ctx: IWebhookFunctions, status: number, body: IDataObject): IWebhookResponseData {
	const res = ctx.getResponseObject();
	const text = JSON.stringify(body);
	res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': String(Buffer.byteLength(text)) });
	res.end(text);
	return { noWebhookResponse: true };
}

export const isObject = (v: unknown): v is IDataObject => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The answer of a request, or undefined when the resource does not exist (404); other failures are thrown. */
export async function unlessNotFound<T>(client: ApiClient, pending: Promise<T>): Promise<T | undefined> {
	try {
		return await pending;
	} catch (error) {
		if (String((error as { httpCode?: unknown }).httpCode) === '404') return undefined;
		throw client.nodeError(error);
	}
}

export function rememberRegistration(state: WebhookState, webhookId: string, secret: string, target: string): void {
	state.webhookId = webhookId;
	state.secret = secret;
	state.target = target;
}

export function forgetRegistration(state: WebhookState): void {
	delete state.webhookId;
	delete state.secret;
	delete state.target;
}

/** A webhook as the provider lists it, and whether its settings (events, sources, list) are the trigger's. */
export interface Registration {
	id: string;
	url: unknown;
	sameSettings: boolean;
}

/**
 * The trigger's checkExists: our registration (the stored id, at this node's URL with the stored
 * secret, with the trigger's settings) is kept; every other registration of this node's URL (left
 * by an earlier activation whose static data was lost, or with other settings) is removed, so
 * reactivating never leaves a duplicate. Without ours, the stored state is forgotten. True when
 * ours is registered.
 */
export async function keepOnlyOurRegistration(
	state: WebhookState,
	url: string,
	registrations: Registration[],
	remove: (id: string) => Promise<unknown>,
): Promise<boolean> {
	let found = false;
	for (const hook of registrations) {
		if (withoutQuery(hook.url) !== withoutQuery(url)) continue;
		const ours = !found && state.secret !== undefined && hook.id === state.webhookId && hook.url === urlWithSecret(url, state.secret) && hook.sameSettings;
		if (ours) found = true;
		else await remove(hook.id);
	}
	if (!found) forgetRegistration(state);
	return found;
}

/** Why a delivery without the secret is refused, in the words of someone who registered the URL by hand. */
export const MISSING_SECRET =
	'Refused: this webhook URL lacks the secret n8n adds when it registers the webhook itself, so nothing was started. ' +
	'Do not register the URL shown in n8n by hand: delete that webhook at the provider, then deactivate and activate the workflow, and n8n registers it with its secret.';

/**
 * 401 for a request without the stored secret (nothing starts); undefined when it has it. The
 * provider may show no answer to its deliveries, so the reason also goes to n8n's log, naming
 * the workflow and the node.
 */
export function refuseWithoutSecret(ctx: IWebhookFunctions, state: WebhookState): IWebhookResponseData | undefined {
	if (secretMatches(requestSecret(ctx), state.secret)) return undefined;
	ctx.logger.warn(`Workflow "${ctx.getWorkflow().name ?? ctx.getWorkflow().id}", node "${ctx.getNode().name}": ${MISSING_SECRET}`);
	return answer(ctx, 401, { message: MISSING_SECRET });
}

/** Keys that would reach an object's prototype when used as property names. */
const FORBIDDEN = new Set(['__proto__', 'constructor', 'prototype']);
const MAX_DEPTH = 8;

/** `contact[fields][12]` → `['contact', 'fields', '12']`; `tags[]` → `['tags', '']`. Undefined for malformed keys. */
function keyPath(key: string): string[] | undefined {
	const open = key.indexOf('[');
	if (open < 0) return [key];
	const path = [key.slice(0, open)];
	let rest = key.slice(open);
	while (rest.length) {
		const m = /^\[([^[\]]*)\]/.exec(rest);
		if (!m) return undefined;
		path.push(m[1]);
		rest = rest.slice(m[0].length);
	}
	return path;
}

const isPlainObject = isObject;

/**
 * Form fields with bracketed keys (`contact[email]=…`, `data[merges][FNAME]=…`), as the
 * providers post them, as nested JSON. Accepts the flat map n8n parses form bodies into, or
 * an already nested one. Keys that name `__proto__`, `constructor` or `prototype` anywhere, and
 * malformed or too deep keys, are dropped (so are values nested too deep, lists included); where a plain value and a nested one share a key,
 * the first one wins. Values stay strings (repeated keys give arrays of strings).
 */
export function nestFormFields(body: unknown): IDataObject {
	const out: IDataObject = {};
	if (!isPlainObject(body) && !(typeof body === 'object' && body !== null)) return out;
	const put = (path: string[], value: unknown) => {
		if (!path.length || path.length > MAX_DEPTH || path.some((p) => FORBIDDEN.has(p)) || path[0] === '') return;
		let node: IDataObject = out;
		for (let i = 0; i < path.length - 1; i++) {
			const seg = path[i];
			const next = path[i + 1];
			if (next === '' && i + 1 === path.length - 1) {
				// `tags[]=a&tags[]=b`: a list under `tags`.
				const existing = Object.prototype.hasOwnProperty.call(node, seg) ? node[seg] : undefined;
				if (existing === undefined) node[seg] = [];
				if (!Array.isArray(node[seg])) return;
				for (const v of Array.isArray(value) ? value : [value]) (node[seg] as unknown[]).push(clean(v));
				return;
			}
			if (next === '') return;
			const existing = Object.prototype.hasOwnProperty.call(node, seg) ? node[seg] : undefined;
			if (existing === undefined) node[seg] = {};
			else if (!isPlainObject(existing)) return;
			node = node[seg] as IDataObject;
		}
		const last = path[path.length - 1];
		if (Object.prototype.hasOwnProperty.call(node, last)) return;
		node[last] = clean(value) as IDataObject;
	};
	const clean = (value: unknown, depth = 0): unknown => {
		if (value !== null && typeof value === 'object') {
			// Lists count towards the nesting bound like objects: thousands of nested lists (a few kB of
			// JSON) would otherwise overflow the stack.
			if (depth >= MAX_DEPTH) return undefined;
			if (Array.isArray(value)) return value.map((v) => clean(v, depth + 1));
			const nested: IDataObject = {};
			for (const [k, v] of Object.entries(value)) if (!FORBIDDEN.has(k)) nested[k] = clean(v, depth + 1) as IDataObject;
			return nested;
		}
		return value;
	};
	for (const [key, value] of Object.entries(body as object)) {
		const path = keyPath(key);
		if (path) put(path, value);
	}
	return out;
}

/**
 * The request's form fields: the body n8n parsed, or (when n8n left the body unparsed, as for a
 * form content type with parameters) the raw body read as a form.
 */
export function formFields(ctx: IWebhookFunctions): IDataObject {
	const body = ctx.getBodyData();
	if (body && typeof body === 'object' && Object.keys(body).length) return nestFormFields(body);
	const raw = (ctx.getRequestObject() as { rawBody?: unknown }).rawBody;
	const text = Buffer.isBuffer(raw) ? raw.toString('utf8') : typeof raw === 'string' ? raw : '';
	if (!text) return {};
	const flat: Record<string, string | string[]> = {};
	for (const [k, v] of new URLSearchParams(text)) {
		const seen = flat[k];
		flat[k] = seen === undefined ? v : Array.isArray(seen) ? [...seen, v] : [seen, v];
	}
	return nestFormFields(flat);
}

/** The secret the request carries in its query. */
export function requestSecret(ctx: IWebhookFunctions): unknown {
	return (ctx.getQueryData() as IDataObject)[SECRET_PARAM];
}

/**
 * Whether the trigger confirms each event with the API. Given by an expression, the option is read
 * as the bulk paths read yes/no options (`"true"`, `"Yes"`, `1`...), never as off because it is
 * text; a value that is not yes or no is refused, so a forged event is never let through unchecked.
 */
export const confirmsWithApi = (ctx: IWebhookFunctions): boolean => readBoolean(ctx, ctx.getNodeParameter('confirmWithApi', false), 'Confirm With the API');
