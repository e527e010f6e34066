import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';

import { readLimits } from '../shared/limits';
import { type Operation, routeOperation } from '../shared/operations';
import { Lookups } from './lookups';
import { contactOperations } from './resources/contact';
import { customFieldOperations } from './resources/customField';
import { listOperations } from './resources/list';
import { tagOperations } from './resources/tag';
import { activeCampaignClient } from './transport';
import type { AcContext } from './types';


const operations: Record<string, Record<string, Operation<AcContext>>> = {
	contact: contactOperations,
	list: listOperations,
	tag: tagOperations,
	customField: customFieldOperations,
};

/** Items processed at once by per-item operations; the account's pacer bounds the real rate. */
const ITEM_CONCURRENCY = 5;

export async function route(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	return routeOperation(
		this,
		operations,
		async () => {
			const { pace, ...retry } = readLimits(this, 'requestsPerSecond', 'Requests per Second');
			const client = await activeCampaignClient(this, { ...retry, requestsPerSecond: pace });
			return { client, lookups: new Lookups(client, this) };
		},
		ITEM_CONCURRENCY,
	);
}
