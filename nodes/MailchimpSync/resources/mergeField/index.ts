import type { INodeProperties } from 'n8n-workflow';

import type { Operation } from '../../../shared/operations';
import type { McContext } from '../../types';
import { getAll } from './getAll';

export const mergeFieldOperations: Record<string, Operation<McContext>> = { getAll };

export const mergeFieldDescription: INodeProperties[] = [
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: { resource: ['mergeField'] } },
		options: [{ name: 'Get Many', value: 'getAll', description: 'Get many merge fields of an audience', action: 'Get many merge fields' }],
		default: 'getAll',
	},
	...Object.values(mergeFieldOperations).flatMap((o) => o.description),
];
