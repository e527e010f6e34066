import { forOperation, type ItemOperation } from '../../../shared/operations';
import type { McContext } from '../../types';
import { audienceLocator } from '../audience/locator';
import { checkMember, emailProperty, memberAt } from './fields';

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
		const { email, request } = memberAt(this, lookups, i, '/actions/delete-permanent');
		await client.request({ method: 'POST', ...request });
		return { deleted: true, email };
	},
};
