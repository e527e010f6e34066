/**
 * Lint rules: n8n's community-package rules on package.json, credential rules on
 * credentials/, node rules on nodes/, plus the runtime restrictions n8n places on
 * community nodes (no timers, no process/env, no file or network modules).
 *
 * @type {import('@types/eslint').ESLint.ConfigData}
 */
const runtimeRestrictions = {
	'no-restricted-globals': [
		'error',
		{ name: 'setTimeout', message: 'Use sleep() from n8n-workflow.' },
		{ name: 'setInterval', message: 'Timers are not allowed in community nodes.' },
		{ name: 'process', message: 'Nodes must not read process or environment state.' },
		{ name: 'fetch', message: 'HTTP goes through the shared transport only.' },
		{ name: 'require', message: 'Use imports of n8n-workflow only.' },
	],
	'no-restricted-imports': [
		'error',
		{
			patterns: [
				{
					group: ['fs', 'node:fs', 'fs/*', 'http', 'node:http', 'https', 'node:https', 'net', 'node:net', 'child_process', 'node:child_process', 'axios', 'undici'],
					message: 'Community nodes may not touch files, sockets or HTTP clients directly: use the shared transport.',
				},
			],
		},
	],
};

module.exports = {
	root: true,
	env: { es6: true, node: true },
	parser: '@typescript-eslint/parser',
	parserOptions: {
		project: ['./tsconfig.eslint.json'],
		sourceType: 'module',
		extraFileExtensions: ['.json'],
	},
	ignorePatterns: ['.eslintrc.js', '**/*.js', '**/node_modules/**', '**/dist/**', 'test/**'],
	overrides: [
		{
			files: ['package.json'],
			plugins: ['eslint-plugin-n8n-nodes-base'],
			extends: ['plugin:n8n-nodes-base/community'],
		},
		{
			files: ['./credentials/**/*.ts'],
			plugins: ['eslint-plugin-n8n-nodes-base'],
			extends: ['plugin:n8n-nodes-base/credentials'],
			rules: {
				...runtimeRestrictions,
				// Community credentials link to the provider's docs with a full URL, not an n8n docs slug.
				'n8n-nodes-base/cred-class-field-documentation-url-miscased': 'off',
			},
		},
		{
			files: ['./nodes/**/*.ts'],
			plugins: ['eslint-plugin-n8n-nodes-base'],
			extends: ['plugin:n8n-nodes-base/nodes'],
			rules: {
				...runtimeRestrictions,
				// Operations live one per file under resources/<resource>/, not in *Description.ts files.
				'n8n-nodes-base/node-resource-description-filename-against-convention': 'off',
			},
		},
	],
};
