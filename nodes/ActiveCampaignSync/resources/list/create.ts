import type { IDataObject } from 'n8n-workflow';

import { forOperation, type ItemOperation } from '../../../shared/operations';
import type { AcContext } from '../../types';

export const create: ItemOperation<AcContext> = {
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

	async execute({ client }, i) {
		const name = String(this.getNodeParameter('name', i)).trim();
		if (!name) throw client.inputError(`List name is empty (item ${i})`, i);
		const extra = this.getNodeParameter('additionalFields', i, {}) as IDataObject;
		const stringid = String(extra.stringid || name.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, ''));
		const answer = await client.request<IDataObject>({
			method: 'POST',
			path: '/lists',
			body: {
				list: {
					name,
					stringid,
					sender_url: this.getNodeParameter('senderUrl', i),
					sender_reminder: this.getNodeParameter('senderReminder', i),
				},
			},
			subject: `the list "${name}"`,
			itemIndex: i,
		});
		return answer.list as IDataObject;
	},
};
