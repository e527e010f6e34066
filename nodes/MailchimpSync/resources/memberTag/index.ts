import type { INodeProperties } from 'n8n-workflow';

import type { Operation } from '../../../shared/operations';
import type { McContext } from '../../types';
import { add } from './add';
import { remove } from './remove';

export const memberTagOperations: Record<string, Operation<McContext>> = { add, remove };

export const memberTagDescription: INodeProperties[] = [
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: { resource: ['memberTag'] } },
		options: [
			{ name: 'Add', value: 'add', description: 'Add tags to a member', action: 'Add tags to a member' },
			{ name: 'Remove', value: 'remove', description: 'Remove tags from a member', action: 'Remove tags from a member' },
		],
		default: 'add',
	},
	...Object.values(memberTagOperations).flatMap((o) => o.description),
];
