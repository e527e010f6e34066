import type { INodeProperties } from 'n8n-workflow';

import type { Operation } from '../../../shared/operations';
import type { AcContext } from '../../types';
import { getAll } from './getAll';

export const customFieldOperations: Record<string, Operation<AcContext>> = { getAll };

export const customFieldDescription: INodeProperties[] = [
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: { resource: ['customField'] } },
		options: [{ name: 'Get Many', value: 'getAll', description: 'Get many custom fields', action: 'Get many custom fields' }],
		default: 'getAll',
	},
	...Object.values(customFieldOperations).flatMap((o) => o.description),
];
