import { NodeOperationError, type IDataObject } from 'n8n-workflow';

import { forOperation, type ItemOperation, readEmail } from '../../../shared/operations';
import type { AcContext } from '../../types';
import { checkContactLocator, contactBody, contactFields, contactLocator } from './fields';

export const update: ItemOperation<AcContext> = {
	description: forOperation('contact', 'update', [contactLocator, contactFields('updateFields')]),

	async check({ lookups }, i) {
		checkContactLocator(this, i);
		const fields = this.getNodeParameter('updateFields', i, {}) as IDataObject;
		if (!Object.keys(fields).length) {
			throw new NodeOperationError(this.getNode(), `Nothing to update (item ${i}): add at least one field under Update Fields`, { itemIndex: i });
		}
		const email = fields.email !== undefined ? readEmail(this, fields.email, i) : undefined;
		await contactBody(lookups, i, fields, email);
	},

	async execute({ client, lookups }, i) {
		const fields = this.getNodeParameter('updateFields', i, {}) as IDataObject;
		const email = fields.email !== undefined ? readEmail(this, fields.email, i) : undefined;
		const id = await lookups.contactId(i);
		const body = await contactBody(lookups, i, fields, email);
		const answer = await client.request<IDataObject>({ method: 'PUT', path: '/contacts/{contactId}', params: { contactId: id }, body, subject: `contact ${id}`, itemIndex: i });
		return { ...(answer.contact as IDataObject), fieldValues: answer.fieldValues };
	},
};
