import type {
	ICredentialDataDecryptedObject,
	ICredentialTestRequest,
	ICredentialType,
	IHttpRequestOptions,
	INodeProperties,
} from 'n8n-workflow';
import { UserError } from 'n8n-workflow';

import { checkServiceUrl } from '../nodes/shared/serviceUrl';

export const MAILCHIMP_KEY_REJECTED =
	'Mailchimp rejected the API key (API Key Invalid). It may have been disabled or rotated, or its datacenter suffix is wrong: copy the current key from Mailchimp Account > Extras > API keys into this credential.';

/** Mailchimp accepts any Basic auth user name; the key is the password. */
export const MAILCHIMP_BASIC_USER = 'n8n';

/** The Authorization header value a key produces: as secret as the key itself. */
export const mailchimpBasicToken = (apiKey: string) => btoa(`${MAILCHIMP_BASIC_USER}:${apiKey}`);

const KEY_HELP = 'Copy the whole key from Mailchimp Account > Extras > API keys; it ends with a datacenter such as -us18.';

/** The datacenter is what follows the last `-` of the key: `...-us18` gives `us18`. */
export function mailchimpDatacenter(raw: unknown): string {
	const key = mailchimpApiKey(raw);
	const dash = key.lastIndexOf('-');
	if (dash < 0) throw new UserError(`The Mailchimp API key has no datacenter suffix. ${KEY_HELP}`);
	const dc = key.slice(dash + 1);
	if (!dc) throw new UserError(`The Mailchimp API key ends with "-" but no datacenter. ${KEY_HELP}`);
	if (!/^[a-z]{2,4}\d{1,3}$/i.test(dc)) {
		throw new UserError(`The Mailchimp API key's datacenter suffix is not valid (expected letters then digits, like us18). ${KEY_HELP}`);
	}
	return dc.toLowerCase();
}

export function mailchimpApiKey(raw: unknown): string {
	const key = typeof raw === 'string' ? raw.trim() : '';
	if (!key) throw new UserError(`The Mailchimp API key is empty. ${KEY_HELP}`);
	if (/\s/.test(key)) throw new UserError(`The Mailchimp API key contains spaces. ${KEY_HELP}`);
	return key;
}

/** `https://<dc>.api.mailchimp.com/3.0`, or the override (for a proxy or the local sandbox). */
export function mailchimpApiBase(apiKey: unknown, baseUrlOverride?: unknown): string {
	const dc = mailchimpDatacenter(apiKey);
	if (typeof baseUrlOverride === 'string' && baseUrlOverride.trim()) {
		return checkServiceUrl(baseUrlOverride, 'Mailchimp', 'base URL override', `https://${dc}.api.mailchimp.com/3.0`);
	}
	return `https://${dc}.api.mailchimp.com/3.0`;
}

export class MailchimpSyncApi implements ICredentialType {
	name = 'mailchimpSyncApi';

	displayName = 'Mailchimp Sync API';

	icon = { light: 'file:mailchimpSync.svg', dark: 'file:mailchimpSync.dark.svg' } as const;

	documentationUrl = 'https://mailchimp.com/developer/marketing/guides/quick-start/';

	properties: INodeProperties[] = [
		{
			displayName: 'API Key',
			name: 'apiKey',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			required: true,
			placeholder: 'xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx-us18',
			description:
				'The key from Mailchimp Account > Extras > API keys. The datacenter (the part after the last "-") selects the API host automatically.',
		},
		{
			displayName: 'Use Custom Base URL',
			name: 'useCustomBaseUrl',
			type: 'boolean',
			default: false,
			description: 'Whether to send requests to another base URL than the one derived from the key (a proxy or a local sandbox)',
		},
		{
			displayName: 'Base URL',
			name: 'baseUrl',
			type: 'string',
			default: '',
			placeholder: 'https://us18.api.mailchimp.com/3.0',
			description: 'Leave empty to use https://DATACENTER.api.mailchimp.com/3.0 derived from the key',
			displayOptions: { show: { useCustomBaseUrl: [true] } },
		},
	];

	authenticate = async (
		credentials: ICredentialDataDecryptedObject,
		requestOptions: IHttpRequestOptions,
	): Promise<IHttpRequestOptions> => {
		const apiKey = mailchimpApiKey(credentials.apiKey);
		const override = credentials.useCustomBaseUrl ? credentials.baseUrl : undefined;
		return {
			...requestOptions,
			baseURL: requestOptions.baseURL || mailchimpApiBase(apiKey, override),
			// Mailchimp accepts any user name with the key as the Basic auth password.
			auth: { username: MAILCHIMP_BASIC_USER, password: apiKey },
		};
	};

	// n8n's credential test maps thrown HTTP errors to generic texts, so the test request takes
	// every status as an answer and rules read the problem+json body Mailchimp sends.
	test: ICredentialTestRequest = {
		request: { method: 'GET', url: '/ping', ignoreHttpStatusErrors: true },
		rules: [
			{ type: 'responseSuccessBody', properties: { key: 'title', value: 'API Key Invalid', message: MAILCHIMP_KEY_REJECTED } },
			{
				type: 'responseSuccessBody',
				properties: {
					key: 'title',
					value: 'User Disabled',
					message: 'Mailchimp reports this account as disabled (User Disabled): check the account in Mailchimp, or create a new key under Account > Extras > API keys.',
				},
			},
			{
				type: 'responseSuccessBody',
				properties: {
					key: 'health_status',
					value: undefined,
					message: 'Mailchimp did not answer the ping: check the key, and the base URL if you set one (it must end with /3.0).',
				},
			},
		],
	};
}
