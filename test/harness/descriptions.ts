/* eslint-disable @n8n/community-nodes/no-restricted-imports -- test code, never shipped: Node modules are fine here */
/**
 * The package as n8n's editor shows it: every node and credential package.json names, loaded from
 * the build, and how a reader tells that two sentences say the same. Used by the description unit
 * test and by `npm run test:editor` (tools/editor.ts), so both cover nodes added later.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';

import type { INodeProperties, INodeTypeDescription } from 'n8n-workflow';

import { PACKAGE_DIR } from './n8n';

export const PACKAGE = JSON.parse(readFileSync(path.join(PACKAGE_DIR, 'package.json'), 'utf8')) as { name: string; n8n: { nodes: string[]; credentials: string[] } };

export interface Built {
	entry: string;
	/** The node type as the editor names it (`n8n-nodes-audience-sync.activeCampaignSync`), or the credential type. */
	type: string;
	displayName: string;
	node?: INodeTypeDescription;
	properties: INodeProperties[];
}

/** A node or credential class from dist/, as n8n loads it. */
export function loadBuilt(entry: string): Built {
	const className = path.basename(entry).replace(/\.(node|credentials)\.js$/, '');
	// eslint-disable-next-line @typescript-eslint/no-require-imports -- the built class, as n8n loads it
	const Exported = (require(path.join(PACKAGE_DIR, entry)) as Record<string, new () => { description?: INodeTypeDescription; properties?: INodeProperties[]; displayName?: string; name?: string }>)[className];
	const instance = new Exported();
	if (instance.description) {
		const d = instance.description;
		return { entry, type: `${PACKAGE.name}.${d.name}`, displayName: d.displayName, node: d, properties: d.properties };
	}
	return { entry, type: instance.name ?? className, displayName: instance.displayName ?? className, properties: instance.properties ?? [] };
}

export const builtNodes = (): Built[] => PACKAGE.n8n.nodes.map(loadBuilt);
export const builtCredentials = (): Built[] => PACKAGE.n8n.credentials.map(loadBuilt);

/** Sentences as a reader meets them: HTML dropped, split at . ! ? followed by a space; short fragments left out. */
export function sentences(text: string): string[] {
	return text
		.replace(/<[^>]+>/g, '')
		.split(/(?<=[.!?])\s+/)
		.map((s) => s.trim())
		.filter((s) => s.split(/\s+/).length >= 4);
}

const words = (s: string) => new Set(s.toLowerCase().replace(/[^\p{L}\p{N} ]/gu, ' ').split(/\s+/).filter(Boolean));

/** Two sentences say the same when 80 % of the words of the shorter are in the other. */
export function sameSentence(a: string, b: string): boolean {
	const [x, y] = [words(a), words(b)];
	const [small, large] = x.size <= y.size ? [x, y] : [y, x];
	let shared = 0;
	for (const w of small) if (large.has(w)) shared++;
	return small.size > 0 && shared / small.size >= 0.8;
}

/** Each sentence said again in the texts, as `"first" / "again"`. */
export function repeatedSentences(texts: string[]): string[] {
	const said = texts.flatMap(sentences);
	const found: string[] = [];
	said.forEach((s, i) => {
		const again = said.slice(i + 1).find((other) => sameSentence(s, other));
		if (again) found.push(`"${s}" / "${again}"`);
	});
	return found;
}
