import { NodeOperationError, type INode } from 'n8n-workflow';

/**
 * Reading user-supplied values. Provider-neutral.
 *
 * Values come from expressions, upstream nodes and AI agents: any JSON type can arrive where
 * text is expected. These readers coerce what a user would expect (numbers and booleans as
 * written) and refuse what has no sensible text form (objects, arrays), naming the item and the
 * field. Messages show a value shortened and escaped, so a 1 MB or CR/LF value cannot flood or
 * forge an error line.
 */

interface HasNode {
	getNode(): INode;
}

/** A value as it may appear in a message: JSON-quoted (control characters escaped), at most ~60 characters. */
export function shown(value: unknown): string {
	const text = typeof value === 'string' ? value : String(value);
	const cut = text.length > 60 ? `${text.slice(0, 60)}…` : text;
	return JSON.stringify(cut);
}

/** `an object`, `a list`, `empty (null)`: what a value is, for messages. */
export function kindOf(value: unknown): string {
	if (value === null) return 'empty (null)';
	if (Array.isArray(value)) return 'a list';
	if (typeof value === 'object') return 'an object';
	if (typeof value === 'function') return 'a function';
	return `a ${typeof value}`;
}

const at = (itemIndex?: number) => (itemIndex === undefined ? '' : ` (item ${itemIndex})`);

/** An input error naming the field and, when there is one, the item. */
export function valueError(ctx: HasNode, message: string, itemIndex?: number, description?: string): NodeOperationError {
	return new NodeOperationError(ctx.getNode(), message, { itemIndex, description });
}

/**
 * A scalar as text, trimmed: strings as they are, finite numbers and booleans as written,
 * null/undefined as ''. Objects, arrays, NaN and Infinity are refused naming the field.
 */
export function readText(ctx: HasNode, value: unknown, field: string, itemIndex?: number, maxLength?: number): string {
	let text: string;
	if (value === undefined || value === null) text = '';
	else if (typeof value === 'string') text = value.trim();
	else if (typeof value === 'number') {
		if (!Number.isFinite(value)) throw valueError(ctx, `${field} is not a usable number${at(itemIndex)}`, itemIndex);
		text = String(value);
	} else if (typeof value === 'boolean' || typeof value === 'bigint') text = String(value);
	else throw valueError(ctx, `${field} is ${kindOf(value)}, not text${at(itemIndex)}`, itemIndex);
	if (maxLength !== undefined && text.length > maxLength) {
		throw valueError(ctx, `${field} is ${text.length} characters long; the most allowed is ${maxLength}${at(itemIndex)}`, itemIndex);
	}
	return text;
}

/**
 * An identifier for a request path: a scalar (see readText) that must match `pattern`. Empty is
 * `No <what> given`; anything else that does not match is refused showing the value and `rule`.
 */
export function readId(
	ctx: HasNode,
	value: unknown,
	options: { field: string; what: string; pattern: RegExp; rule: string },
	itemIndex?: number,
): string {
	const id = readText(ctx, value, options.field, itemIndex);
	if (!id) throw valueError(ctx, `No ${options.what} given${at(itemIndex)}`, itemIndex);
	if (!options.pattern.test(id)) throw valueError(ctx, `${options.field} ${shown(id)} ${options.rule.replace('{at}', at(itemIndex))}`, itemIndex);
	return id;
}

/**
 * A resource locator parameter's mode and value. n8n gives `{__rl, mode, value}`; an older
 * workflow or an expression may give the bare value instead.
 */
export function locatorParts(parameter: unknown): { mode?: string; value: unknown } {
	if (parameter && typeof parameter === 'object' && !Array.isArray(parameter) && '__rl' in parameter) {
		const { mode, value } = parameter as { mode?: unknown; value?: unknown };
		return { mode: typeof mode === 'string' ? mode : undefined, value };
	}
	return { value: parameter };
}

/**
 * A list of names from a parameter that may be an array (multi-select, expression) or
 * comma-separated text: each trimmed, empties dropped.
 */
export function splitNames(value: unknown): string[] {
	return (Array.isArray(value) ? value : String(value ?? '').split(','))
		.map((v) => String(v).trim())
		.filter(Boolean);
}
