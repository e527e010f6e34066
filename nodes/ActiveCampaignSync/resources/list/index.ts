import type { INodeProperties } from 'n8n-workflow';

import type { Operation } from '../../../shared/operations';
import type { AcContext } from '../../types';
import { create } from './create';
import { get } from './get';
import { getAll } from './getAll';
import { subscribe } from './subscribe';
import { unsubscribe } from './unsubscribe';

export const listOperations: Record<string, Operation<AcContext>> = { create, get, getAll, subscribe, unsubscribe };

export const listDescription: INodeProperties[] = [
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: { resource: ['list'] } },
		options: [
			{ name: 'Create', value: 'create', description: 'Create a list', action: 'Create a list' },
			{ name: 'Get', value: 'get', description: 'Get a list', action: 'Get a list' },
			{ name: 'Get Many', value: 'getAll', description: 'Get many lists', action: 'Get many lists' },
			{ name: 'Subscribe', value: 'subscribe', description: 'Subscribe a contact to a list', action: 'Subscribe a contact to a list' },
			{ name: 'Unsubscribe', value: 'unsubscribe', description: 'Unsubscribe a contact from a list', action: 'Unsubscribe a contact from a list' },
		],
		default: 'subscribe',
	},
	...Object.values(listOperations).flatMap((o) => o.description),
];
