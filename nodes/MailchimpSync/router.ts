import { NodeOperationError, type IDataObject, type IExecuteFunctions, type INodeExecutionData } from 'n8n-workflow';

import { type Operation, runOperation } from '../shared/operations';
import type { ApiClient } from '../shared/transport';
import { Lookups } from './lookups';
import { audienceOperations } from './resources/audience';
import { memberOperations } from './resources/member';
import { memberTagOperations } from './resources/memberTag';
import { mergeFieldOperations } from './resources/mergeField';
import { mailchimpClient } from './transport';

/** What every Mailchimp operation gets: the key's client and this execution's merge-field lookups. */
export interface McContext {
	client: ApiClient;
	lookups: Lookups;
}

const operations: Record<string, Record<string, Operation<McContext>>> = {
	audience: audienceOperations,
	member: memberOperations,
	memberTag: memberTagOperations,
	mergeField: mergeFieldOperations,
};

/** Items processed at once by per-item operations; the key's in-flight limit bounds the real load. */
const ITEM_CONCURRENCY = 8;

export async function route(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	const resource = this.getNodeParameter('resource', 0) as string;
	const operation = this.getNodeParameter('operation', 0) as string;
	const selected = operations[resource]?.[operation];
	if (!selected) throw new NodeOperationError(this.getNode(), `The operation "${operation}" is not known for "${resource}"`);

	const limits = this.getNodeParameter('limits', 0, {}) as IDataObject;
	const seconds = (v: unknown) => (typeof v === 'number' ? v * 1000 : undefined);
	const client = await mailchimpClient(this, {
		maxConcurrent: limits.maxConcurrent as number | undefined,
		maxAttempts: limits.maxAttempts as number | undefined,
		maxWaitMs: seconds(limits.maxWaitSeconds),
		timeoutMs: seconds(limits.timeoutSeconds),
	});
	return [await runOperation(this, selected, { client, lookups: new Lookups(client, this) }, ITEM_CONCURRENCY)];
}
