/**
 * Seeded generators of the values upstream nodes and AI agents actually produce. Everything is
 * derived from (seed, case id), so a failing case can be replayed exactly.
 */

/** The project's seeded generator (mulberry32), shared with the trigger churn tests. */
export { seeded as prng } from '../nodes/churn';

/** A 32-bit hash of a text (FNV-1a), to derive per-case seeds. */
export function hash32(text: string): number {
	let h = 0x811c9dc5;
	for (let i = 0; i < text.length; i++) {
		h ^= text.charCodeAt(i);
		h = Math.imul(h, 0x01000193);
	}
	return h >>> 0;
}

export class Rng {
	constructor(readonly next: () => number) {}

	int(max: number): number {
		return Math.floor(this.next() * max);
	}

	chance(p: number): boolean {
		return this.next() < p;
	}

	pick<T>(list: readonly T[]): T {
		return list[this.int(list.length)];
	}
}

/** A 1 MB string (built once). */
export const MEGABYTE = 'x'.repeat(1024 * 1024);

/** Values that are wrong in kind wherever a string is expected. */
export function oddValue(rng: Rng): unknown {
	return rng.pick<() => unknown>([
		() => 0,
		() => -1,
		() => 42,
		() => 1.5,
		() => 1e21,
		() => Number.NaN,
		() => true,
		() => false,
		() => null,
		() => undefined,
		() => '',
		() => '   ',
		() => [],
		() => ['a', 'b'],
		() => [{ nested: true }],
		() => ({}),
		() => ({ a: 1 }),
		() => JSON.parse('{"__proto__": {"polluted": true}}') as unknown,
		() => ({ constructor: { prototype: { polluted: true } } }),
		() => '__proto__',
		() => 'constructor',
		() => 'prototype',
		() => MEGABYTE,
		() => 'line1\r\nline2',
		() => 'Zoë 😀 مرحبا 𝔘𝔫𝔦𝔠𝔬𝔡𝔢',
		() => '\u0000nul',
		() => '../../etc/passwd',
		() => '%2e%2e%2f',
		() => '{{ $json }}',
		() => '<script>alert(1)</script>',
	])();
}

/** Emails as forms, spreadsheets and agents give them: valid, odd-but-valid, and broken. `tag` keeps each one unique. */
export function emailValue(rng: Rng, tag: string): unknown {
	return rng.pick<() => unknown>([
		() => `fz.${tag}@example.com`,
		() => `Fz.${tag.toUpperCase()}@EXAMPLE.COM`,
		() => `  fz.${tag}@example.com  `,
		() => `\tfz.${tag}@example.com\r\n`,
		() => `fz.${tag}+news@example.com`,
		() => `zoë.${tag}@exämple.com`,
		() => `fz.${tag}@xn--exmple-cua.com`,
		() => `用户${tag}@例子.广告`,
		() => `fz.${tag}@example.com\r\nBcc: victim@example.com`,
		() => `fz.${tag}@@example.com`,
		() => `fz.${tag}.example.com`,
		() => `fz ${tag}@example.com`,
		() => `${'a'.repeat(250)}${tag}@example.com`,
		() => `fz.${tag}@example.com${MEGABYTE.slice(0, 1000)}`,
		() => oddValue(rng),
	])();
}

/** Text fields (names, phone, language): mostly ordinary, often odd. */
export function textValue(rng: Rng): unknown {
	return rng.chance(0.4) ? rng.pick(['Ada', 'Grace Hopper', '+1 555 0100', 'en', 'Zoë', '  padded  ', 'O\'Brien']) : oddValue(rng);
}

export function boolValue(rng: Rng): unknown {
	return rng.chance(0.5) ? rng.pick([true, false, 'true', 'false', 1, 0, 'yes', 'no']) : oddValue(rng);
}

/** Why a value is certainly not acceptable as a scalar (independent of the nodes' own checks). */
export const isStructured = (value: unknown) => value !== null && typeof value === 'object';

/** An email that is certainly invalid, by the issue's plain rules (not the nodes' regex). */
export function certainlyBadEmail(value: unknown): boolean {
	if (typeof value !== 'string') return true;
	const trimmed = value.trim();
	// eslint-disable-next-line no-control-regex -- control characters are exactly what this looks for
	return !trimmed || !trimmed.includes('@') || /[\s\u0000-\u001f]/.test(trimmed) || trimmed.length > 254 || trimmed.split('@').length !== 2;
}

/** What a failure message shows of a case: values longer than 80 characters are abbreviated. */
export function describe(value: unknown): string {
	return JSON.stringify(value, (_k, v: unknown) => {
		if (typeof v === 'string' && v.length > 80) return `<${v.length} chars: ${v.slice(0, 40)}…>`;
		if (typeof v === 'number' && !Number.isFinite(v)) return `<${String(v)}>`;
		if (v === undefined) return '<undefined>';
		return v;
	});
}
