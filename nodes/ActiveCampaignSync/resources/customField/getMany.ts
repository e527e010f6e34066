import type { IDataObject } from 'n8n-workflow';

import { forOperation, type ItemOperation, readLimit, returnAllAndLimit } from '../../../shared/operations';
import type { AcContext } from '../../router';
import { activeCampaignPages } from '../../transport';

export const getMany: ItemOperation<AcContext> = {
	description: forOperation('customField', 'getAll', returnAllAndLimit()),

	check(i) {
		readLimit(this, i);
	},

	async execute({ client }, i) {
		const limit = readLimit(this, i);
		const out: IDataObject[] = [];
		for await (const page of activeCampaignPages<IDataObject>(client, '/fields', 'fields', {}, { limit })) out.push(...page);
		return out;
	},
};
