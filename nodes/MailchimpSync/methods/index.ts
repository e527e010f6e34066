import type { IDataObject, ILoadOptionsFunctions, INodeListSearchResult, INodePropertyOptions } from 'n8n-workflow';

import { loadMergeFields, readAudienceId } from '../lookups';
import { mailchimpClient, mailchimpPages } from '../transport';

/** Dropdowns and searchable resource locators. Each loads every page. */

export const loadOptions = {
	async getAudiences(this: ILoadOptionsFunctions): Promise<INodePropertyOptions[]> {
		const client = await mailchimpClient(this);
		const out: INodePropertyOptions[] = [];
		for await (const page of mailchimpPages<IDataObject>(client, '/lists', 'lists', { fields: 'lists.id,lists.name,total_items' })) {
			for (const l of page) out.push({ name: String(l.name), value: String(l.id) });
		}
		return out.sort((a, b) => a.name.localeCompare(b.name));
	},
	async getMergeFields(this: ILoadOptionsFunctions): Promise<INodePropertyOptions[]> {
		const value = this.getNodeParameter('audience', undefined, { extractValue: true });
		if (value === undefined || value === null || value === '') return [];
		const fields = await loadMergeFields(await mailchimpClient(this), readAudienceId(this, value));
		return fields.map((f) => ({ name: `${f.name} (${f.tag})`, value: f.tag }));
	},
};

export const listSearch = {
	async searchAudiences(this: ILoadOptionsFunctions, filter?: string): Promise<INodeListSearchResult> {
		const client = await mailchimpClient(this);
		const wanted = filter?.trim().toLowerCase();
		const results: INodeListSearchResult['results'] = [];
		for await (const page of mailchimpPages<IDataObject>(client, '/lists', 'lists', { fields: 'lists.id,lists.name,total_items' })) {
			for (const l of page) {
				const name = String(l.name);
				if (!wanted || name.toLowerCase().includes(wanted) || String(l.id) === wanted) results.push({ name, value: String(l.id) });
			}
		}
		return { results: results.sort((a, b) => a.name.localeCompare(b.name)) };
	},
};
