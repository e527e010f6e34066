import { forOperation, type ItemOperation, readEmail } from '../../../shared/operations';
import { subscriberHash } from '../../lookups';
import type { McContext } from '../../types';
import { audienceLocator } from '../audience/locator';
import { checkMember, emailProperty } from './fields';

/** Delete Permanently: erases the member for good. Mailchimp never lets the address be imported again. */
export const deletePermanently: ItemOperation<McContext> = {
	description: forOperation('member', 'deletePermanently', [
		{
			displayName:
				'This erases the member and their data for good. Mailchimp will never let this address be imported or added again: it can only come back by signing up through a Mailchimp form. To remove someone you may add back later, use Archive.',
			name: 'deletePermanentlyNotice',
			type: 'notice',
			default: '',
		},
		audienceLocator,
		emailProperty,
	]),

	prepare({ lookups }, i) {
		lookups.audienceId(i);
		checkMember(this, i);
	},

	async execute({ client, lookups }, i) {
		const audience = lookups.audienceId(i);
		const email = readEmail(this, this.getNodeParameter('email', i), i);
		await client.request({
			method: 'POST',
			path: '/lists/{listId}/members/{hash}/actions/delete-permanent',
			params: { listId: audience, hash: subscriberHash(email) },
			subject: `the member ${email} in audience ${audience}`,
			itemIndex: i,
		});
		return { deleted: true, email };
	},
};
