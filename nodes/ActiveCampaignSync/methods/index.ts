import type {
	ILoadOptionsFunctions,
	INodeListSearchResult,
	INodePropertyOptions,
} from 'n8n-workflow';

import { loadAll } from '../lookups';
import { activeCampaignClient } from '../transport';

/** Dropdowns and searchable resource locators. Each loads every page: accounts often have hundreds. */

async function options(ctx: ILoadOptionsFunctions, kind: 'list' | 'tag' | 'custom field'): Promise<INodePropertyOptions[]> {
	const all = await loadAll(await activeCampaignClient(ctx), kind);
	return all.map((o) => ({ name: o.name, value: o.id })).sort((a, b) => a.name.localeCompare(b.name));
}

async function search(ctx: ILoadOptionsFunctions, kind: 'list' | 'tag', filter?: string): Promise<INodeListSearchResult> {
	const all = await loadAll(await activeCampaignClient(ctx), kind);
	const wanted = filter?.trim().toLowerCase();
	return {
		results: all
			// By name only: a list named 2024 is found by typing 2024, the list whose ID is 2024 is not.
			.filter((o) => !wanted || o.name.toLowerCase().includes(wanted))
			.sort((a, b) => a.name.localeCompare(b.name))
			.map((o) => ({ name: o.name, value: o.id })),
	};
}

export const loadOptions = {
	async getLists(this: ILoadOptionsFunctions) {
		return options(this, 'list');
	},
	async getTags(this: ILoadOptionsFunctions) {
		return options(this, 'tag');
	},
	async getCustomFields(this: ILoadOptionsFunctions) {
		return options(this, 'custom field');
	},
};

export const listSearch = {
	async searchLists(this: ILoadOptionsFunctions, filter?: string) {
		return search(this, 'list', filter);
	},
	async searchTags(this: ILoadOptionsFunctions, filter?: string) {
		return search(this, 'tag', filter);
	},
};
