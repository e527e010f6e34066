import type { IDataObject } from 'n8n-workflow';

import { forOperation, type ItemOperation } from '../../../shared/operations';
import type { AcContext } from '../../types';
import { checkContactLocator, contactLocator } from '../contact/fields';
import { tagLocator } from './locator';

export const removeFromContact: ItemOperation<AcContext> = {
	description: forOperation('tag', 'removeFromContact', [contactLocator, tagLocator]),

	async prepare({ lookups }, i) {
		checkContactLocator(this, i);
		await lookups.locate('tag', 'tag', i);
	},

	async execute({ client, lookups }, i) {
		const tag = await lookups.locate('tag', 'tag', i);
		const contact = await lookups.contactId(i);
		// Removing goes by the contact-tag association's own id, found on the contact.
		const answer = await client.request<{ contactTags?: IDataObject[] }>({
			method: 'GET',
			path: '/contacts/{contactId}/contactTags',
			params: { contactId: contact },
			subject: `contact ${contact}`,
			itemIndex: i,
		});
		const association = answer.contactTags?.find((ct) => String(ct.tag) === tag.id);
		if (!association) return { removed: false, contact, tag: tag.id, reason: 'The contact did not have this tag' };
		await client.request({ method: 'DELETE', path: '/contactTags/{contactTagId}', params: { contactTagId: String(association.id) }, subject: `tag ${tag.id} on contact ${contact}`, itemIndex: i });
		return { removed: true, contact, tag: tag.id };
	},
};
