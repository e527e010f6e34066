import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';

import { readLimits } from '../shared/limits';
import { type Operation, routeOperation } from '../shared/operations';
import { Lookups } from './lookups';
import { audienceOperations } from './resources/audience';
import { memberOperations } from './resources/member';
import { memberTagOperations } from './resources/memberTag';
import { mergeFieldOperations } from './resources/mergeField';
import { mailchimpClient } from './transport';
import type { McContext } from './types';


const operations: Record<string, Record<string, Operation<McContext>>> = {
	audience: audienceOperations,
	member: memberOperations,
	memberTag: memberTagOperations,
	mergeField: mergeFieldOperations,
};

/** Items processed at once by per-item operations; the key's in-flight limit bounds the real load. */
const ITEM_CONCURRENCY = 8;

export async function route(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	return routeOperation(
		this,
		operations,
		async () => {
			const { pace, ...retry } = readLimits(this, 'maxConcurrent', 'Max Simultaneous Requests');
			const client = await mailchimpClient(this, { ...retry, maxConcurrent: pace });
			return { client, lookups: new Lookups(client, this) };
		},
		ITEM_CONCURRENCY,
	);
}
