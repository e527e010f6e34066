/* eslint-disable @n8n/community-nodes/no-restricted-imports -- test code, never shipped: Node modules are fine here */
import { readFileSync } from 'node:fs';
import path from 'node:path';

import type { INodeProperties, INodePropertyCollection, INodePropertyOptions, INodeTypeDescription } from 'n8n-workflow';

import { PACKAGE_DIR } from './harness/n8n';

/**
 * What the editor shows of every node and credential in package.json, checked where a browser
 * cannot look (tooltips only show on hover, and `npm run test:editor` does not open every option):
 * no sentence said twice, no label too long for its field, no API jargon in what users read.
 * Nodes added to package.json are covered without a change here.
 */
const pkg = JSON.parse(readFileSync(path.join(PACKAGE_DIR, 'package.json'), 'utf8')) as { n8n: { nodes: string[]; credentials: string[] } };

/** n8n cuts a label in an option list (a collection's options) at about 25 characters ("Completion Timeout (Secon…"). */
const MAX_OPTION_LABEL = 25;
/** A top-level parameter's label has the panel's width; past this it wraps or is cut as well. */
const MAX_LABEL = 40;

interface Text {
	where: string;
	label?: string;
	nested: boolean;
	texts: string[];
}

function load(entry: string): { name: string; properties: INodeProperties[]; extra: string[] } {
	const file = path.join(PACKAGE_DIR, entry);
	const className = path.basename(entry).replace(/\.(node|credentials)\.js$/, '');
	// eslint-disable-next-line @typescript-eslint/no-require-imports -- the built class, as n8n loads it
	const Exported = (require(file) as Record<string, new () => { description?: INodeTypeDescription; properties?: INodeProperties[]; displayName?: string }>)[className];
	const instance = new Exported();
	if (instance.description) {
		const d = instance.description;
		return { name: d.displayName, properties: d.properties, extra: [d.description ?? '', d.eventTriggerDescription ?? '', typeof d.activationMessage === 'string' ? d.activationMessage : ''] };
	}
	return { name: instance.displayName ?? className, properties: instance.properties ?? [], extra: [] };
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

/** Sentences as a reader meets them: HTML dropped, split at . ! ? followed by a space. */
function sentences(text: string): string[] {
	return text
		.replace(/<[^>]+>/g, '')
		.split(/(?<=[.!?])\s+/)
		.map((s) => s.trim())
		.filter((s) => s.split(/\s+/).length >= 4);
}

const words = (s: string) => new Set(s.toLowerCase().replace(/[^\p{L}\p{N} ]/gu, ' ').split(/\s+/).filter(Boolean));

/** Two sentences say the same when 80 % of the words of the shorter are in the other. */
function sameSentence(a: string, b: string): boolean {
	const [x, y] = [words(a), words(b)];
	const [small, large] = x.size <= y.size ? [x, y] : [y, x];
	let shared = 0;
	for (const w of small) if (large.has(w)) shared++;
	return small.size > 0 && shared / small.size >= 0.8;
}

/** API words a user of the editor should not need: paths, identifiers, HTTP methods. */
const JARGON: Array<[RegExp, string]> = [
	[/\b[a-z]+\/[a-z_]+\b/, 'an API path'],
	[/\b[a-z]+[A-Z][A-Za-z]*\b/, 'a camelCase identifier'],
	[/\b[a-z]+_[a-z_]+\b/, 'a snake_case identifier'],
	[/\b(GET|PUT|POST|PATCH|DELETE)\b/, 'an HTTP method'],
	[/\beven fewer than\b/, 'a count without its subject'],
];

const entries = [...pkg.n8n.nodes, ...pkg.n8n.credentials];
const all = entries.map((entry) => {
	const { name, properties, extra } = load(entry);
	const texts = walk(properties, name, false, []);
	texts.push({ where: `${name} (node)`, nested: false, texts: extra.filter(Boolean) });
	return [entry, texts] as const;
});

describe.each(all)('%s', (_entry, texts) => {
	test('no description says a sentence twice (with its hint)', () => {
		const repeated: string[] = [];
		for (const t of texts) {
			const said = t.texts.slice(t.label ? 1 : 0).flatMap(sentences);
			said.forEach((s, i) => {
				const again = said.slice(i + 1).find((other) => sameSentence(s, other));
				if (again) repeated.push(`${t.where}: "${s}" / "${again}"`);
			});
		}
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
