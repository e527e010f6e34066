import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import type { RetryPolicy } from './transport';

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
	const limits = ctx.getNodeParameter('limits', 0, {}) as IDataObject;
	const seconds = (v: unknown) => (typeof v === 'number' ? v * 1000 : undefined);
	return {
		pace: typeof limits[paceName] === 'number' ? (limits[paceName] as number) : undefined,
		maxAttempts: limits.maxAttempts as number | undefined,
		maxWaitMs: seconds(limits.maxWaitSeconds),
		timeoutMs: seconds(limits.timeoutSeconds),
	};
}
