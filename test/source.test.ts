/* eslint-disable @n8n/community-nodes/no-restricted-imports -- test code, never shipped: Node modules are fine here */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';

import ts from 'typescript';

import { PACKAGE_DIR } from './harness/n8n';

/**
 * Shipped code never spreads an array into a function's arguments (`Math.max(...values)`,
 * `list.push(...items)`): past about 125,000 elements that throws a RangeError, as it did for a
 * polling trigger after a mass import.
 */
function sources(dir: string): string[] {
	return readdirSync(dir).flatMap((name) => {
		const full = path.join(dir, name);
		if (statSync(full).isDirectory()) return sources(full);
		return full.endsWith('.ts') ? [full] : [];
	});
}

test('no spread of an array into function arguments in nodes/ or credentials/', () => {
	const found: string[] = [];
	for (const file of [...sources(path.join(PACKAGE_DIR, 'nodes')), ...sources(path.join(PACKAGE_DIR, 'credentials'))]) {
		const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.ES2022, true);
		const visit = (node: ts.Node) => {
			if (ts.isSpreadElement(node) && (ts.isCallExpression(node.parent) || ts.isNewExpression(node.parent))) {
				const { line } = source.getLineAndCharacterOfPosition(node.getStart());
				found.push(`${path.relative(PACKAGE_DIR, file)}:${line + 1}: ${node.parent.getText().slice(0, 80)}`);
			}
			ts.forEachChild(node, visit);
		};
		visit(source);
	}
	expect(found).toEqual([]);
});
