import { NodeOperationError, type IDataObject } from 'n8n-workflow';

import { forOperation, isRepeated404, type ItemOperation, readEmail } from '../../../shared/operations';
import { readCollection } from '../../../shared/values';
import { subscriberHash } from '../../lookups';
import type { McContext } from '../../types';
import { audienceLocator } from '../audience/locator';
import { checkMember, emailProperty, memberBody, memberOptions, statusProperty } from './fields';

/** Update: PATCH an existing member (404 when the address is not in the audience). */
export const update: ItemOperation<McContext, { audience: string; email: string; body: IDataObject }> = {
	description: forOperation('member', 'update', [
		audienceLocator,
		emailProperty,
		{
			displayName: 'Update Fields',
			name: 'updateFields',
			type: 'collection',
			placeholder: 'Add Field',
			default: {},
			options: [
				{ displayName: 'New Email', name: 'emailAddress', type: 'string', placeholder: 'name@email.com', default: '' },
				...memberOptions,
				statusProperty('status', 'Status', 'New status of the member'),
			],
		},
	]),

	async prepare({ lookups }, i) {
		checkMember(this, i, [], 'updateFields');
		const fields = readCollection(this, 'updateFields', 'Update Fields', i);
		if (!Object.keys(fields).length) {
			throw new NodeOperationError(this.getNode(), `Nothing to update (item ${i}): add at least one field under Update Fields`, { itemIndex: i });
		}
		const audience = lookups.audienceId(i);
		const email = readEmail(this, this.getNodeParameter('email', i), i);
		return { audience, email, body: await memberBody(this, lookups, audience, fields, i) };
	},

	async execute({ client }, i, { audience, email, body }) {
		const subject = `the member ${email} in audience ${audience}`;
		try {
			return await client.request<IDataObject>({ method: 'PATCH', path: '/lists/{listId}/members/{hash}', params: { listId: audience, hash: subscriberHash(email) }, body, subject, itemIndex: i });
		} catch (error) {
			// A new email moves the member to the new address's hash: a retry after a lost answer finds
			// nothing at the old one. The first attempt worked if the member is at the new address.
			const moved = typeof body.email_address === 'string' && subscriberHash(body.email_address) !== subscriberHash(email);
			if (!moved || !isRepeated404(error)) throw client.nodeError(error, i);
			const movedTo = { listId: audience, hash: subscriberHash(body.email_address as string) };
			const member = await client.request<IDataObject>({ method: 'GET', path: '/lists/{listId}/members/{hash}', params: movedTo, subject, itemIndex: i }).catch(() => undefined);
			if (!member || String(member.email_address).toLowerCase() !== String(body.email_address).toLowerCase()) throw client.nodeError(error, i);
			return member;
		}
	},
};
