import type { IDataObject } from 'n8n-workflow';

import { forOperation, type ItemOperation } from '../../../shared/operations';
import { subscriberHash } from '../../lookups';
import type { McContext } from '../../types';
import { audienceLocator } from '../audience/locator';
import { readCollection } from '../../../shared/values';
import { checkMember, emailProperty, memberBody, memberOptions, memberWrite, readStatus, statusProperty } from './fields';

/** Create or Update: PUT /lists/{id}/members/{hash} with status_if_new. Safe to repeat. */
export const upsert: ItemOperation<McContext> = {
	description: forOperation('member', 'upsert', [
		audienceLocator,
		emailProperty,
		statusProperty('statusIfNew', 'Status If New', 'Status given to the member only if the address is new to the audience; existing members keep theirs'),
		{
			displayName: 'Additional Fields',
			name: 'additionalFields',
			type: 'collection',
			placeholder: 'Add Field',
			default: {},
			options: [
				...memberOptions,
				{ ...statusProperty('status', 'Status', 'Status to set on existing members too (overrides their current status)') },
			],
		},
	]),

	async prepare({ lookups }, i) {
		checkMember(this, i, [['statusIfNew', 'Status If New']], 'additionalFields');
		await memberBody(this, lookups, lookups.audienceId(i), readCollection(this, 'additionalFields', 'Additional Fields', i), i);
	},

	async execute({ client, lookups }, i) {
		const { audience, email, body } = await memberWrite(this, lookups, i, 'additionalFields');
		body.status_if_new = readStatus(this, this.getNodeParameter('statusIfNew', i), i, 'Status If New');
		return client.request<IDataObject>({
			method: 'PUT',
			path: '/lists/{listId}/members/{hash}',
			params: { listId: audience, hash: subscriberHash(email) },
			body,
			subject: `the member ${email}`,
			itemIndex: i,
		});
	},
};
