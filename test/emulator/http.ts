/* eslint-disable @n8n/community-nodes/no-restricted-globals, @n8n/community-nodes/no-restricted-imports, @typescript-eslint/no-explicit-any -- test code, never shipped: Node globals, Node modules, untyped JSON from requests are fine here */
import type { IncomingMessage, ServerResponse } from 'node:http';

/** What a route handler receives: the parsed request. */
export interface Req {
	method: string;
	path: string;
	query: URLSearchParams;
	headers: IncomingMessage['headers'];
	body: any;
	params: Record<string, string>;
}

export interface Reply {
	status: number;
	body?: unknown;
	headers?: Record<string, string>;
}

export type Handler = (req: Req) => Reply | Promise<Reply>;

interface Route {
	method: string;
	pattern: string;
	regex: RegExp;
	keys: string[];
	handler: Handler;
}

/** A tiny method + path router: `/contacts/:id` style patterns. */
export class Router {
	private readonly routes: Route[] = [];

	on(method: string, pattern: string, handler: Handler): this {
		const keys: string[] = [];
		const source = pattern.replace(/:(\w+)/g, (_m, key: string) => {
			keys.push(key);
			return '([^/]+)';
		});
		this.routes.push({ method, pattern, regex: new RegExp(`^${source}/?$`), keys, handler });
		return this;
	}

	match(method: string, path: string): { route: Route; params: Record<string, string> } | { allowed: string[] } {
		const allowed: string[] = [];
		for (const route of this.routes) {
			const m = route.regex.exec(path);
			if (!m) continue;
			if (route.method !== method) {
				allowed.push(route.method);
				continue;
			}
			const params: Record<string, string> = {};
			route.keys.forEach((k, i) => (params[k] = decodeURIComponent(m[i + 1])));
			return { route, params };
		}
		return { allowed };
	}
}

export function readBody(req: IncomingMessage): Promise<string> {
	return new Promise((resolve, reject) => {
		const chunks: Buffer[] = [];
		req.on('data', (c: Buffer) => chunks.push(c));
		req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
		req.on('error', reject);
	});
}

export function send(res: ServerResponse, reply: Reply): void {
	const headers: Record<string, string> = { ...reply.headers };
	let payload = '';
	if (reply.body !== undefined && reply.status !== 204) {
		payload = typeof reply.body === 'string' ? reply.body : JSON.stringify(reply.body);
		headers['content-type'] ??= 'application/json; charset=utf-8';
	}
	headers['content-length'] = String(Buffer.byteLength(payload));
	res.writeHead(reply.status, headers);
	res.end(payload);
}

export const delay = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export { isValidEmail } from './email';

/** A Map that counts its changes, so indexes built from it know when to rebuild (tests may write the maps directly). */
export class TrackedMap<K, V> extends Map<K, V> {
	version = 0;
	override set(key: K, value: V): this {
		this.version = (this.version ?? 0) + 1;
		return super.set(key, value);
	}
	override delete(key: K): boolean {
		this.version++;
		return super.delete(key);
	}
	override clear(): void {
		this.version++;
		super.clear();
	}
}

/** `limit`/`count` + `offset` paging shared by both fake APIs. */
export function page<T>(items: T[], query: URLSearchParams, sizeParam: string, defaultSize: number, maxSize: number) {
	const size = Math.min(Math.max(Number(query.get(sizeParam) ?? defaultSize) || defaultSize, 1), maxSize);
	const offset = Math.max(Number(query.get('offset') ?? 0) || 0, 0);
	return items.slice(offset, offset + size);
}
