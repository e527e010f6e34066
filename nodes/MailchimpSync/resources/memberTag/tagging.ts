import { NodeOperationError, type IDataObject } from 'n8n-workflow';

import { forOperation, type ItemOperation, readEmail } from '../../../shared/operations';
import { readNames } from '../../../shared/values';
import { subscriberHash } from '../../lookups';
import type { McContext } from '../../types';
import { audienceLocator } from '../audience/locator';
import { checkMember, emailProperty } from '../member/fields';

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
			const audience = lookups.audienceId(i);
			const email = readEmail(this, this.getNodeParameter('email', i), i);
			const tags = readNames(this, this.getNodeParameter('tags', i), 'Tags', i);
			await client.request<IDataObject>({
				method: 'POST',
				path: '/lists/{listId}/members/{hash}/tags',
				params: { listId: audience, hash: subscriberHash(email) },
				body: { tags: tags.map((name) => ({ name, status })) },
				subject: `the member ${email} in audience ${audience}`,
				itemIndex: i,
			});
			return { email, tags, [operation === 'add' ? 'added' : 'removed']: true };
		},
	};
}
