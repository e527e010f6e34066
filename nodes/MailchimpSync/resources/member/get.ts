import type { IDataObject } from 'n8n-workflow';

import { forOperation, type ItemOperation } from '../../../shared/operations';
import type { McContext } from '../../types';
import { audienceLocator } from '../audience/locator';
import { checkMember, emailProperty, memberAt } from './fields';

export const get: ItemOperation<McContext> = {
	description: forOperation('member', 'get', [audienceLocator, emailProperty]),

	prepare({ lookups }, i) {
		lookups.audienceId(i);
		checkMember(this, i);
	},

	async execute({ client, lookups }, i) {
		return client.request<IDataObject>({ method: 'GET', ...memberAt(this, lookups, i).request });
	},
};
