import type { IDataObject, IHttpRequestMethods } from 'n8n-workflow';

import {
	MAILCHIMP_KEY_REJECTED,
	mailchimpApiBase,
	mailchimpApiKey,
	mailchimpBasicToken,
} from '../../credentials/MailchimpSyncApi.credentials';
import { inputFailure, type ProviderError } from '../shared/errors';
import { fingerprint, sharedPacer } from '../shared/pacing';
import { ApiClient, type HttpContext, paginate, type RetryPolicy, retryPolicy } from '../shared/transport';

/** What Mailchimp's Marketing API 3.0 is, for the shared transport. Facts: ../shared/API-NOTES.md. */

export const MC_CREDENTIAL = 'mailchimpSyncApi';
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

/** Writes that are safe to repeat: PUT upserts (via the method), PATCH updates and batch upserts. */
function isRepeatable(method: IHttpRequestMethods, path: string): boolean {
	if (method === 'PATCH') return true;
	// Batch subscribe `POST /lists/{id}` is sent with update_existing, so it upserts.
	return method === 'POST' && /^\/lists\/[^/]+$/.test(path);
}

/** A client for the credential of the node running now, limited per API key. */
export async function mailchimpClient(ctx: HttpContext, limits: MailchimpLimits = {}): Promise<ApiClient> {
	const credentials = await ctx.getCredentials(MC_CREDENTIAL);
	const raw = typeof credentials.apiKey === 'string' ? credentials.apiKey.trim() : '';
	const secrets = [raw, mailchimpBasicToken(raw)];
	let baseUrl: string;
	let key: string;
	try {
		key = mailchimpApiKey(credentials.apiKey);
		baseUrl = mailchimpApiBase(key, credentials.useCustomBaseUrl ? credentials.baseUrl : undefined);
	} catch (error) {
		throw inputFailure(ctx.getNode(), (error as Error).message, secrets);
	}
	const { maxConcurrent, ...retry } = limits;
	return new ApiClient(
		ctx,
		{
			service: 'Mailchimp',
			credentialType: MC_CREDENTIAL,
			baseUrl,
			secrets,
			pacer: sharedPacer('concurrency', `mailchimp:${fingerprint(key)}`, maxConcurrent || MC_MAX_IN_FLIGHT),
			isRepeatable,
			readError: readMailchimpError,
			adviceFor: (status: number) =>
				status === 401
					? MAILCHIMP_KEY_REJECTED
					: status === 403
						? 'Mailchimp refused this request for the key (User Disabled or not allowed): check the account in Mailchimp, or create a new key under Account > Extras > API keys.'
						: undefined,
		},
		retryPolicy(retry),
	);
}

/**
 * Pages of a collection (`/lists`, `/lists/{id}/members`, `/lists/{id}/merge-fields`):
 * `count`/`offset` at 1000 a page; once `total_items` is known the remaining pages are fetched
 * concurrently within the key's in-flight limit.
 */
export function mailchimpPages<T = IDataObject>(
	client: ApiClient,
	path: string,
	key: string,
	query: Record<string, string | number | undefined> = {},
	options: { limit?: number } = {},
): AsyncGenerator<T[]> {
	return paginate<T>(
		async (offset, size) => {
			const body = await client.request<IDataObject>({ method: 'GET', path, query: { ...query, count: size, offset } });
			const total = Number(body.total_items);
			return { items: (body[key] as T[] | undefined) ?? [], total: Number.isFinite(total) ? total : undefined };
		},
		{ pageSize: MC_PAGE_SIZE, limit: options.limit, concurrency: client.api.pacer.parallelism },
	);
}
