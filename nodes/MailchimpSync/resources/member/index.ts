import type { INodeProperties } from 'n8n-workflow';

import type { Operation } from '../../../shared/operations';
import type { McContext } from '../../types';
import { archive } from './archive';
import { create } from './create';
import { deletePermanently } from './deletePermanently';
import { get } from './get';
import { getAll } from './getAll';
import { update } from './update';
import { upsert } from './upsert';
import { upsertMany } from './upsertMany';

export const memberOperations: Record<string, Operation<McContext>> = {
	archive,
	create,
	upsert,
	upsertMany,
	deletePermanently,
	get,
	getAll,
	update,
};

export const memberDescription: INodeProperties[] = [
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: { resource: ['member'] } },
		options: [
			{ name: 'Archive', value: 'archive', description: 'Archive a member (it can be added again later)', action: 'Archive a member' },
			{ name: 'Create', value: 'create', description: 'Add a new member to an audience', action: 'Create a member' },
			{ name: 'Create or Update', value: 'upsert', description: 'Create a new record, or update the current one if it already exists (upsert)', action: 'Create or update a member' },
			{
				name: 'Create or Update Many',
				value: 'upsertMany',
				description: 'Create or update all input items with batch subscribe, 500 members a call',
				action: 'Create or update many members',
			},
			{
				name: 'Delete Permanently',
				value: 'deletePermanently',
				description: 'Erase a member for good: the address can never be imported again',
				action: 'Delete a member permanently',
			},
			{ name: 'Get', value: 'get', description: 'Get a member by email', action: 'Get a member' },
			{ name: 'Get Many', value: 'getAll', description: 'Get many members of an audience', action: 'Get many members' },
			{ name: 'Update', value: 'update', description: 'Update an existing member', action: 'Update a member' },
		],
		default: 'upsert',
	},
	...Object.values(memberOperations).flatMap((o) => o.description),
];
