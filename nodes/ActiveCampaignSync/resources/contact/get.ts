import type { IDataObject } from 'n8n-workflow';

import { forOperation, type ItemOperation } from '../../../shared/operations';
import { readBoolean } from '../../../shared/values';
import type { AcContext } from '../../types';
import { checkContactLocator, contactLocator, simplifyContact, simplifyProperty } from './fields';

export const get: ItemOperation<AcContext> = {
	description: forOperation('contact', 'get', [contactLocator, simplifyProperty]),

	prepare(_context, i) {
		checkContactLocator(this, i);
		readBoolean(this, this.getNodeParameter('simplify', i, true), 'Simplify', i, true);
	},

	async execute({ client, lookups }, i) {
		const id = await lookups.contactId(i);
		const answer = await client.request<IDataObject>({ method: 'GET', path: '/contacts/{contactId}', params: { contactId: id }, subject: `contact ${id}`, itemIndex: i });
		const contact = answer.contact as IDataObject;
		if (readBoolean(this, this.getNodeParameter('simplify', i, true), 'Simplify', i, true)) return simplifyContact(contact);
		return { ...contact, fieldValues: answer.fieldValues };
	},
};
