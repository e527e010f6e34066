import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';

import { forOperation, type ItemOperation } from '../../../shared/operations';
import { locatorParts, readBoolean, readLabel, valueError } from '../../../shared/values';
import type { AcContext } from '../../types';
import { checkContactLocator, contactLocator } from '../contact/fields';
import { tagLocator } from './locator';

export const addToContact: ItemOperation<AcContext> = {
	description: forOperation('tag', 'addToContact', [
		contactLocator,
		tagLocator,
		{
			displayName: 'Create Tag If Missing',
			name: 'createIfMissing',
			type: 'boolean',
			default: false,
			description: 'Whether to create a tag given by name that does not exist yet, instead of failing',
		},
	]),

	async prepare({ lookups }, i) {
		checkContactLocator(this, i);
		if (createsTag(this, i)) tagName(this, i);
		else await lookups.locate('tag', 'tag', i);
	},

	async execute({ client, lookups }, i) {
		const tag = createsTag(this, i) ? await lookups.tagCreatingIfMissing(tagName(this, i), i) : await lookups.locate('tag', 'tag', i);
		const contact = await lookups.contactId(i);
		const answer = await client.request<IDataObject>({
			method: 'POST',
			path: '/contactTags',
			body: { contactTag: { contact, tag: tag.id } },
			subject: `tag ${tag.id} on contact ${contact}`,
			itemIndex: i,
		});
		return answer.contactTag as IDataObject;
	},
};

/** A tag given by name with Create Tag If Missing on is created rather than looked up. */
function createsTag(ctx: IExecuteFunctions, i: number): boolean {
	return locatorParts(ctx.getNodeParameter('tag', i)).mode === 'name' && readBoolean(ctx, ctx.getNodeParameter('createIfMissing', i, false), 'Create Tag If Missing', i);
}

/** The tag name to find or create: a label (no objects, no control characters). */
function tagName(ctx: IExecuteFunctions, i: number): string {
	const name = readLabel(ctx, locatorParts(ctx.getNodeParameter('tag', i)).value, 'Tag name', i);
	if (!name) throw valueError(ctx, `No tag given (item ${i})`, i);
	return name;
}
