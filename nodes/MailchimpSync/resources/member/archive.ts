import { forOperation, type ItemOperation, readEmail } from '../../../shared/operations';
import { subscriberHash } from '../../lookups';
import type { McContext } from '../../types';
import { audienceLocator } from '../audience/locator';
import { checkMember, emailProperty } from './fields';

/** Archive: DELETE the member. The address can be added again later. */
export const archive: ItemOperation<McContext> = {
	description: forOperation('member', 'archive', [audienceLocator, emailProperty]),

	prepare({ lookups }, i) {
		lookups.audienceId(i);
		checkMember(this, i);
	},

	async execute({ client, lookups }, i) {
		const audience = lookups.audienceId(i);
		const email = readEmail(this, this.getNodeParameter('email', i), i);
		await client.request({
			method: 'DELETE',
			path: '/lists/{listId}/members/{hash}',
			params: { listId: audience, hash: subscriberHash(email) },
			subject: `the member ${email} in audience ${audience}`,
			itemIndex: i,
		});
		return { archived: true, email };
	},
};
