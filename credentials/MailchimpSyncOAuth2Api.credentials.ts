import type { ICredentialType, INodeProperties } from 'n8n-workflow';

import { checkServiceUrl } from '../nodes/shared/serviceUrl';

/** Where Mailchimp says which datacenter an OAuth2 token belongs to. */
export const MAILCHIMP_LOGIN_URL = 'https://login.mailchimp.com';

export const MAILCHIMP_TOKEN_REJECTED =
	'Mailchimp did not accept the OAuth2 token (no datacenter in its metadata). The app may have been disconnected in Mailchimp: open this credential and click Connect my account again.';

/** The login host (where /oauth2/metadata lives): Mailchimp's, or an override for a proxy or the local sandbox. */
export function mailchimpLoginBase(override?: unknown): string {
	if (typeof override === 'string' && override.trim()) {
		return checkServiceUrl(override, 'Mailchimp', 'login URL override', MAILCHIMP_LOGIN_URL).replace(/\/oauth2(\/metadata)?$/i, '');
	}
	return MAILCHIMP_LOGIN_URL;
}

/**
 * The API base an OAuth2 token's metadata points at: `api_endpoint` + `/3.0` (checked like a typed
 * URL), else `https://<dc>.api.mailchimp.com/3.0`. Throws when the answer names no valid datacenter.
 */
export function mailchimpOAuthApiBase(metadata: unknown): string {
	const m = (metadata ?? {}) as { dc?: unknown; api_endpoint?: unknown };
	const dc = typeof m.dc === 'string' ? m.dc.trim().toLowerCase() : '';
	if (!/^[a-z]{2,4}\d{1,3}$/.test(dc)) throw new Error(MAILCHIMP_TOKEN_REJECTED);
	const fallback = `https://${dc}.api.mailchimp.com`;
	const endpoint = typeof m.api_endpoint === 'string' && m.api_endpoint.trim() ? m.api_endpoint : fallback;
	return `${checkServiceUrl(endpoint, 'Mailchimp', 'API endpoint from the OAuth2 metadata', fallback).replace(/\/3\.0$/, '')}/3.0`;
}

/**
 * Mailchimp's OAuth2 (authorization code; tokens do not expire, there are no scopes). The
 * datacenter is not in the token: the nodes read it from the login host's /oauth2/metadata
 * once per execution, signed `Authorization: OAuth <token>` as Mailchimp documents it.
 *
 * No test request: n8n signs every request of an OAuth2 credential `Bearer`, its test request
 * too, and the metadata wants `OAuth`. n8n then tests it as every OAuth2 credential (connected
 * or not); a token Mailchimp no longer accepts is named, with the reconnect advice, on the first
 * request of a node.
 */
export class MailchimpSyncOAuth2Api implements ICredentialType {
	name = 'mailchimpSyncOAuth2Api';

	extends = ['oAuth2Api'];

	displayName = 'Mailchimp Sync OAuth2 API';

	icon = { light: 'file:mailchimpSync.svg', dark: 'file:mailchimpSync.dark.svg' } as const;

	documentationUrl = 'https://mailchimp.com/developer/marketing/guides/access-user-data-oauth-2/';

	properties: INodeProperties[] = [
		{
			displayName:
				'For apps that connect other people\'s Mailchimp accounts. Register an app in Mailchimp under <a href="https://admin.mailchimp.com/account/oauth2/" target="_blank">Account &gt; Extras &gt; Registered apps</a>, with the OAuth Redirect URL shown here as its Redirect URI. Paste the app\'s Client ID and Client Secret below, save, and click Connect my account. For your own account, the Mailchimp Sync API credential (an API key) is simpler.',
			name: 'setupNotice',
			type: 'notice',
			default: '',
		},
		{ displayName: 'Grant Type', name: 'grantType', type: 'hidden', default: 'authorizationCode' },
		{ displayName: 'Authorization URL', name: 'authUrl', type: 'hidden', default: 'https://login.mailchimp.com/oauth2/authorize', required: true },
		{ displayName: 'Access Token URL', name: 'accessTokenUrl', type: 'hidden', default: 'https://login.mailchimp.com/oauth2/token', required: true },
		{ displayName: 'Scope', name: 'scope', type: 'hidden', default: '' },
		{ displayName: 'Auth URI Query Parameters', name: 'authQueryParameters', type: 'hidden', default: '' },
		{ displayName: 'Authentication', name: 'authentication', type: 'hidden', default: 'body' },
		{
			displayName: 'Use Custom URLs',
			name: 'useCustomBaseUrl',
			type: 'boolean',
			default: false,
			description: 'Whether to read the datacenter and send requests somewhere else than Mailchimp (a proxy or the local sandbox)',
		},
		{
			displayName: 'Login URL',
			name: 'loginUrl',
			type: 'string',
			default: '',
			placeholder: 'https://login.mailchimp.com',
			description: 'Where /oauth2/metadata is read. Leave empty for https://login.mailchimp.com.',
			displayOptions: { show: { useCustomBaseUrl: [true] } },
		},
		{
			displayName: 'Base URL',
			name: 'baseUrl',
			type: 'string',
			default: '',
			placeholder: 'https://us18.api.mailchimp.com/3.0',
			description: 'Leave empty to use the API endpoint that the OAuth2 metadata names',
			displayOptions: { show: { useCustomBaseUrl: [true] } },
		},
	];
}
