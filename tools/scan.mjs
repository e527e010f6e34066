/**
 * `npm run scan`: the lint legs of n8n's community-package scanner (@n8n/scan-community-package,
 * which n8n runs before it verifies a package), on this checkout instead of a published version:
 *
 *   source:  analyzePackage(<repo>, SOURCE_FILE_PATTERNS)   nodes/, credentials/, package.json
 *   tarball: analyzePackage(<npm pack of dist/>, ['**\/*.js', 'package.json'])
 *
 * exactly as scanner.mjs's analyzePackageByName calls them after its provenance and download
 * steps (which need a published version and the network, so they are not run here).
 * The scanner fails a package on errors only; this script also fails on warnings, so the result
 * is "zero findings". Run `npm run build` first: the tarball leg lints the compiled dist/.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import Module, { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const PACKAGE_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
const scannerFile = path.join(path.dirname(require.resolve('@n8n/scan-community-package/package.json')), 'scanner', 'scanner.mjs');

// The scanner 0.32.0 depends on typescript 7.0.2, and its own @typescript-eslint/parser refuses to
// load with TypeScript 7 ("typescript-eslint does not support TS 7.0"), so as installed it cannot
// lint .ts or .json at all. Hand that parser the project's TypeScript (5.x, which it supports)
// by pre-filling the require cache entry it would load; nothing else of the scanner changes.
const parserFile = createRequire(scannerFile).resolve('@typescript-eslint/parser');
const scannerTypescript = createRequire(parserFile).resolve('typescript');
const projectTypescript = require('typescript');
if (Number(String(createRequire(parserFile)('typescript/package.json').version).split('.')[0]) >= 7) {
	const shim = new Module(scannerTypescript);
	shim.filename = scannerTypescript;
	shim.loaded = true;
	shim.exports = projectTypescript;
	Module._cache[scannerTypescript] = shim;
}

const { analyzePackage, buildScanConfig, SOURCE_FILE_PATTERNS } = await import(pathToFileURL(scannerFile).href);
// The scanner's own ESLint and glob, so the counts below see what analyzePackage sees.
const fromScanner = createRequire(scannerFile);
const { ESLint } = fromScanner('eslint');
const glob = fromScanner('fast-glob');

const TARBALL_PATTERNS = ['**/*.js', 'package.json'];

/** The scanner's verdict, plus every message (warnings included) under the same config and files. */
async function leg(name, dir, patterns) {
	const verdict = await analyzePackage(dir, patterns);
	const eslint = new ESLint({ cwd: dir, allowInlineConfig: false, overrideConfigFile: true, overrideConfig: await buildScanConfig() });
	const files = glob.sync(patterns, { cwd: dir, absolute: true, ignore: ['node_modules/**', '**/package-lock.json'] });
	const results = files.length ? await eslint.lintFiles(files) : [];
	const errors = results.reduce((n, r) => n + r.errorCount, 0);
	const warnings = results.reduce((n, r) => n + r.warningCount, 0);
	const clean = verdict.passed && errors === 0 && warnings === 0;
	console.log(`${clean ? 'clean ' : 'FAILED'}  ${name}: ${files.length} files, ${errors} errors, ${warnings} warnings (analyzePackage: ${verdict.passed ? 'passed' : verdict.message})`);
	if (!clean) {
		const formatter = await eslint.loadFormatter('stylish');
		console.log(await formatter.format(results));
		if (verdict.details) console.log(verdict.details);
	}
	return clean;
}

function packTarball() {
	const work = mkdtempSync(path.join(tmpdir(), 'audience-sync-scan-'));
	const packed = JSON.parse(
		execFileSync('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', work], { cwd: PACKAGE_DIR, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] }),
	);
	const dir = path.join(work, 'package');
	mkdirSync(dir);
	execFileSync('tar', ['-xzf', path.join(work, packed[0].filename), '-C', dir, '--strip-components=1']);
	return { work, dir, filename: packed[0].filename };
}

const tarball = packTarball();
try {
	// An unbuilt package packs no dist/: the tarball leg would lint nothing and pass.
	const { n8n } = JSON.parse(readFileSync(path.join(tarball.dir, 'package.json'), 'utf8'));
	const missing = [...n8n.nodes, ...n8n.credentials].filter((entry) => !existsSync(path.join(tarball.dir, entry)));
	if (missing.length) throw new Error(`The packed tarball lacks ${missing.join(', ')}: run npm run build first.`);

	const source = await leg('source (nodes/, credentials/, package.json)', PACKAGE_DIR, SOURCE_FILE_PATTERNS);
	const dist = await leg(`tarball (${tarball.filename}: dist/**/*.js, package.json)`, tarball.dir, TARBALL_PATTERNS);
	process.exitCode = source && dist ? 0 : 1;
} finally {
	rmSync(tarball.work, { recursive: true, force: true });
}
