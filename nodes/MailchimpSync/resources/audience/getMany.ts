import type { IDataObject } from 'n8n-workflow';

import { forOperation, type ItemOperation, readLimit, returnAllAndLimit } from '../../../shared/operations';
import type { McContext } from '../../router';
import { mailchimpPages } from '../../transport';

export const getMany: ItemOperation<McContext> = {
	description: forOperation('audience', 'getAll', returnAllAndLimit()),

	check(i) {
		readLimit(this, i);
	},

	async execute({ client }, i) {
		const out: IDataObject[] = [];
		for await (const page of mailchimpPages<IDataObject>(client, '/lists', 'lists', {}, { limit: readLimit(this, i) })) out.push(...page);
		return out;
	},
};
