import type { IDataObject } from 'n8n-workflow';

import { type BatchOperation, forOperation, readEmail } from '../../../shared/operations';
import { itemParameter, readBoolean, readCollection } from '../../../shared/values';
import { type MemberWrite, writeMembers } from '../../memberWriter';
import type { McContext } from '../../types';
import { audienceLocator } from '../audience/locator';
import { memberBody, memberOptions, readStatus, statusProperty } from './fields';

/**
 * Create or Update Many: every input item is one member, written in batch subscribe calls of up to
 * 500 by the module's bulk writer (memberWriter.ts: how existing members keep their status, and
 * what a run costs). The runner gives one result per input item: created, updated, succeeded
 * (created or updated not known, with a note), or failed with Mailchimp's reason; the same
 * address twice is one member (the last item's fields win).
 */


export const upsertMany: BatchOperation<McContext, MemberWrite> = {
	batch: true,
	description: forOperation('member', 'upsertMany', [
		audienceLocator,
		{
			displayName: 'Email',
			name: 'email',
			type: 'string',
			placeholder: 'name@email.com',
			required: true,
			default: '={{ $json.email }}',
			description: 'Each input item is one member, matched on this email',
		},
		statusProperty(
			'status',
			'Status If New',
			'Status given to members new to the audience. Existing members keep theirs (an unsubscribed member stays unsubscribed) unless Overwrite Status is on.',
		),
		{
			displayName: 'Additional Fields',
			name: 'additionalFields',
			type: 'collection',
			placeholder: 'Add Field',
			default: {},
			options: [
				...memberOptions,
				{
					displayName: 'Overwrite Status',
					name: 'overwriteStatus',
					type: 'boolean',
					default: false,
					description: 'Whether existing members get the status above too. Mailchimp still refuses to subscribe again an address that unsubscribed or was cleaned; that item reports it.',
				},
			],
		},
	]),

	async prepare({ lookups }, i) {
		const audience = lookups.audienceId(i);
		const email = readEmail(this, itemParameter(this, 'email', i), i);
		const status = readStatus(this, itemParameter(this, 'status', i), i, 'Status If New');
		const fields = readCollection(this, 'additionalFields', 'Additional Fields', i);
		const body = await memberBody(this, lookups, audience, fields, i);
		delete body.status;
		delete body.email_address;
		// Yes/no as VIP reads it: an expression gives a sheet's "true" as text, never taken silently as off.
		const overwrite = readBoolean(this, fields.overwriteStatus, 'Overwrite Status', i);
		return { audience, email, status, overwrite, body };
	},

	key: (input) => `${input.audience}\n${input.email.toLowerCase()}`,
	merge: (earlier, later) => {
		const body: IDataObject = { ...earlier.body, ...later.body };
		if (earlier.body.merge_fields || later.body.merge_fields) {
			body.merge_fields = { ...(earlier.body.merge_fields as IDataObject), ...(later.body.merge_fields as IDataObject) };
		}
		return { ...later, body };
	},
	label: (input) => ({ email: input.email }),

	async executeBatch({ client }, entries, run) {
		await writeMembers(client, entries, run);
	},
};
