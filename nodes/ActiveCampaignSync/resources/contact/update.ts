import { NodeOperationError, type IDataObject } from 'n8n-workflow';

import { readCollection } from '../../../shared/values';

import { forOperation, type ItemOperation, readEmail } from '../../../shared/operations';
import type { AcContext } from '../../types';
import { checkContactLocator, contactBody, contactFields, contactLocator } from './fields';

/** Update: PUT the contact with the body prepare built (once, while checking the item). */
export const update: ItemOperation<AcContext, IDataObject> = {
	description: forOperation('contact', 'update', [contactLocator, contactFields('updateFields')]),

	async prepare({ lookups }, i) {
		checkContactLocator(this, i);
		const fields = readCollection(this, 'updateFields', 'Update Fields', i);
		if (!Object.keys(fields).length) {
			throw new NodeOperationError(this.getNode(), `Nothing to update (item ${i}): add at least one field under Update Fields`, { itemIndex: i });
		}
		const email = fields.email !== undefined ? readEmail(this, fields.email, i) : undefined;
		return contactBody(lookups, i, fields, email);
	},

	async execute({ client, lookups }, i, body) {
		const id = await lookups.contactId(i);
		const answer = await client.request<IDataObject>({ method: 'PUT', path: '/contacts/{contactId}', params: { contactId: id }, body, subject: `contact ${id}`, itemIndex: i });
		return { ...(answer.contact as IDataObject), fieldValues: answer.fieldValues };
	},
};
