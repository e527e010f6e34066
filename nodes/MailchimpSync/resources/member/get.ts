import type { IDataObject } from 'n8n-workflow';

import { forOperation, type ItemOperation, readEmail } from '../../../shared/operations';
import { subscriberHash } from '../../lookups';
import type { McContext } from '../../types';
import { audienceLocator } from '../audience/locator';
import { checkMember, emailProperty } from './fields';

export const get: ItemOperation<McContext> = {
	description: forOperation('member', 'get', [audienceLocator, emailProperty]),

	prepare({ lookups }, i) {
		lookups.audienceId(i);
		checkMember(this, i);
	},

	async execute({ client, lookups }, i) {
		const audience = lookups.audienceId(i);
		const email = readEmail(this, this.getNodeParameter('email', i), i);
		return client.request<IDataObject>({
			method: 'GET',
			path: '/lists/{listId}/members/{hash}',
			params: { listId: audience, hash: subscriberHash(email) },
			subject: `the member ${email} in audience ${audience}`,
			itemIndex: i,
		});
	},
};
