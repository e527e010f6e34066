import type { IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import type { RetryPolicy } from './transport';
import { readCollection, shown, valueError } from './values';

/**
 * The node option for accounts with custom limits: pace, attempts, waits, timeout. The defaults
 * shown are DEFAULT_RETRY's (literals, as n8n's lint requires). The pace option is the node's own: a
 * number shown at the provider's documented limit (0, from workflows saved before, means that limit too).
 */
export function limitsProperty(pace: INodeProperties): INodeProperties {
	return {
		displayName: 'Rate Limits and Retries',
		name: 'limits',
		type: 'collection',
		placeholder: 'Add Limit',
		default: {},
		options: [
			{
				displayName: 'Max Attempts',
				name: 'maxAttempts',
				type: 'number',
				typeOptions: { minValue: 1, maxValue: 20, numberPrecision: 0 },
				default: 6,
				description: 'Attempts per request in all, when it fails in a way that is safe to repeat (server errors, timeouts). Rate-limit answers (429) are waited out instead, see Rate Limit Wait.',
			},
			{
				displayName: 'Max Retry Wait (Seconds)',
				name: 'maxWaitSeconds',
				type: 'number',
				typeOptions: { minValue: 0 },
				default: 120,
				description: 'Longest total wait between the attempts of one request after server errors or timeouts',
			},
			{
				displayName: 'Rate Limit Wait (Minutes)',
				name: 'maxRateLimitWaitMinutes',
				type: 'number',
				typeOptions: { minValue: 0 },
				default: 10,
				description:
					'Longest time one request keeps waiting out rate-limit answers (429) before the run fails. Raise it when several workflows or n8n workers share one account.',
			},
			pace,
			{
				displayName: 'Timeout (Seconds)',
				name: 'timeoutSeconds',
				type: 'number',
				typeOptions: { minValue: 1 },
				default: 60,
				description: 'How long one attempt may take before it is abandoned',
			},
		],
	};
}

/**
 * The node's Rate Limits and Retries option: the retry policy overrides and the pace option's value.
 * The pace and the attempts must be whole numbers (a pace of 2.5 would break the pacer's
 * arithmetic for every execution of the account); 0 or unset means the provider's limit.
 */
export function readLimits(ctx: IExecuteFunctions, paceName: string, paceLabel = 'The pace option'): Partial<RetryPolicy> & { pace?: number } {
	const limits = readCollection(ctx, 'limits', 'Rate Limits and Retries', 0);
	// Unset is the default; a value (also from an expression) must be a number in the option's range,
	// or a run could wait forever (a negative pace, a NaN timeout).
	const number = (name: string, label: string, min: number, max = Number.MAX_SAFE_INTEGER, whole = false): number | undefined => {
		const v = limits[name];
		if (v === undefined || v === null || v === '') return undefined;
		const n = typeof v === 'string' && v.trim() !== '' ? Number(v) : v;
		if (typeof n !== 'number' || !Number.isFinite(n) || n < min || n > max || (whole && !Number.isInteger(n))) {
			throw valueError(ctx, `${label} must be a ${whole ? 'whole ' : ''}number from ${min}${max === Number.MAX_SAFE_INTEGER ? ' up' : ` to ${max}`}, got ${shown(v)}`);
		}
		return n;
	};
	const scaled = (name: string, label: string, min: number, unit: number) => {
		const n = number(name, label, min);
		return n === undefined ? undefined : n * unit;
	};
	return {
		// 0 means the provider's documented limit.
		pace: number(paceName, paceLabel, 0, Number.MAX_SAFE_INTEGER, true) || undefined,
		maxAttempts: number('maxAttempts', 'Max Attempts', 1, 20, true),
		maxWaitMs: scaled('maxWaitSeconds', 'Max Retry Wait (Seconds)', 0, 1000),
		maxRateLimitWaitMs: scaled('maxRateLimitWaitMinutes', 'Rate Limit Wait (Minutes)', 0, 60_000),
		timeoutMs: scaled('timeoutSeconds', 'Timeout (Seconds)', 1, 1000),
	};
}
