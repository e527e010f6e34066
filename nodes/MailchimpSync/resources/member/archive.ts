import type { IDataObject } from 'n8n-workflow';

import { forOperation, isRepeated404, type ItemOperation } from '../../../shared/operations';
import type { McContext } from '../../types';
import { audienceLocator } from '../audience/locator';
import { checkMember, emailProperty, memberAt } from './fields';

/** Archive: DELETE the member. The address can be added again later. */
export const archive: ItemOperation<McContext> = {
	description: forOperation('member', 'archive', [audienceLocator, emailProperty]),

	prepare({ lookups }, i) {
		lookups.audienceId(i);
		checkMember(this, i);
	},

	async execute({ client, lookups }, i) {
		const { email, request: at } = memberAt(this, lookups, i);
		try {
			await client.request({ method: 'DELETE', ...at });
		} catch (error) {
			// A retry after a lost answer finds nothing to archive: archived by the first attempt if a read agrees.
			if (!isRepeated404(error)) throw client.nodeError(error, i);
			const member = await client.request<IDataObject>({ method: 'GET', ...at, query: { fields: 'status' } }).catch(() => undefined);
			if (member?.status !== 'archived') throw client.nodeError(error, i);
		}
		return { archived: true, email };
	},
};
