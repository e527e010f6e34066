/* eslint-disable @n8n/community-nodes/no-dangerous-functions, @n8n/community-nodes/no-restricted-imports -- test code, never shipped: child processes, Node modules are fine here */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';

import { loadPackage, PACKAGE_DIR } from './harness/n8n';

/** What users install: `npm pack` of this package, as n8n's community package installer fetches it. */
interface PackResult {
	files: Array<{ path: string }>;
}

const pkg = JSON.parse(readFileSync(path.join(PACKAGE_DIR, 'package.json'), 'utf8')) as {
	name: string;
	homepage: string;
	n8n: { nodes: string[]; credentials: string[] };
	dependencies?: Record<string, string>;
	peerDependencies?: Record<string, string>;
};

describe('the packed package', () => {
	const packed = JSON.parse(
		execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: PACKAGE_DIR, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }),
	) as PackResult[];
	const files = packed[0].files.map((f) => f.path);

	// index.js is package.json's `main`, which npm always packs; n8n itself loads the `n8n` section.
	test('holds only dist/, package.json, README, LICENSE and the index.js entry point', () => {
		const outside = files.filter((f) => !f.startsWith('dist/') && !['package.json', 'README.md', 'LICENSE', 'index.js'].includes(f));
		expect(outside).toEqual([]);
		expect(files).toEqual(expect.arrayContaining(['package.json', 'README.md', 'LICENSE']));
		expect(files.some((f) => f.startsWith('dist/test') || f.includes('.tsbuildinfo'))).toBe(false);
	});

	test('every node and credential named in the n8n section is in it, with light and dark icons', async () => {
		for (const entry of [...pkg.n8n.nodes, ...pkg.n8n.credentials]) {
			expect(files).toContain(entry);
			expect(existsSync(path.join(PACKAGE_DIR, entry))).toBe(true);
			// The icon as n8n reads it: from the built class, relative to the built file.
			const className = path.basename(entry).replace(/\.(node|credentials)\.js$/, '');
			const exported = ((await import(path.join(PACKAGE_DIR, entry))) as Record<string, new () => { description?: { icon?: unknown }; icon?: unknown }>)[className];
			const instance = new exported();
			const icon = (instance.description?.icon ?? instance.icon) as { light: string; dark: string };
			expect(icon).toEqual({ light: expect.stringMatching(/^file:.+\.svg$/), dark: expect.stringMatching(/^file:.+\.dark\.svg$/) });
			for (const variant of [icon.light, icon.dark]) {
				const packedIcon = path.posix.join(path.posix.dirname(entry), variant.replace(/^file:/, ''));
				expect(files).toContain(packedIcon);
			}
		}
	});

	// Codex: what n8n's node panel uses to file and find a node (categories, search aliases, docs link).
	// n8n appends `?utm_source=…` to a codex link, so a link ending in `#section` becomes
	// `#section?utm_source=…`, which matches no heading: codex links name whole pages.
	test('every node has its codex file beside it, read by the n8n loader, linking to a page that exists', async () => {
		const page = (url: string): string | undefined => {
			if (url === pkg.homepage) return 'README.md';
			const match = new RegExp(`^${pkg.homepage.replace(/[.]/g, '\\.')}/blob/main/(docs/[a-z0-9-]+\\.md)$`).exec(url);
			return match?.[1];
		};
		const loader = await loadPackage();
		for (const entry of pkg.n8n.nodes) {
			const codexFile = entry.replace(/\.js$/, '.json');
			expect(files).toContain(codexFile);
			const codex = JSON.parse(readFileSync(path.join(PACKAGE_DIR, codexFile), 'utf8')) as {
				node: string;
				categories: string[];
				subcategories: Record<string, string[]>;
				alias: string[];
				resources: { primaryDocumentation: Array<{ url: string }>; credentialDocumentation: Array<{ url: string }> };
			};
			const name = codex.node.replace(`${pkg.name}.`, '');
			expect(codex.node).toBe(`${pkg.name}.${name}`);
			expect(codex.categories).toEqual(['Marketing', 'Communication']);
			expect(Object.keys(codex.subcategories).every((category) => codex.categories.includes(category))).toBe(true);
			expect(codex.alias).toEqual(expect.arrayContaining(['email marketing', 'newsletter', 'audience', 'CRM']));
			for (const { url } of [...codex.resources.primaryDocumentation, ...codex.resources.credentialDocumentation]) {
				expect(url).not.toMatch(/[#?]/);
				const file = page(url);
				expect(file).toBeDefined();
				expect(existsSync(path.join(PACKAGE_DIR, file as string))).toBe(true);
			}
			// n8n-core's loader (as n8n loads an installed package) attaches it to the node type.
			const loaded = loader.nodeTypes[name]?.type as { description: { codex?: { categories?: string[]; alias?: string[] } } } | undefined;
			expect(loaded?.description.codex).toEqual(expect.objectContaining({ categories: codex.categories, alias: codex.alias }));
		}
	});

	test('has no runtime dependencies; n8n-workflow is a peer', () => {
		expect(pkg.dependencies ?? {}).toEqual({});
		expect(pkg.peerDependencies).toEqual({ 'n8n-workflow': '*' });
	});
});

describe('linting as n8n lints', () => {
	// With "strict": true, `n8n-node lint` refuses any eslint.config.mjs but its own default, and
	// n8n Cloud verification expects strict mode: keep both, or `npm run lint:n8n` fails in CI.
	test('package.json asks for strict mode and eslint.config.mjs is the n8n-node default', () => {
		expect((pkg.n8n as { strict?: boolean }).strict).toBe(true);
		const template = path.join(PACKAGE_DIR, 'node_modules/@n8n/node-cli/dist/template/templates/shared/default/eslint.config.mjs');
		const normalize = (text: string) => text.replace(/\s+/g, ' ').trim();
		expect(normalize(readFileSync(path.join(PACKAGE_DIR, 'eslint.config.mjs'), 'utf8'))).toBe(normalize(readFileSync(template, 'utf8')));
	});
});
