import { isValidEmail } from './email';

/** The emulator's own email rules (API-NOTES.md, "Email addresses"), not the node's check. */
describe('emulator email validation', () => {
	test.each(["o'brien@example.com", 'user+tag@example.co.uk', 'first.last@sub.example.org', 'x@a-b.io'])('accepts %s', (email) => {
		expect(isValidEmail(email)).toBe(true);
	});

	test.each([
		'two..dots@example.com',
		'.lead@example.com',
		'trail.@example.com',
		'user@localhost',
		'user@-bad.example.com',
		'user@example.123',
		'"quoted"@example.com',
		'user@[192.0.2.1]',
		'ünïcode@example.com',
		`${'a'.repeat(65)}@example.com`,
		'no-at-sign.example.com',
		'',
	])('refuses %p', (email) => {
		expect(isValidEmail(email)).toBe(false);
	});
});
