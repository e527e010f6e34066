import type {
	ICredentialDataDecryptedObject,
	ICredentialTestRequest,
	ICredentialType,
	IHttpRequestOptions,
	INodeProperties,
} from 'n8n-workflow';
import { UserError } from 'n8n-workflow';

import { checkServiceUrl } from '../nodes/shared/serviceUrl';

export const ACTIVECAMPAIGN_KEY_REJECTED =
	'ActiveCampaign rejected the API key. It may have been reset or rotated, or its user removed: copy the current key from ActiveCampaign Settings > Developer into this credential.';

/** What the credential test says when the URL + key pair does not work (AC's 403 has no documented body). */
export const ACTIVECAMPAIGN_TEST_FAILED =
	'ActiveCampaign did not accept this API URL and key. The key may have been reset or rotated, or its user removed: copy the current key and the API URL from ActiveCampaign Settings > Developer into this credential. If both are right, check the billing of the account: ActiveCampaign also refuses the API to an account with a payment issue.';

/**
 * The one place that turns what a user pasted from Settings > Developer into the account URL:
 * `https://ACCOUNT.api-us1.com/` or `.../api/3` or ` https://ACCOUNT.activehosted.com ` all
 * become `https://ACCOUNT.api-us1.com` (no trailing slash, no /api/3).
 */
export function activeCampaignAccountUrl(raw: unknown): string {
	const url = checkServiceUrl(raw, 'ActiveCampaign', 'API URL', 'https://ACCOUNT.api-us1.com');
	return url.replace(/\/api\/3$/i, '');
}

/** Base of every v3 request: the account URL plus `/api/3`. */
export function activeCampaignApiBase(raw: unknown): string {
	return `${activeCampaignAccountUrl(raw)}/api/3`;
}

export function activeCampaignApiKey(raw: unknown): string {
	const key = typeof raw === 'string' ? raw.trim() : '';
	if (!key) throw new UserError('The ActiveCampaign API key is empty: copy it from ActiveCampaign Settings > Developer.');
	if (/\s/.test(key)) {
		throw new UserError('The ActiveCampaign API key contains spaces: copy it again from ActiveCampaign Settings > Developer.');
	}
	return key;
}

export class ActiveCampaignSyncApi implements ICredentialType {
	name = 'activeCampaignSyncApi';

	displayName = 'ActiveCampaign Sync API';

	icon = { light: 'file:activeCampaignSync.svg', dark: 'file:activeCampaignSync.dark.svg' } as const;

	documentationUrl = 'https://developers.activecampaign.com/reference/authentication';

	properties: INodeProperties[] = [
		{
			displayName: 'API URL',
			name: 'apiUrl',
			type: 'string',
			default: '',
			required: true,
			placeholder: 'https://ACCOUNT.api-us1.com',
			description:
				'The URL shown in ActiveCampaign under Settings > Developer. It is specific to your account and region.',
		},
		{
			displayName: 'API Key',
			name: 'apiKey',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			required: true,
			description: 'The key shown in ActiveCampaign under Settings > Developer',
		},
	];

	// A function rather than a generic header map so that a malformed URL or key is
	// reported clearly before any request is made, and the base URL is normalised once.
	authenticate = async (
		credentials: ICredentialDataDecryptedObject,
		requestOptions: IHttpRequestOptions,
	): Promise<IHttpRequestOptions> => {
		const apiKey = activeCampaignApiKey(credentials.apiKey);
		return {
			...requestOptions,
			baseURL: requestOptions.baseURL || activeCampaignApiBase(credentials.apiUrl),
			headers: { ...requestOptions.headers, 'Api-Token': apiKey },
		};
	};

	// n8n's credential test maps thrown HTTP errors to generic texts, so the test request takes
	// every status as an answer and a rule reads the body: only a working URL + key returns `user`.
	test: ICredentialTestRequest = {
		request: { method: 'GET', url: '/users/me', ignoreHttpStatusErrors: true },
		rules: [
			{
				type: 'responseSuccessBody',
				properties: { key: 'user', value: undefined, message: ACTIVECAMPAIGN_TEST_FAILED },
			},
		],
	};
}
