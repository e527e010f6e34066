import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';

import { forOperation, type ItemOperation } from '../../../shared/operations';
import { readCollection, readLabel, readText, shown, valueError } from '../../../shared/values';
import type { AcContext } from '../../types';

export const create: ItemOperation<AcContext, ReturnType<typeof readList>> = {
	description: forOperation('list', 'create', [
		{ displayName: 'Name', name: 'name', type: 'string', required: true, default: '' },
		{
			displayName: 'Sender URL',
			name: 'senderUrl',
			type: 'string',
			required: true,
			default: '',
			placeholder: 'https://example.com',
			description: 'The website where contacts signed up, shown in emails sent to the list',
		},
		{
			displayName: 'Sender Reminder',
			name: 'senderReminder',
			type: 'string',
			required: true,
			default: '',
			placeholder: 'You signed up for our newsletter on our website.',
			description: 'Reminds contacts why they are receiving emails from this list',
		},
		{
			displayName: 'Additional Fields',
			name: 'additionalFields',
			type: 'collection',
			placeholder: 'Add Field',
			default: {},
			options: [
				{
					displayName: 'String ID',
					name: 'stringid',
					type: 'string',
					default: '',
					description: 'URL-safe identifier of the list; derived from the name when empty',
				},
			],
		},
	]),

	prepare(_context, i) {
		return readList(this, i);
	},

	async execute({ client }, i, list) {
		const answer = await client.request<IDataObject>({
			method: 'POST',
			path: '/lists',
			body: { list },
			subject: `the list ${shown(list.name)}`,
			itemIndex: i,
		});
		return answer.list as IDataObject;
	},
};

/** The new list's fields, each a scalar; the name is required and gives the string ID when none is set. */
function readList(ctx: IExecuteFunctions, i: number) {
	const name = readLabel(ctx, ctx.getNodeParameter('name', i), 'List name', i);
	if (!name) throw valueError(ctx, `List name is empty (item ${i})`, i);
	const extra = readCollection(ctx, 'additionalFields', 'Additional Fields', i);
	const stringid = readLabel(ctx, extra.stringid, 'String ID', i) || name.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '');
	return {
		name,
		stringid,
		sender_url: readLabel(ctx, ctx.getNodeParameter('senderUrl', i), 'Sender URL', i),
		sender_reminder: readText(ctx, ctx.getNodeParameter('senderReminder', i), 'Sender reminder', i),
	};
}
