import type { IDataObject, IHttpRequestMethods, INodeProperties } from 'n8n-workflow';

import {
	MAILCHIMP_KEY_REJECTED,
	mailchimpApiBase,
	mailchimpApiKey,
	mailchimpBasicToken,
} from '../../credentials/MailchimpSyncApi.credentials';
import { mailchimpLoginBase, mailchimpOAuthApiBase, MailchimpSyncOAuth2Api } from '../../credentials/MailchimpSyncOAuth2Api.credentials';
import { inputFailure, type ProviderError } from '../shared/errors';
import { checkServiceUrl } from '../shared/serviceUrl';
import { fingerprint, sharedPacer } from '../shared/pacing';
import { ApiClient, type ApiDescription, type HttpContext, paginate, type RetryPolicy, retryPolicy } from '../shared/transport';

/** What Mailchimp's Marketing API 3.0 is, for the shared transport. Facts: API-NOTES.md (repository root). */

export const MC_CREDENTIAL = 'mailchimpSyncApi';
// Read from the credential class: a literal here looks like a secret to n8n's no-hardcoded-secrets rule.
export const MC_OAUTH2_CREDENTIAL = new MailchimpSyncOAuth2Api().name;
/** Simultaneous connections allowed per API key. */
export const MC_MAX_IN_FLIGHT = 10;
export const MC_PAGE_SIZE = 1000;
/** Members per batch subscribe call. */
export const MC_BATCH_SIZE = 500;

export interface MailchimpLimits extends Partial<RetryPolicy> {
	maxConcurrent?: number;
}

export function readMailchimpError(body: unknown): ProviderError {
	const b = (body ?? {}) as IDataObject;
	const fields = Array.isArray(b.errors)
		? (b.errors as IDataObject[]).map((e) => ({ field: String(e.field ?? ''), message: String(e.message ?? '') }))
		: [];
	const parts = [b.title, b.detail].filter((v) => typeof v === 'string' && v) as string[];
	return { summary: parts.join(': ') || (typeof body === 'string' ? body : undefined), fields };
}

/** Writes that are safe to repeat: PUT upserts (via the method), PATCH updates and batch subscribe. */
function isRepeatable(method: IHttpRequestMethods, path: string): boolean {
	if (method === 'PATCH') return true;
	// Batch subscribe `POST /lists/{id}` never doubles a member (an address is one member). A repeat
	// can change what its answer says: a member the lost attempt created comes back existing. The
	// caller learns of repeats (`onRepeat`) and words its results accordingly (memberWriter.ts).
	return method === 'POST' && /^\/lists\/[^/]+$/.test(path);
}

/** How a Mailchimp node signs in: the node's *Authentication* parameter (API key unless set). */
export type McAuthentication = 'apiKey' | 'oAuth2';

/** The *Authentication* selector, as n8n's built-in Mailchimp node has it; API key is the default. */
export const authenticationProperty: INodeProperties = {
	displayName: 'Authentication',
	name: 'authentication',
	type: 'options',
	noDataExpression: true,
	options: [
		{ name: 'API Key', value: 'apiKey' },
		{ name: 'OAuth2', value: 'oAuth2' },
	],
	default: 'apiKey',
};

/** The node's credentials entry for each kind of authentication. */
export const mailchimpCredentials = [
	{ name: MC_CREDENTIAL, required: true, displayOptions: { show: { authentication: ['apiKey'] } } },
	{ name: MC_OAUTH2_CREDENTIAL, required: true, displayOptions: { show: { authentication: ['oAuth2'] } } },
];

export function mailchimpAuthentication(ctx: HttpContext): McAuthentication {
	return ctx.getNode().parameters.authentication === 'oAuth2' ? 'oAuth2' : 'apiKey';
}

const adviceFor = (status: number, rejected: string) =>
	status === 401
		? rejected
		: status === 403
			? 'Mailchimp refused this request for the key (User Disabled or not allowed): check the account in Mailchimp, or create a new key under Account > Extras > API keys.'
			: undefined;

/**
 * Mailchimp for the shared transport, for one credential: the secrets to redact, pacing per key or
 * token (its fingerprint, never the secret), and the credential's own advice on a 401.
 */
function mailchimpApi(
	credentialType: string,
	baseUrl: string,
	secrets: string[],
	maxConcurrent: number | undefined,
	rejected: string,
	credentialOptions?: ApiDescription['credentialOptions'],
): ApiDescription {
	return {
		service: 'Mailchimp',
		credentialType,
		credentialOptions,
		baseUrl,
		secrets,
		pacer: sharedPacer('concurrency', `mailchimp:${fingerprint(secrets[0])}`, maxConcurrent || MC_MAX_IN_FLIGHT),
		isRepeatable,
		// Mailchimp's 429 (too many simultaneous connections) has no Retry-After and passes as soon as
		// a connection frees up: waited out within the rate-limit wait budget.
		waitOutEvery429: true,
		readError: readMailchimpError,
		adviceFor: (status: number) => adviceFor(status, rejected),
	};
}

/** A client for the credential of the node running now, limited per API key or OAuth2 token. */
export async function mailchimpClient(ctx: HttpContext, limits: MailchimpLimits = {}): Promise<ApiClient> {
	if (mailchimpAuthentication(ctx) === 'oAuth2') return mailchimpOAuthClient(ctx, limits);
	const credentials = await ctx.getCredentials(MC_CREDENTIAL);
	const raw = typeof credentials.apiKey === 'string' ? credentials.apiKey.trim() : '';
	const secrets = [raw, mailchimpBasicToken(raw)];
	let baseUrl: string;
	try {
		baseUrl = mailchimpApiBase(mailchimpApiKey(credentials.apiKey), credentials.useCustomBaseUrl ? credentials.baseUrl : undefined);
	} catch (error) {
		throw inputFailure(ctx.getNode(), (error as Error).message, secrets);
	}
	const { maxConcurrent, ...retry } = limits;
	return new ApiClient(ctx, mailchimpApi(MC_CREDENTIAL, baseUrl, secrets, maxConcurrent, MAILCHIMP_KEY_REJECTED), retryPolicy(retry));
}

const OAUTH_REJECTED =
	'Mailchimp rejected the OAuth2 token. The app may have been disconnected in Mailchimp: open the Mailchimp Sync OAuth2 credential and click Connect my account again.';

/**
 * API bases read from /oauth2/metadata, per execution and token: every node and item of one
 * execution shares one read. Bounded, oldest first out; a failed read is not kept.
 */
const metadataCache = new Map<string, Promise<string>>();
const METADATA_CACHE_SIZE = 200;

async function mailchimpOAuthClient(ctx: HttpContext, limits: MailchimpLimits): Promise<ApiClient> {
	const credentials = await ctx.getCredentials(MC_OAUTH2_CREDENTIAL);
	const tokenData = (credentials.oauthTokenData ?? {}) as IDataObject;
	const token = typeof tokenData.access_token === 'string' ? tokenData.access_token.trim() : '';
	const secrets = [token];
	if (!token) {
		throw inputFailure(
			ctx.getNode(),
			'The Mailchimp Sync OAuth2 credential is not connected: open it and click Connect my account.',
			secrets,
		);
	}
	const custom = credentials.useCustomBaseUrl === true;
	const { maxConcurrent, ...retry } = limits;
	const policy = retryPolicy(retry);
	// Mailchimp's token answer names no token type; its API takes the token as a Bearer token.
	const describe = (baseUrl: string) => mailchimpApi(MC_OAUTH2_CREDENTIAL, baseUrl, secrets, maxConcurrent, OAUTH_REJECTED, { oauth2: { tokenType: 'Bearer' } });
	// The metadata wants `Authorization: OAuth <token>` (Mailchimp's OAuth2 guide, and n8n's built-in
	// Mailchimp node); n8n signs OAuth2 requests only `Bearer`, so this one call is signed here.
	const signedOAuth = (baseUrl: string): ApiDescription => ({ ...describe(baseUrl), signedBy: () => ({ Authorization: `OAuth ${token}` }) });

	let loginBase: string;
	let override: string | undefined;
	try {
		loginBase = mailchimpLoginBase(custom ? credentials.loginUrl : undefined);
		override = custom && typeof credentials.baseUrl === 'string' && credentials.baseUrl.trim()
			? checkServiceUrl(credentials.baseUrl, 'Mailchimp', 'base URL override', 'https://us18.api.mailchimp.com/3.0')
			: undefined;
	} catch (error) {
		throw inputFailure(ctx.getNode(), (error as Error).message, secrets);
	}
	if (override) return new ApiClient(ctx, describe(override), policy);

	const executionId = ctx.getExecutionId?.() ?? '';
	const cacheKey = `${executionId}|${fingerprint(token)}|${loginBase}`;
	let base = executionId ? metadataCache.get(cacheKey) : undefined;
	if (!base) {
		const login = new ApiClient(ctx, signedOAuth(loginBase), policy);
		base = login.request<IDataObject>({ method: 'GET', path: '/oauth2/metadata', subject: 'the OAuth2 token metadata' }).then((metadata) => {
			try {
				return mailchimpOAuthApiBase(metadata);
			} catch (error) {
				throw inputFailure(ctx.getNode(), (error as Error).message, secrets);
			}
		});
		if (executionId) {
			metadataCache.set(cacheKey, base);
			if (metadataCache.size > METADATA_CACHE_SIZE) metadataCache.delete(metadataCache.keys().next().value as string);
			base.catch(() => metadataCache.delete(cacheKey));
		}
	}
	return new ApiClient(ctx, describe(await base), policy);
}

/**
 * Pages of a collection (`/lists`, `/lists/{listId}/members`, `/lists/{listId}/merge-fields`, with `params`):
 * `count`/`offset` at 1000 a page; once `total_items` is known the remaining pages are fetched
 * concurrently within the key's in-flight limit.
 */
export function mailchimpPages<T = IDataObject>(
	client: ApiClient,
	path: string,
	key: string,
	query: Record<string, string | number | undefined> = {},
	options: { limit?: number; params?: Record<string, string>; itemIndex?: number; onTotal?: (total: number) => void; ordered?: boolean } = {},
): AsyncGenerator<T[]> {
	return paginate<T>(
		async (offset, size) => {
			const body = await client.request<IDataObject>({ method: 'GET', path, params: options.params, query: { ...query, count: size, offset }, itemIndex: options.itemIndex });
			const total = Number(body.total_items);
			if (offset === 0 && Number.isFinite(total)) options.onTotal?.(total);
			return { items: (body[key] as T[] | undefined) ?? [], total: Number.isFinite(total) ? total : undefined };
		},
		{ pageSize: MC_PAGE_SIZE, limit: options.limit, concurrency: client.api.pacer.parallelism, ordered: options.ordered },
	);
}
