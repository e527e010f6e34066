import { NodeOperationError, type IDataObject } from 'n8n-workflow';

import { forOperation, type ItemOperation } from '../../../shared/operations';
import { readNames } from '../../../shared/values';
import type { McContext } from '../../types';
import { audienceLocator } from '../audience/locator';
import { checkMember, emailProperty, memberAt } from '../member/fields';

/** Add (status active) and Remove (status inactive) differ only in the status they send. */
export function tagging(operation: 'add' | 'remove'): ItemOperation<McContext> {
	const status = operation === 'add' ? 'active' : 'inactive';
	return {
		description: forOperation('memberTag', operation, [
			audienceLocator,
			emailProperty,
			{
				displayName: 'Tags',
				name: 'tags',
				type: 'string',
				required: true,
				default: '',
				placeholder: 'customer, newsletter',
				description:
					operation === 'add' ? 'Tag names to add, separated by commas; tags that do not exist yet are created' : 'Tag names to remove, separated by commas',
			},
		]),

		prepare({ lookups }, i) {
			lookups.audienceId(i);
			checkMember(this, i);
			if (!readNames(this, this.getNodeParameter('tags', i), 'Tags', i).length) {
				throw new NodeOperationError(this.getNode(), `No tag names given (item ${i})`, { itemIndex: i });
			}
		},

		async execute({ client, lookups }, i) {
			const { email, request } = memberAt(this, lookups, i, '/tags');
			const tags = readNames(this, this.getNodeParameter('tags', i), 'Tags', i);
			await client.request<IDataObject>({ method: 'POST', ...request, body: { tags: tags.map((name) => ({ name, status })) } });
			return { email, tags, [operation === 'add' ? 'added' : 'removed']: true };
		},
	};
}
