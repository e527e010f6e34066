import type { IDataObject } from 'n8n-workflow';

import { forOperation, type ItemOperation } from '../../../shared/operations';
import type { AcContext } from '../../types';

export const create: ItemOperation<AcContext> = {
	description: forOperation('tag', 'create', [
		{ displayName: 'Name', name: 'name', type: 'string', required: true, default: '' },
		{ displayName: 'Description', name: 'description', type: 'string', default: '' },
	]),

	async execute({ client, lookups }, i) {
		const name = String(this.getNodeParameter('name', i)).trim();
		if (!name) throw client.inputError(`Tag name is empty (item ${i})`, i);
		const answer = await client.request<IDataObject>({
			method: 'POST',
			path: '/tags',
			body: { tag: { tag: name, tagType: 'contact', description: this.getNodeParameter('description', i, '') } },
			subject: `the tag "${name}"`,
			itemIndex: i,
		});
		lookups.refresh('tag');
		return answer.tag as IDataObject;
	},
};
