/**
 * Email addresses as the providers accept them, written from the standards and the providers'
 * documented examples (see API-NOTES.md, "Email addresses"), independently of the nodes' own
 * check: the emulator must be able to refuse what the node lets through.
 *
 * - RFC 5321 4.5.3.1: local part at most 64 octets, domain at most 255, whole address at most
 *   254 (RFC 3696 erratum 1690).
 * - RFC 5322 3.2.3 / 3.4.1: an unquoted local part is a dot-atom: letters, digits and
 *   ``!#$%&'*+-/=?^_`{|}~``, dots only between atoms (none first, last or doubled).
 * - RFC 1035 2.3.1 / RFC 5321 2.3.5: a domain is dot-separated labels of letters, digits and
 *   hyphens (1-63 characters, no hyphen first or last); the providers need a public domain, so at
 *   least two labels and a top-level label that is not all digits.
 * - Quoted local parts, address literals (`user@[192.0.2.1]`) and non-ASCII addresses are refused
 *   (unconfirmed: both providers' forms refuse them; the emulator does the same).
 */
const ATEXT = /^[A-Za-z0-9!#$%&'*+\-/=?^_`{|}~]+$/;
const LABEL = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/;

export function isValidEmail(value: unknown): value is string {
	if (typeof value !== 'string' || value.length > 254) return false;
	const at = value.lastIndexOf('@');
	if (at <= 0 || at === value.length - 1) return false;
	const local = value.slice(0, at);
	const domain = value.slice(at + 1);
	if (local.length > 64 || domain.length > 255) return false;
	if (!local.split('.').every((atom) => ATEXT.test(atom))) return false;
	const labels = domain.split('.');
	if (labels.length < 2 || !labels.every((label) => LABEL.test(label))) return false;
	return !/^\d+$/.test(labels[labels.length - 1]);
}
