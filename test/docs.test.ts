/* eslint-disable @n8n/community-nodes/no-restricted-imports -- test code, never shipped: Node modules are fine here */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

import { PACKAGE_DIR } from './harness/n8n';

/**
 * The README is the user's page and links the design notes in docs/; the docs link back. A moved or
 * renamed section must not leave a link that lands nowhere.
 */
const pages = ['README.md', ...readdirSync(path.join(PACKAGE_DIR, 'docs')).filter((f) => f.endsWith('.md')).map((f) => `docs/${f}`)];

/** GitHub's anchor for a heading: lower case, punctuation dropped, spaces to dashes. */
function anchors(file: string): string[] {
	let inCode = false;
	const found: string[] = [];
	for (const line of readFileSync(path.join(PACKAGE_DIR, file), 'utf8').split('\n')) {
		if (line.startsWith('```')) inCode = !inCode;
		if (inCode || !/^#{1,6} /.test(line)) continue;
		found.push(line.replace(/^#+ /, '').trim().toLowerCase().replace(/[^\p{L}\p{N} _-]/gu, '').replace(/ /g, '-'));
	}
	return found;
}

function links(file: string): string[] {
	const text = readFileSync(path.join(PACKAGE_DIR, file), 'utf8').replace(/```[\s\S]*?```/g, '');
	return [...text.matchAll(/\]\(([^)\s]+)\)/g)].map((m) => m[1]).filter((target) => !/^[a-z]+:/.test(target));
}

test.each(pages)('every link in %s names a file and a heading that exist', (file) => {
	const broken: string[] = [];
	for (const target of links(file)) {
		const [rel, fragment] = target.split('#');
		const linked = rel === '' ? file : path.posix.normalize(path.posix.join(path.posix.dirname(file), rel));
		if (!existsSync(path.join(PACKAGE_DIR, linked))) broken.push(`${target}: no file ${linked}`);
		else if (fragment !== undefined && linked.endsWith('.md') && !anchors(linked).includes(fragment)) broken.push(`${target}: no heading #${fragment} in ${linked}`);
	}
	expect(broken).toEqual([]);
});

test('the README links every page of docs/', () => {
	const linked = links('README.md').map((target) => target.split('#')[0]);
	for (const page of pages.filter((p) => p.startsWith('docs/'))) expect(linked).toContain(page);
});
