import type { INodeProperties } from 'n8n-workflow';

import type { Operation } from '../../../shared/operations';
import type { AcContext } from '../../types';
import { create } from './create';
import { deleteContact } from './delete';
import { get } from './get';
import { getAll } from './getAll';
import { update } from './update';
import { upsert } from './upsert';
import { upsertMany } from './upsertMany';

export const contactOperations: Record<string, Operation<AcContext>> = {
	create,
	upsert,
	upsertMany,
	delete: deleteContact,
	get,
	getAll,
	update,
};

export const contactDescription: INodeProperties[] = [
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: { resource: ['contact'] } },
		options: [
			{ name: 'Create', value: 'create', description: 'Create a new contact', action: 'Create a contact' },
			{ name: 'Create or Update', value: 'upsert', description: 'Create a new record, or update the current one if it already exists (upsert)', action: 'Create or update a contact' },
			{
				name: 'Create or Update Many',
				value: 'upsertMany',
				description: 'Create or update all input items in bulk imports of up to 250 contacts',
				action: 'Create or update many contacts',
			},
			{ name: 'Delete', value: 'delete', description: 'Delete a contact', action: 'Delete a contact' },
			{ name: 'Get', value: 'get', description: 'Get a contact by ID or email', action: 'Get a contact' },
			{ name: 'Get Many', value: 'getAll', description: 'Get many contacts', action: 'Get many contacts' },
			{ name: 'Update', value: 'update', description: 'Update a contact', action: 'Update a contact' },
		],
		default: 'upsert',
	},
	...Object.values(contactOperations).flatMap((o) => o.description),
];
