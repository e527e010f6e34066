import type { ILoadOptionsFunctions, INodePropertyOptions } from 'n8n-workflow';

import { loadAll } from '../ActiveCampaignSync/lookups';
import { listSearch as acListSearch, loadOptions as acLoadOptions } from '../ActiveCampaignSync/methods';
import { activeCampaignClient } from '../ActiveCampaignSync/transport';
import { listSearch as mcListSearch, loadOptions as mcLoadOptions } from '../MailchimpSync/methods';

/** The two services' dropdowns, plus the contact fields a pair can map (standard ones, then custom fields by ID). */
export const loadOptions = {
	...acLoadOptions,
	...mcLoadOptions,
	async getSyncContactFields(this: ILoadOptionsFunctions): Promise<INodePropertyOptions[]> {
		const custom = await loadAll(await activeCampaignClient(this), 'custom field');
		return [
			{ name: 'First Name', value: 'firstName' },
			{ name: 'Last Name', value: 'lastName' },
			{ name: 'Phone', value: 'phone' },
			...custom.map((f) => ({ name: f.name, value: f.id })).sort((a, b) => a.name.localeCompare(b.name)),
		];
	},
};

export const listSearch = { ...acListSearch, ...mcListSearch };
