import type { INodeProperties, INodePropertyCollection, INodePropertyOptions } from 'n8n-workflow';

import { loadBuilt, PACKAGE, repeatedSentences, sameSentence } from './harness/descriptions';

/**
 * What the editor shows of every node and credential in package.json, checked where a browser
 * cannot look (tooltips only show on hover, and `npm run test:editor` does not open every option):
 * no sentence said twice, no label too long for its field, no API jargon in what users read.
 * Nodes added to package.json are covered without a change here.
 */

/** n8n cuts a label in an option list (a collection's options) at about 25 characters ("Completion Timeout (Secon…"). */
const MAX_OPTION_LABEL = 25;
/** A top-level label is cut at about 31 characters too ("Map First Name, Last Name and Ph…", seen by test:editor). */
const MAX_LABEL = 30;

interface Text {
	where: string;
	label?: string;
	nested: boolean;
	texts: string[];
}

/** Every label, description, hint, notice and option the editor can show for these properties. */
function walk(properties: Array<INodeProperties | INodePropertyOptions | INodePropertyCollection>, where: string, nested: boolean, out: Text[]): Text[] {
	for (const p of properties) {
		if ('type' in p && p.type === 'notice') {
			out.push({ where: `${where} > notice ${p.name}`, nested, texts: [p.displayName] });
			continue;
		}
		const label = 'displayName' in p ? p.displayName : 'name' in p ? String(p.name) : '';
		const description = 'description' in p && typeof p.description === 'string' ? p.description : '';
		const hint = 'hint' in p && typeof p.hint === 'string' ? p.hint : '';
		const here = `${where} > ${label}`;
		out.push({ where: here, label, nested, texts: [label, description, hint].filter(Boolean) });
		if ('options' in p && Array.isArray(p.options)) {
			const isChoice = 'type' in p && (p.type === 'options' || p.type === 'multiOptions');
			walk(p.options as Array<INodeProperties | INodePropertyOptions>, here, !isChoice, out);
		}
		if ('values' in p && Array.isArray(p.values)) walk(p.values, here, true, out);
	}
	return out;
}

/** API words a user of the editor should not need: paths, identifiers, HTTP methods. */
const JARGON: Array<[RegExp, string]> = [
	[/\b[a-z]+\/[a-z_]+\b/, 'an API path'],
	[/\b[a-z]+[A-Z][A-Za-z]*\b/, 'a camelCase identifier'],
	[/\b[a-z]+_[a-z_]+\b/, 'a snake_case identifier'],
	[/\b(GET|PUT|POST|PATCH|DELETE)\b/, 'an HTTP method'],
	[/\beven fewer than\b/, 'a count without its subject'],
];

const entries = [...PACKAGE.n8n.nodes, ...PACKAGE.n8n.credentials];
const all = entries.map((entry) => {
	const { displayName, node, properties } = loadBuilt(entry);
	const texts = walk(properties, displayName, false, []);
	const extra = node ? [node.description ?? '', node.eventTriggerDescription ?? '', typeof node.activationMessage === 'string' ? node.activationMessage : ''] : [];
	texts.push({ where: `${displayName} (node)`, nested: false, texts: extra.filter(Boolean) });
	return [entry, texts] as const;
});

describe.each(all)('%s', (_entry, texts) => {
	test('no description says a sentence twice (with its hint)', () => {
		const repeated = texts.flatMap((t) => repeatedSentences(t.texts.slice(t.label ? 1 : 0)).map((r) => `${t.where}: ${r}`));
		expect(repeated).toEqual([]);
	});

	test(`labels fit their field (${MAX_OPTION_LABEL} characters in an option list, ${MAX_LABEL} at the top)`, () => {
		const long = texts.filter((t) => t.label && t.label.length > (t.nested ? MAX_OPTION_LABEL : MAX_LABEL)).map((t) => `${t.where} (${t.label!.length})`);
		expect(long).toEqual([]);
	});

	test('no API jargon in what the editor shows', () => {
		const found: string[] = [];
		for (const t of texts) {
			for (const text of t.texts) {
				const plain = text.replace(/<[^>]+>/g, '').replace(/https?:\/\/\S+/g, '');
				for (const [pattern, what] of JARGON) {
					const m = pattern.exec(plain);
					if (m) found.push(`${t.where}: ${what} "${m[0]}"`);
				}
			}
		}
		expect(found).toEqual([]);
	});
});

test('the checks catch what issue 20 found: a repeated sentence, a cut label, jargon', () => {
	expect(sameSentence('Choose from the list, or specify IDs or names using an expression.', 'Choose from the list, or specify IDs using an expression.')).toBe(true);
	expect(sameSentence('Whether to wait for the imports.', 'Each item then reports queued with its batch ID.')).toBe(false);
	expect('Max Wait When Rate Limited (Minutes)'.length).toBeGreaterThan(MAX_OPTION_LABEL);
	expect(JARGON.some(([p]) => p.test('each contact is written on its own (contact/sync and contactLists)'))).toBe(true);
});
