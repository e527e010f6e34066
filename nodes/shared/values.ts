/**
 * Reading user-supplied values. Provider-neutral.
 */

/**
 * A list of names from a parameter that may be an array (multi-select, expression) or
 * comma-separated text: each trimmed, empties dropped.
 */
export function splitNames(value: unknown): string[] {
	return (Array.isArray(value) ? value : String(value ?? '').split(','))
		.map((v) => String(v).trim())
		.filter(Boolean);
}
