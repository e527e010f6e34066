import type { IDataObject } from 'n8n-workflow';

import { forOperation, isRepeated404, type ItemOperation, readEmail } from '../../../shared/operations';
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
		const at = { path: '/lists/{listId}/members/{hash}', params: { listId: audience, hash: subscriberHash(email) } };
		try {
			await client.request({ method: 'DELETE', ...at, subject: `the member ${email} in audience ${audience}`, itemIndex: i });
		} catch (error) {
			// A retry after a lost answer finds nothing to archive: archived by the first attempt if a read agrees.
			if (!isRepeated404(error)) throw client.nodeError(error, i);
			const member = await client.request<IDataObject>({ method: 'GET', ...at, query: { fields: 'status' }, subject: `the member ${email} in audience ${audience}`, itemIndex: i }).catch(() => undefined);
			if (member?.status !== 'archived') throw client.nodeError(error, i);
		}
		return { archived: true, email };
	},
};
