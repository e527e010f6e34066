import type { IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import type { RetryPolicy } from './transport';
import { readCollection, shown, valueError } from './values';

/**
 * The node option for accounts with custom limits: pace, attempts, waits, timeout. The defaults
 * shown are DEFAULT_RETRY's (literals, as n8n's lint requires); a pace of 0 means the documented limit.
 */
export function limitsProperty(pace: { name: string; displayName: string; description: string }): INodeProperties {
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
				typeOptions: { minValue: 1, maxValue: 20 },
				default: 6,
				description: 'Attempts per request in all, when the API answers 429 or fails in a way that is safe to repeat',
			},
			{
				displayName: 'Max Retry Wait (Seconds)',
				name: 'maxWaitSeconds',
				type: 'number',
				typeOptions: { minValue: 0 },
				default: 120,
				description: 'Longest total wait between the attempts of one request',
			},
			{
				displayName: pace.displayName,
				name: pace.name,
				type: 'number',
				typeOptions: { minValue: 0 },
				default: 0,
				description: pace.description,
			},
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

/** The node's Rate Limits and Retries option: the retry policy overrides and the pace option's value. */
export function readLimits(ctx: IExecuteFunctions, paceName: string): Partial<RetryPolicy> & { pace?: number } {
	const limits = readCollection(ctx, 'limits', 'Rate Limits and Retries', 0);
	// Unset is the default; a value (also from an expression) must be a number in the option's range,
	// or a run could wait forever (a negative pace, a NaN timeout).
	const number = (name: string, label: string, min: number, max = Number.MAX_SAFE_INTEGER): number | undefined => {
		const v = limits[name];
		if (v === undefined || v === null || v === '') return undefined;
		const n = typeof v === 'string' && v.trim() !== '' ? Number(v) : v;
		if (typeof n !== 'number' || !Number.isFinite(n) || n < min || n > max) {
			throw valueError(ctx, `${label} must be a number from ${min}${max === Number.MAX_SAFE_INTEGER ? ' up' : ` to ${max}`}, got ${shown(v)}`);
		}
		return n;
	};
	const seconds = (name: string, label: string, min: number) => {
		const n = number(name, label, min);
		return n === undefined ? undefined : n * 1000;
	};
	return {
		pace: number(paceName, 'The pace option', 0),
		maxAttempts: number('maxAttempts', 'Max Attempts', 1, 20),
		maxWaitMs: seconds('maxWaitSeconds', 'Max Retry Wait (Seconds)', 0),
		timeoutMs: seconds('timeoutSeconds', 'Timeout (Seconds)', 1),
	};
}
