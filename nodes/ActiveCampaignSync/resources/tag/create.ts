import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';

import { forOperation, type ItemOperation } from '../../../shared/operations';
import { readLabel, readText, shown, valueError } from '../../../shared/values';
import type { AcContext } from '../../types';

export const create: ItemOperation<AcContext, ReturnType<typeof readTag>> = {
	description: forOperation('tag', 'create', [
		{ displayName: 'Name', name: 'name', type: 'string', required: true, default: '' },
		{ displayName: 'Description', name: 'description', type: 'string', default: '' },
	]),

	prepare(_context, i) {
		return readTag(this, i);
	},

	async execute({ client, lookups }, i, { name, description }) {
		const answer = await client.request<IDataObject>({
			method: 'POST',
			path: '/tags',
			body: { tag: { tag: name, tagType: 'contact', description } },
			subject: `the tag ${shown(name)}`,
			itemIndex: i,
		});
		lookups.refresh('tag');
		return answer.tag as IDataObject;
	},
};

function readTag(ctx: IExecuteFunctions, i: number) {
	const name = readLabel(ctx, ctx.getNodeParameter('name', i), 'Tag name', i);
	if (!name) throw valueError(ctx, `Tag name is empty (item ${i})`, i);
	return { name, description: readText(ctx, ctx.getNodeParameter('description', i, ''), 'Description', i) };
}
