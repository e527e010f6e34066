import type { INodeProperties } from 'n8n-workflow';

import type { Operation } from '../../../shared/operations';
import type { McContext } from '../../types';
import { get } from './get';
import { getAll } from './getAll';

export const audienceOperations: Record<string, Operation<McContext>> = { get, getAll };

export const audienceDescription: INodeProperties[] = [
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: { resource: ['audience'] } },
		options: [
			{ name: 'Get', value: 'get', description: 'Get an audience', action: 'Get an audience' },
			{ name: 'Get Many', value: 'getAll', description: 'Get many audiences', action: 'Get many audiences' },
		],
		default: 'getAll',
	},
	...Object.values(audienceOperations).flatMap((o) => o.description),
];
