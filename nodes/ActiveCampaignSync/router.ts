import { NodeOperationError, type IDataObject, type IExecuteFunctions, type INodeExecutionData } from 'n8n-workflow';

import { type Operation, runOperation } from '../shared/operations';
import type { ApiClient } from '../shared/transport';
import { Lookups } from './lookups';
import { contactOperations } from './resources/contact';
import { customFieldOperations } from './resources/customField';
import { listOperations } from './resources/list';
import { tagOperations } from './resources/tag';
import { activeCampaignClient } from './transport';

/** What every ActiveCampaign operation gets: the paced client and this execution's name lookups. */
export interface AcContext {
	client: ApiClient;
	lookups: Lookups;
}

const operations: Record<string, Record<string, Operation<AcContext>>> = {
	contact: contactOperations,
	list: listOperations,
	tag: tagOperations,
	customField: customFieldOperations,
};

/** Items processed at once by per-item operations; the account's pacer bounds the real rate. */
const ITEM_CONCURRENCY = 5;

export async function route(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	const resource = this.getNodeParameter('resource', 0) as string;
	const operation = this.getNodeParameter('operation', 0) as string;
	const selected = operations[resource]?.[operation];
	if (!selected) throw new NodeOperationError(this.getNode(), `The operation "${operation}" is not known for "${resource}"`);

	const limits = this.getNodeParameter('limits', 0, {}) as IDataObject;
	const seconds = (v: unknown) => (typeof v === 'number' ? v * 1000 : undefined);
	const client = await activeCampaignClient(this, {
		requestsPerSecond: limits.requestsPerSecond as number | undefined,
		maxAttempts: limits.maxAttempts as number | undefined,
		maxWaitMs: seconds(limits.maxWaitSeconds),
		timeoutMs: seconds(limits.timeoutSeconds),
	});
	return [await runOperation(this, selected, { client, lookups: new Lookups(client, this) }, ITEM_CONCURRENCY)];
}
