import { UserError } from 'n8n-workflow';

/**
 * Checks a base URL a user typed into a credential: https anywhere, plain http only
 * for loopback hosts (a local sandbox or proxy on the same machine).
 * Returns the URL without a trailing slash. Provider-neutral: the caller names the service.
 * Throws n8n's UserError (a credential has no node to name); node code rewraps it as a
 * NodeOperationError on the node (see the services' transport.ts).
 */
export function checkServiceUrl(raw: unknown, service: string, field: string, example: string): string {
	const typed = typeof raw === 'string' ? raw.trim() : '';
	if (!typed) {
		throw new UserError(`The ${service} ${field} is empty. Enter it like ${example}.`);
	}
	const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(typed) ? typed : `https://${typed}`;
	if (!URL.canParse(withScheme)) {
		throw new UserError(`The ${service} ${field} "${typed}" is not a valid URL. Enter it like ${example}.`);
	}
	const url = new URL(withScheme);
	if (url.username || url.password) {
		throw new UserError(`The ${service} ${field} must not contain a user name or password. Enter it like ${example}.`);
	}
	if (url.search || url.hash) {
		throw new UserError(`The ${service} ${field} must not contain "?" or "#" parts. Enter it like ${example}.`);
	}
	if (url.protocol === 'http:') {
		if (!isLoopbackHost(url.hostname)) {
			throw new UserError(
				`The ${service} ${field} must use https:// (plain http:// is only accepted for a local sandbox on 127.0.0.1 or localhost). Enter it like ${example}.`,
			);
		}
	} else if (url.protocol !== 'https:') {
		throw new UserError(`The ${service} ${field} must start with https://, not ${url.protocol}//. Enter it like ${example}.`);
	}
	return `${url.origin}${url.pathname.replace(/\/+$/, '')}`;
}

export function isLoopbackHost(hostname: string): boolean {
	const host = hostname.replace(/^\[|\]$/g, '').toLowerCase();
	return host === 'localhost' || host === '::1' || /^127(\.\d{1,3}){3}$/.test(host);
}
