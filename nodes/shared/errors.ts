import { NodeApiError, NodeOperationError, type INode, type JsonObject } from 'n8n-workflow';

/** A provider's error body, read by the node's own API description. */
export interface ProviderError {
	/** The provider's own one-line summary (a title, a message). */
	summary?: string;
	/** Field-level problems: `email: Contact Email Address is not valid.` */
	fields: Array<{ field: string; message: string }>;
}

const REDACTED = '[redacted]';

/** Replaces every secret (and its base64 forms, as in Basic auth headers) in a text. */
export function redactText(text: string, secrets: readonly string[]): string {
	let out = text;
	for (const secret of secrets) {
		if (!secret || secret.length < 4) continue;
		const forms = [secret, encodeURIComponent(secret)];
		for (const form of forms) out = out.split(form).join(REDACTED);
	}
	return out;
}

/** Deep copy of a value with every string redacted and auth headers dropped. */
export function redactValue(value: unknown, secrets: readonly string[]): unknown {
	if (typeof value === 'string') return redactText(value, secrets);
	if (Array.isArray(value)) return value.map((v) => redactValue(v, secrets));
	if (value && typeof value === 'object') {
		const out: Record<string, unknown> = {};
		for (const [k, v] of Object.entries(value)) {
			if (/^(authorization|api-token|x-api-key|auth|password|apikey|api_key)$/i.test(k)) {
				out[k] = REDACTED;
				continue;
			}
			out[k] = redactValue(v, secrets);
		}
		return out;
	}
	return value;
}

export interface FailureFacts {
	service: string;
	method: string;
	path: string;
	/** What the request was about, for messages: `contact 42`, `list "Newsletter"`. */
	subject?: string;
	status?: number;
	body?: unknown;
	provider?: ProviderError;
	/** The service's own advice for a status (the credential's key-rejected text, 402's billing). */
	advice?: string;
	attempts: number;
	waitedMs: number;
	/** For 429s waited out within a time budget: the time waited, and the budget (Rate Limits and Retries). */
	rateLimitWaitMs?: number;
	rateLimitBudgetMs?: number;
	/** Network failure code (ECONNRESET, timeout). */
	networkCode?: string;
	/** Earlier attempts of this request that got no readable answer (a timeout, a reset, a cut-off body): they may have been applied. */
	unansweredAttempts?: number;
	timeoutMs?: number;
	itemIndex?: number;
	secrets: readonly string[];
}

function describeFields(provider?: ProviderError): string {
	if (!provider?.fields.length) return '';
	return provider.fields.map((f) => (f.field ? `${f.field}: ${f.message}` : f.message)).join('; ');
}

const NETWORK_WORDS: Record<string, string> = {
	ECONNRESET: 'was reset',
	EPIPE: 'was reset',
	UND_ERR_SOCKET: 'was reset',
	ECONNREFUSED: 'was refused',
	ENOTFOUND: 'failed: the host name was not found',
	EAI_AGAIN: 'failed: the host name could not be resolved',
	EHOSTUNREACH: 'failed: the host is unreachable',
	ENETUNREACH: 'failed: the network is unreachable',
};

const seconds = (ms: number) => `${Math.round(ms / 100) / 10}s`;
/** `45.2s`, or `10 min` / `3 min 20s` from a minute on. */
const duration = (ms: number) => {
	if (ms < 60_000) return seconds(ms);
	const total = Math.round(ms / 1000);
	const rest = total % 60;
	return `${Math.floor(total / 60)} min${rest ? ` ${rest}s` : ''}`;
};

/** One human message and description per kind of failure; secrets removed from all of it. */
export function apiFailure(node: INode, facts: FailureFacts): NodeApiError {
	const { service, status, provider } = facts;
	const subject = facts.subject ?? `${facts.method} ${facts.path}`;
	const fields = describeFields(provider);
	const tries = `${facts.attempts} attempt${facts.attempts === 1 ? '' : 's'}`;
	let message: string;
	let description: string;

	if (facts.networkCode) {
		// In words: n8n replaces any message that names a network code with its own generic text.
		const what = NETWORK_WORDS[facts.networkCode] ?? 'failed';
		message = facts.networkCode === 'TIMEOUT'
			? `${service} did not answer within ${seconds(facts.timeoutMs ?? 0)} (${tries})`
			: `The connection to ${service} ${what} (${tries})`;
		description = `Request: ${facts.method} ${facts.path}; network error ${facts.networkCode}. Waited ${seconds(facts.waitedMs)} between attempts. Check the network, or raise the timeout in the node's options.`;
	} else if (status === 401 || status === 403) {
		message = facts.advice ?? `${service} rejected the API key`;
		description = `${service} answered ${status}${provider?.summary ? ` (${provider.summary})` : ''} to ${facts.method} ${facts.path}.`;
	} else if (status === 402) {
		message = facts.advice ?? `${service} reports a payment issue on this account`;
		description = provider?.summary ?? 'Settle the account billing, then run the workflow again.';
	} else if (status === 404) {
		message = `${service} could not find ${subject}`;
		description = provider?.summary ?? `${facts.method} ${facts.path} answered 404.`;
	} else if (status === 429 && facts.rateLimitBudgetMs !== undefined) {
		const waited = duration(facts.rateLimitWaitMs ?? 0);
		message = `${service} rate limit still exceeded after waiting ${waited} (${tries})`;
		description =
			`Other executions, n8n workers or apps are using the same ${service} limit, and this request waited ${waited} of its ${duration(facts.rateLimitBudgetMs)} budget. ` +
			`To wait longer, raise "Rate Limit Wait (Minutes)" in the node's Rate Limits and Retries option; ` +
			'or run fewer executions on this account at once (fewer workers or a lower worker concurrency), or lower the pace in the same option.';
	} else if (status === 429) {
		message = `${service} rate limit still exceeded after ${tries} (waited ${seconds(facts.waitedMs)})`;
		description = 'The account is busy with other requests. Lower the pace in the node options, or raise the retry limits there, and run again.';
	} else if (status !== undefined && status >= 500) {
		message = `${service} had a server error (HTTP ${status}) after ${tries}`;
		description = provider?.summary ?? `${facts.method} ${facts.path} failed on ${service}'s side.`;
	} else if (status !== undefined && status >= 400) {
		message = `${service} rejected ${subject}: ${fields || provider?.summary || `HTTP ${status}`}`;
		description = [provider?.summary, fields].filter(Boolean).join(' - ') || `HTTP ${status}`;
	} else {
		message = `${service} answered ${facts.method} ${facts.path} with an unreadable response (${tries})`;
		description = 'The response was not valid JSON (it may have been cut off). A request that writes data may still have been applied: check before running it again.';
	}

	const secrets = facts.secrets;
	const errorResponse = redactValue(
		{
			service,
			method: facts.method,
			path: facts.path,
			status: status ?? null,
			attempts: facts.attempts,
			...(facts.unansweredAttempts ? { unansweredAttempts: facts.unansweredAttempts } : {}),
			body: facts.body ?? null,
			fields: provider?.fields ?? [],
		},
		secrets,
	) as JsonObject;
	return new NodeApiError(node, errorResponse, {
		message: redactText(message, secrets),
		description: redactText(description, secrets),
		httpCode: status !== undefined ? String(status) : undefined,
		itemIndex: facts.itemIndex,
	});
}

/**
 * An error as n8n should show it: a NodeApiError or NodeOperationError passes through unchanged,
 * anything else (a bug, a library's raw error) becomes a NodeOperationError on the node.
 */
export function asNodeError(node: INode, error: unknown, itemIndex?: number): NodeApiError | NodeOperationError {
	if (error instanceof NodeApiError || error instanceof NodeOperationError) return error;
	return new NodeOperationError(node, error instanceof Error ? error : String(error), { itemIndex });
}

/** A problem found before any request (bad credential values, bad input): no HTTP involved. */
export function inputFailure(node: INode, message: string, secrets: readonly string[], itemIndex?: number, description?: string) {
	return new NodeOperationError(node, redactText(message, secrets), {
		itemIndex,
		description: description ? redactText(description, secrets) : undefined,
	});
}
