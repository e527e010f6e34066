import type { IDataObject } from 'n8n-workflow';

import { asNodeError } from '../../../shared/errors';
import { forOperation, type ItemOperation } from '../../../shared/operations';
import { readCollection } from '../../../shared/values';
import { errorTitle } from '../../lookups';
import type { McContext } from '../../types';
import { audienceLocator } from '../audience/locator';
import { checkMember, emailProperty, memberBody, memberOptions, memberWrite, readStatus, statusProperty } from './fields';

export const create: ItemOperation<McContext> = {
	description: forOperation('member', 'create', [
		audienceLocator,
		{ ...emailProperty, description: 'Fails if the address is already in the audience: use Create or Update to upsert' },
		statusProperty('status', 'Status', 'Status of the new member'),
		{
			displayName: 'Additional Fields',
			name: 'additionalFields',
			type: 'collection',
			placeholder: 'Add Field',
			default: {},
			options: [
				...memberOptions,
				{ displayName: 'Tags', name: 'tags', type: 'string', default: '', placeholder: 'customer, newsletter', description: 'Tag names, separated by commas' },
			],
		},
	]),

	async prepare({ lookups }, i) {
		checkMember(this, i, [['status', 'Status']]);
		await memberBody(this, lookups, lookups.audienceId(i), readCollection(this, 'additionalFields', 'Additional Fields', i), i);
	},

	async execute({ client, lookups }, i) {
		const { audience, email, tags, body } = await memberWrite(this, lookups, i, 'additionalFields');
		body.status = readStatus(this, this.getNodeParameter('status', i), i, 'Status');
		if (tags.length) body.tags = tags;
		try {
			return await client.request<IDataObject>({ method: 'POST', path: '/lists/{listId}/members', params: { listId: audience }, body, subject: `the member ${email}`, itemIndex: i });
		} catch (error) {
			if (errorTitle(error) === 'Member Exists') {
				throw client.inputError(
					`${email} is already a member of audience ${audience} (item ${i}): use the Create or Update operation to update existing members`,
					i,
				);
			}
			throw asNodeError(this.getNode(), error, i);
		}
	},
};
