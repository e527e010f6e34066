/**
 * Long soak tests (`npm run test:soak`): every `*.soak.test.ts` under test/. The default
 * `npm test` (jest.config.js) leaves them out.
 * @type {import('jest').Config}
 */
const base = require('./jest.config');

module.exports = {
	...base,
	testMatch: ['**/*.soak.test.ts'],
	testPathIgnorePatterns: ['/node_modules/'],
	testTimeout: 30 * 60_000,
};
