import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';

import { PACKAGE_DIR } from './harness/n8n';

/** What users install: `npm pack` of this package, as n8n's community package installer fetches it. */
interface PackResult {
	files: Array<{ path: string }>;
}

const pkg = require(path.join(PACKAGE_DIR, 'package.json')) as {
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

	test('every node and credential named in the n8n section is in it, with its icon', () => {
		for (const entry of [...pkg.n8n.nodes, ...pkg.n8n.credentials]) {
			expect(files).toContain(entry);
			expect(existsSync(path.join(PACKAGE_DIR, entry))).toBe(true);
		}
		for (const icon of ['dist/nodes/ActiveCampaignSync/activeCampaignSync.svg', 'dist/nodes/MailchimpSync/mailchimpSync.svg', 'dist/credentials/activeCampaignSync.svg', 'dist/credentials/mailchimpSync.svg']) {
			expect(files).toContain(icon);
		}
	});

	test('has no runtime dependencies; n8n-workflow is a peer', () => {
		expect(pkg.dependencies ?? {}).toEqual({});
		expect(pkg.peerDependencies).toEqual({ 'n8n-workflow': '*' });
	});
});
