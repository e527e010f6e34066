import type { IDataObject, IHttpRequestMethods, INodeProperties } from 'n8n-workflow';

import {
	ACTIVECAMPAIGN_KEY_REJECTED,
	activeCampaignAccountUrl,
	activeCampaignApiKey,
} from '../../credentials/ActiveCampaignSyncApi.credentials';
import { inputFailure, type ProviderError } from '../shared/errors';
import { sharedPacer } from '../shared/pacing';
import { ApiClient, type HttpContext, paginate, type RetryPolicy, retryPolicy } from '../shared/transport';

/** What ActiveCampaign's v3 API is, for the shared transport. Facts: API-NOTES.md (repository root). */

export const AC_CREDENTIAL = 'activeCampaignSyncApi';
/** Requests per second per account, shared by all keys of the account. */
export const AC_RATE_PER_SECOND = 5;
/** The pace option (inside Rate Limits and Retries) of every node that talks to ActiveCampaign. */
export const requestsPerSecondProperty: INodeProperties = {
	displayName: 'Requests per Second',
	name: 'requestsPerSecond',
	type: 'number',
	typeOptions: { minValue: 0, numberPrecision: 0 },
	// The provider's documented limit, as a literal (n8n's lint); 0 means the same.
	default: 5,
	description: `ActiveCampaign allows ${AC_RATE_PER_SECOND} per account, shared by all its API keys. Change it only if your account has another limit.`,
};
export const AC_PAGE_SIZE = 100;
/** Contacts per bulk import call, and multi-contact imports per minute per account. */
export const AC_IMPORT_SIZE = 250;
export const AC_IMPORTS_PER_MINUTE = 100;
/** Below this many contacts ActiveCampaign advises contact/sync per contact over a bulk import. */
export const AC_IMPORT_THRESHOLD = 10;

/**
 * Slack on the import window: an import's slot is taken before the account's 5 requests/s pacer,
 * a 429's Retry-After and the network let it go, so ActiveCampaign may count it seconds later.
 * A refusal that still happens is waited out (imports.ts).
 */
const AC_IMPORT_WINDOW_SLACK_MS = 2000;

/**
 * The account's bulk import budget, shared by every execution in the process: 100 in any rolling
 * minute, as ActiveCampaign counts them (a quiet account sends 100 at once, not one every 0.6 s).
 */
export function importPacer(client: ApiClient) {
	// The whole budget from the start: this pacer only counts imports (the server's refusals are waited out in imports.ts).
	return sharedPacer('window', `activecampaign-import:${client.api.baseUrl}`, AC_IMPORTS_PER_MINUTE, 60_000 + AC_IMPORT_WINDOW_SLACK_MS, 1);
}

export interface ActiveCampaignLimits extends Partial<RetryPolicy> {
	requestsPerSecond?: number;
}

export function readActiveCampaignError(body: unknown): ProviderError {
	const b = (body ?? {}) as IDataObject;
	if (Array.isArray(b.errors)) {
		const errors = b.errors as IDataObject[];
		return {
			summary: errors.map((e) => String(e.title ?? e.detail ?? '')).filter(Boolean).join('; ') || undefined,
			fields: errors.map((e) => ({
				field: String((e.source as IDataObject | undefined)?.pointer ?? '').replace(/^\/data\/attributes\//, ''),
				message: String(e.title ?? e.detail ?? ''),
			})),
		};
	}
	if (Array.isArray(b.failureReasons) && b.failureReasons.length) {
		return {
			summary: typeof b.message === 'string' ? b.message : undefined,
			fields: (b.failureReasons as IDataObject[]).map((f) => ({ field: `contacts[${f.contact}]`, message: String(f.failureReason) })),
		};
	}
	return { summary: typeof b.message === 'string' ? b.message : typeof body === 'string' ? body : undefined, fields: [] };
}

/** A client for the credential of the node running now, paced per account. */
export async function activeCampaignClient(ctx: HttpContext, limits: ActiveCampaignLimits = {}): Promise<ApiClient> {
	const credentials = await ctx.getCredentials(AC_CREDENTIAL);
	const secrets = [typeof credentials.apiKey === 'string' ? credentials.apiKey.trim() : ''];
	let accountUrl: string;
	try {
		activeCampaignApiKey(credentials.apiKey);
		accountUrl = activeCampaignAccountUrl(credentials.apiUrl);
	} catch (error) {
		throw inputFailure(ctx.getNode(), (error as Error).message, secrets);
	}
	const { requestsPerSecond, ...retry } = limits;
	const given = ctx.getNode().credentials?.[AC_CREDENTIAL];
	return new ApiClient(
		ctx,
		{
			service: 'ActiveCampaign',
			credentialType: AC_CREDENTIAL,
			baseUrl: `${accountUrl}/api/3`,
			secrets,
			pacer: sharedPacer('window', `activecampaign:${accountUrl}`, requestsPerSecond || AC_RATE_PER_SECOND),
			// The credential as read above, for every request of the run: otherwise n8n reads it from
			// its database and decrypts it before each one. That work, between the pacer's start and
			// the send, varies (up to 151 ms measured in n8n 2.41.1, against a 60 ms margin), so a
			// request could reach ActiveCampaign late and the next one count in its second: a 429.
			credentialOptions: { credentialsDecrypted: { id: given?.id ?? '', name: given?.name ?? '', type: AC_CREDENTIAL, data: credentials } },
			// contact/sync is an upsert keyed on email: repeating it cannot create a second contact.
			isRepeatable: (method: IHttpRequestMethods, path: string) => method === 'POST' && path === '/contact/sync',
			readError: readActiveCampaignError,
			adviceFor: (status: number) =>
				status === 401 || status === 403
					? ACTIVECAMPAIGN_KEY_REJECTED
					: status === 402
						? 'ActiveCampaign reports a payment issue on this account (HTTP 402): settle the billing in ActiveCampaign, then run the workflow again.'
						: undefined,
		},
		retryPolicy(retry),
	);
}

/**
 * Pages of a v3 collection (`/contacts`, `/lists`, `/tags`, `/fields`): `limit`/`offset` at
 * 100 a page, in a stable order (`orders[id]=ASC` where the endpoint supports it), ending on
 * `meta.total` (a string) or a short page.
 */
export function activeCampaignPages<T = IDataObject>(
	client: ApiClient,
	path: string,
	key: string,
	query: Record<string, string | number | undefined> = {},
	options: { limit?: number; stableOrder?: boolean; params?: Record<string, string>; ordered?: boolean } = {},
): AsyncGenerator<T[]> {
	return paginate<T>(
		async (offset, size) => {
			const body = await client.request<IDataObject>({
				method: 'GET',
				path,
				params: options.params,
				query: { ...query, ...(options.stableOrder ? { 'orders[id]': 'ASC' } : {}), limit: size, offset },
			});
			const total = Number((body.meta as IDataObject | undefined)?.total);
			return { items: (body[key] as T[] | undefined) ?? [], total: Number.isFinite(total) ? total : undefined };
		},
		{ pageSize: AC_PAGE_SIZE, limit: options.limit, concurrency: client.api.pacer.parallelism, ordered: options.ordered },
	);
}
