/** @type {import('jest').Config} */
module.exports = {
	testEnvironment: 'node',
	roots: ['<rootDir>/test'],
	testMatch: ['**/*.test.ts'],
	// Soak tests run with `npm run test:soak` (jest.soak.config.js).
	testPathIgnorePatterns: ['/node_modules/', '\\.soak\\.test\\.ts$'],
	transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.test.json' }] },
	testTimeout: 60000,
	setupFiles: ['<rootDir>/test/setup-env.ts'],
};
