import type { IDataObject, INodeExecutionData } from 'n8n-workflow';

import { asNodeError } from '../../../shared/errors';
import { type BatchOperation, errorItem, forOperation, readEmail } from '../../../shared/operations';
import type { McContext } from '../../types';
import { MC_BATCH_SIZE } from '../../transport';
import { audienceLocator } from '../audience/locator';
import { memberBody, memberOptions, readStatus, statusProperty } from './fields';

/**
 * Create or Update Many: batch subscribe (`POST /lists/{id}` with update_existing) in calls of
 * up to 500 members; each input item gets its own result: created, updated, or Mailchimp's error.
 */

interface Prepared {
	index: number;
	audience: string;
	email: string;
	member: IDataObject;
}

export const upsertMany: BatchOperation<McContext> = {
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
		statusProperty('status', 'Status', 'Status of each member. Batch subscribe sets it on existing members too, so an unsubscribed member given "Subscribed" is subscribed again.'),
		{
			displayName: 'Additional Fields',
			name: 'additionalFields',
			type: 'collection',
			placeholder: 'Add Field',
			default: {},
			options: memberOptions,
		},
	]),

	async executeBatch({ client, lookups }, items) {
		const results: INodeExecutionData[] = new Array(items.length);
		const continueOnFail = this.continueOnFail();
		const byAudience = new Map<string, Prepared[]>();

		// Every item is read and checked before anything is sent.
		for (let i = 0; i < items.length; i++) {
			try {
				const audience = lookups.audienceId(i);
				const email = readEmail(this, this.getNodeParameter('email', i), i);
				const status = readStatus(this, this.getNodeParameter('status', i), i, 'Status');
				const fields = this.getNodeParameter('additionalFields', i, {}) as IDataObject;
				const member = { ...(await memberBody(lookups, audience, fields, i)), email_address: email, status };
				byAudience.set(audience, [...(byAudience.get(audience) ?? []), { index: i, audience, email, member }]);
			} catch (error) {
				if (!continueOnFail) throw asNodeError(this.getNode(), error, i);
				results[i] = errorItem(error, i);
			}
		}

		for (const [audience, prepared] of byAudience) {
			for (let start = 0; start < prepared.length; start += MC_BATCH_SIZE) {
				const chunk = prepared.slice(start, start + MC_BATCH_SIZE);
				const answer = await client.request<IDataObject>({
					method: 'POST',
					path: '/lists/{listId}',
					params: { listId: audience },
					body: { members: chunk.map((p) => p.member), update_existing: true },
					subject: `a batch of ${chunk.length} members for audience ${audience}`,
				});
				const outcome = new Map<string, IDataObject>();
				for (const m of (answer.new_members as IDataObject[] | undefined) ?? []) {
					outcome.set(String(m.email_address).toLowerCase(), { status: 'created', id: m.id, memberStatus: m.status });
				}
				for (const m of (answer.updated_members as IDataObject[] | undefined) ?? []) {
					outcome.set(String(m.email_address).toLowerCase(), { status: 'updated', id: m.id, memberStatus: m.status });
				}
				for (const e of (answer.errors as IDataObject[] | undefined) ?? []) {
					const failure: IDataObject = { status: 'failed', error: String(e.error ?? 'Refused by Mailchimp'), errorCode: e.error_code };
					if (e.field) failure.field = `${String(e.field)}${e.field_message ? `: ${String(e.field_message)}` : ''}`;
					outcome.set(String(e.email_address).toLowerCase(), failure);
				}
				for (const p of chunk) {
					const found = outcome.get(p.email.toLowerCase()) ?? { status: 'failed', error: 'Mailchimp gave no result for this address' };
					const json: IDataObject = { email: p.email, ...found };
					if (found.status === 'failed') json.itemIndex = p.index;
					results[p.index] = { json, pairedItem: { item: p.index } };
				}
			}
		}
		return results;
	},
};
