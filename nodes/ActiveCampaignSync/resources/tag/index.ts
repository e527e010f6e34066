import type { INodeProperties } from 'n8n-workflow';

import type { Operation } from '../../../shared/operations';
import type { AcContext } from '../../types';
import { addToContact } from './addToContact';
import { create } from './create';
import { getAll } from './getAll';
import { removeFromContact } from './removeFromContact';

export const tagOperations: Record<string, Operation<AcContext>> = { addToContact, create, getAll, removeFromContact };

export const tagDescription: INodeProperties[] = [
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: { resource: ['tag'] } },
		options: [
			{ name: 'Add to Contact', value: 'addToContact', description: 'Add a tag to a contact', action: 'Add a tag to a contact' },
			{ name: 'Create', value: 'create', description: 'Create a tag', action: 'Create a tag' },
			{ name: 'Get Many', value: 'getAll', description: 'Get many tags', action: 'Get many tags' },
			{ name: 'Remove From Contact', value: 'removeFromContact', description: 'Remove a tag from a contact', action: 'Remove a tag from a contact' },
		],
		default: 'addToContact',
	},
	...Object.values(tagOperations).flatMap((o) => o.description),
];
