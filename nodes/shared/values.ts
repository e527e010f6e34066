import { isSafeObjectProperty, NodeOperationError, type IDataObject, type IExecuteFunctions, type INode } from 'n8n-workflow';

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

/** A value as it may appear in a message: JSON-quoted (control characters escaped), at most ~60 characters; objects and lists by kind. */
export function shown(value: unknown): string {
	if (value !== null && typeof value === 'object') return kindOf(value);
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

/** ` (item N)`, or nothing where there are no items (a node that runs once). */
export const at = (itemIndex?: number) => (itemIndex === undefined ? '' : ` (item ${itemIndex})`);

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
	if (typeof value === 'boolean') throw valueError(ctx, `${options.field} is ${kindOf(value)}, not an ID${at(itemIndex)}`, itemIndex);
	const id = readText(ctx, value, options.field, itemIndex);
	if (!id) throw valueError(ctx, `No ${options.what} given${at(itemIndex)}`, itemIndex);
	if (!options.pattern.test(id)) throw valueError(ctx, `${options.field} ${shown(id)} ${options.rule.replace('{at}', at(itemIndex))}`, itemIndex);
	return id;
}

/** Whether a text holds control characters: C0 (NUL, tab, CR, LF, escape, …) or DEL. */
function hasControl(text: string): boolean {
	for (let i = 0; i < text.length; i++) {
		const code = text.charCodeAt(i);
		if (code < 0x20 || code === 0x7f) return true;
	}
	return false;
}

/** Like readText, and refuses control characters (NUL, line breaks, escape, …) that no name or label holds. */
export function readLabel(ctx: HasNode, value: unknown, field: string, itemIndex?: number, maxLength?: number): string {
	const text = readText(ctx, value, field, itemIndex, maxLength);
	if (hasControl(text)) throw valueError(ctx, `${field} ${shown(text)} holds control characters${at(itemIndex)}`, itemIndex);
	return text;
}

/** Longest email address: 254 characters (RFC 5321 section 4.5.3.1: a 256-octet path minus its angle brackets). */
export const EMAIL_MAX_LENGTH = 254;
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/**
 * An email from any value: trimmed (surrounding spaces and line breaks are common in pasted and
 * imported data); missing, non-text, too long, control characters or a malformed address are
 * refused naming the item and the field. The case is kept as given: where a provider matches
 * addresses case-insensitively, the node lower-cases for matching, not for storing.
 */
export function readEmailValue(ctx: HasNode, value: unknown, itemIndex: number | undefined, field = 'Email'): string {
	if (typeof value === 'number' || typeof value === 'boolean') {
		throw valueError(ctx, `${field} ${shown(value)} is not a valid email address${at(itemIndex)}`, itemIndex);
	}
	const email = readText(ctx, value, field, itemIndex);
	if (!email) throw valueError(ctx, `${field} is missing${at(itemIndex)}`, itemIndex);
	if (email.length > EMAIL_MAX_LENGTH) {
		throw valueError(ctx, `${field} is ${email.length} characters long; an email address has at most ${EMAIL_MAX_LENGTH}${at(itemIndex)}`, itemIndex);
	}
	if (hasControl(email) || !EMAIL.test(email)) throw valueError(ctx, `${field} ${shown(email)} is not a valid email address${at(itemIndex)}`, itemIndex);
	return email;
}

export const isEmailText = (value: string) => EMAIL.test(value) && !hasControl(value) && value.length <= EMAIL_MAX_LENGTH;

/** A value as it is compared (Audience Sync's records): text trimmed, a finite number as written, anything else ''. */
export const plainText = (value: unknown): string => (typeof value === 'string' ? value.trim() : typeof value === 'number' && Number.isFinite(value) ? String(value) : '');

const TRUE_WORDS = new Set(['true', '1', 'yes', 'on']);
const FALSE_WORDS = new Set(['false', '0', 'no', 'off', '']);

/** A yes/no value: booleans, 1/0, and the words true/false, yes/no, on/off (any case); anything else is refused. */
export function readBoolean(ctx: HasNode, value: unknown, field: string, itemIndex?: number, fallback = false): boolean {
	if (value === undefined || value === null) return fallback;
	if (typeof value === 'boolean') return value;
	if (typeof value === 'number' && (value === 0 || value === 1)) return value === 1;
	if (typeof value === 'string') {
		const word = value.trim().toLowerCase();
		if (TRUE_WORDS.has(word)) return true;
		if (FALSE_WORDS.has(word)) return word === '' ? fallback : false;
	}
	throw valueError(ctx, `${field} ${typeof value === 'object' ? `is ${kindOf(value)}` : shown(value)}, not true or false${at(itemIndex)}`, itemIndex);
}

/** A whole number from a number or numeric text (`"25"`); anything else, or outside [min, max], is refused. */
export function readInteger(ctx: HasNode, value: unknown, field: string, itemIndex?: number, range: { min?: number; max?: number } = {}): number {
	const number = typeof value === 'string' && value.trim() !== '' ? Number(value.trim()) : value;
	if (typeof number !== 'number' || !Number.isInteger(number)) {
		throw valueError(ctx, `${field} must be a whole number${at(itemIndex)}, got ${typeof value === 'object' && value !== null ? kindOf(value) : shown(value)}`, itemIndex);
	}
	if ((range.min !== undefined && number < range.min) || (range.max !== undefined && number > range.max)) {
		const bounds = range.max === undefined ? `of at least ${range.min}` : range.min === undefined ? `of at most ${range.max}` : `from ${range.min} to ${range.max}`;
		throw valueError(ctx, `${field} must be a whole number ${bounds}${at(itemIndex)}, got ${number}`, itemIndex);
	}
	return number;
}

/** One of a fixed set of values (compared case-insensitively), returned as the set spells it. */
export function readChoice<T extends string>(ctx: HasNode, value: unknown, field: string, choices: readonly T[], itemIndex?: number): T {
	const text = readText(ctx, value, field, itemIndex).toLowerCase();
	const found = choices.find((c) => c.toLowerCase() === text);
	if (found === undefined) throw valueError(ctx, `${field} ${shown(text)} is not one of ${choices.join(', ')}${at(itemIndex)}`, itemIndex);
	return found;
}

/**
 * Names from an array or comma-separated text (see splitNames), each a label; objects or nested
 * lists among them are refused naming the field.
 */
export function readNames(ctx: HasNode, value: unknown, field: string, itemIndex?: number, maxLength?: number): string[] {
	if (value === undefined || value === null) return [];
	const parts = Array.isArray(value) ? value : [value];
	const names: string[] = [];
	for (const part of parts) {
		const text = readLabel(ctx, part, field, itemIndex);
		for (const name of Array.isArray(value) ? [text] : text.split(',')) {
			const trimmed = name.trim();
			if (!trimmed) continue;
			if (maxLength !== undefined && trimmed.length > maxLength) {
				throw valueError(ctx, `${field}: ${shown(trimmed)} is ${trimmed.length} characters long; the most allowed is ${maxLength}${at(itemIndex)}`, itemIndex);
			}
			names.push(trimmed);
		}
	}
	return names;
}

/**
 * The picks of a multi-select: a list, or comma-separated text (an expression), each one of `choices`
 * (any case, returned as `choices` spells it) when given, none twice; another is refused naming the field.
 */
export function readPicks(ctx: HasNode, value: unknown, field: string, choices?: readonly string[]): string[] {
	const picks = readNames(ctx, value, field);
	return [...new Set(choices ? picks.map((pick) => readChoice(ctx, pick, field, choices)) : picks)];
}

/** Whether a parameter value holds an n8n expression anywhere (a string starting with `=`, as n8n tells them). */
export function holdsExpression(value: unknown): boolean {
	if (typeof value === 'string') return value.startsWith('=');
	if (!value || typeof value !== 'object') return false;
	return (Array.isArray(value) ? value : Object.values(value)).some(holdsExpression);
}

/**
 * `={{ $json.email }}`, `={{ $json.person.email }}`, `={{ $json["first name"] }}`: an expression
 * that only reads a field of the item's JSON. Anything more (text around it, a call, an operator,
 * another variable) is not matched and is left to n8n. A quoted name holds no `{` or `}` (n8n's
 * template ends the expression at the first `}}`).
 */
const JSON_FIELD_EXPRESSION = /^=\{\{\s*\$json((?:\.[A-Za-z_$][\w$]*|\[\s*(?:'[^'\\{}]*'|"[^"\\{}]*")\s*\])+)\s*\}\}$/;
const PATH_PART = /\.([A-Za-z_$][\w$]*)|\[\s*(?:'([^'\\{}]*)'|"([^"\\{}]*)")\s*\]/g;
/** n8n refuses an expression whose text holds `.constructor` anywhere (also inside a quoted name). */
const CONSTRUCTOR_TEXT = /\.\s*constructor/;
/** Names n8n refuses or that are not data, where n8n-workflow does not tell its own list. */
const NOT_DATA = new Set(['constructor', '__proto__', 'prototype']);

/**
 * Whether n8n's expression sandbox lets an expression read this property name: n8n-workflow's own
 * list (it blocks `caller`, `arguments`, `binding`... with "Cannot access ... due to security
 * concerns", and the list grows between n8n versions), so what is refused is the installed n8n's.
 */
function readableName(name: string): boolean {
	return typeof isSafeObjectProperty === 'function' ? isSafeObjectProperty(name) && !NOT_DATA.has(name) : !NOT_DATA.has(name);
}

/** The field path a `$json` field expression reads, or undefined for any other value. */
export function jsonFieldPath(value: unknown): string[] | undefined {
	if (typeof value !== 'string') return undefined;
	const match = JSON_FIELD_EXPRESSION.exec(value);
	if (!match || CONSTRUCTOR_TEXT.test(value)) return undefined;
	const path = [...match[1].matchAll(PATH_PART)].map((m) => m[1] ?? m[2] ?? m[3]);
	return path.every(readableName) ? path : undefined;
}

/** A leaf of a parameter that n8n itself must resolve for this item. */
const ASK_N8N = Symbol('ask n8n');

/**
 * A parameter's value for one item without n8n's expression engine, where that engine would give
 * the same: text and numbers as they are, and `$json` field expressions whose field holds text,
 * a number or a boolean (read from the item's JSON, as `$json` reads it). Anything else (another
 * expression, a missing field, an object) answers ASK_N8N.
 */
function resolveLocally(raw: unknown, json: unknown): unknown {
	if (typeof raw === 'string') {
		if (!raw.startsWith('=')) return raw;
		const path = jsonFieldPath(raw);
		if (!path) return ASK_N8N;
		let value = json;
		for (const part of path) {
			if (!value || typeof value !== 'object' || !Object.prototype.hasOwnProperty.call(value, part)) return ASK_N8N;
			value = (value as Record<string, unknown>)[part];
		}
		return typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean' ? value : ASK_N8N;
	}
	if (!raw || typeof raw !== 'object') return raw;
	if (Array.isArray(raw)) {
		const out: unknown[] = [];
		for (const v of raw) {
			const resolved = resolveLocally(v, json);
			if (resolved === ASK_N8N) return ASK_N8N;
			out.push(resolved);
		}
		return out;
	}
	const out: Record<string, unknown> = {};
	for (const [k, v] of Object.entries(raw)) {
		const resolved = resolveLocally(v, json);
		if (resolved === ASK_N8N) return ASK_N8N;
		out[k] = resolved;
	}
	return out;
}

/** Per run (one execute context): the input items, and each parameter as the node holds it. */
const runParameters = new WeakMap<object, { items: Array<{ json?: unknown }>; parameters: Record<string, unknown>; local: Map<string, boolean> }>();

/** Whether every expression in a parameter is a `$json` field expression (so it may be read locally). */
function readableLocally(raw: unknown): boolean {
	if (typeof raw === 'string') return !raw.startsWith('=') || jsonFieldPath(raw) !== undefined;
	if (!raw || typeof raw !== 'object') return true;
	return (Array.isArray(raw) ? raw : Object.values(raw)).every(readableLocally);
}

/**
 * `getNodeParameter(name, itemIndex, fallback)` at a fraction of its cost per item, for the
 * parameters a bulk operation reads for every item. In n8n each call resolves the parameter
 * through its expression engine (n8n 2.x: a data proxy and an isolated VM per expression, about a
 * millisecond each) and checks it against the node's description. Here a value without an
 * expression, and a `={{ $json.field }}` expression whose field holds text, a number or a boolean,
 * is read directly, as n8n would resolve it; any other expression, or a field that is missing or
 * holds anything else, goes to getNodeParameter for that item. Each call returns its own copy.
 * For top-level parameter names (no `.` paths) of properties without `validateType`.
 */
export function itemParameter(ctx: IExecuteFunctions, name: string, itemIndex: number, fallback?: unknown): unknown {
	let run = runParameters.get(ctx);
	if (!run) runParameters.set(ctx, (run = { items: ctx.getInputData(), parameters: ctx.getNode().parameters as Record<string, unknown>, local: new Map() }));
	const raw = run.parameters[name];
	if (raw === undefined) return fallback === undefined ? ctx.getNodeParameter(name, itemIndex) : structuredCloneOf(fallback);
	let local = run.local.get(name);
	if (local === undefined) run.local.set(name, (local = readableLocally(raw)));
	if (local) {
		const resolved = resolveLocally(raw, run.items[itemIndex]?.json);
		if (resolved !== ASK_N8N) return resolved;
	}
	return ctx.getNodeParameter(name, itemIndex, fallback);
}

function structuredCloneOf<T>(value: T): T {
	return value && typeof value === 'object' ? (JSON.parse(JSON.stringify(value)) as T) : value;
}

/** A collection parameter (Additional Fields, Filters, Options): an object, or nothing; anything else is refused. */
export function readCollection(ctx: IExecuteFunctions, name: string, label: string, itemIndex: number): IDataObject {
	const value: unknown = itemParameter(ctx, name, itemIndex, {});
	if (value === undefined || value === null || value === '') return {};
	if (typeof value !== 'object' || Array.isArray(value)) throw valueError(ctx, `${label} must be a set of fields, not ${kindOf(value)}${at(itemIndex)}`, itemIndex);
	return value as IDataObject;
}

/**
 * A fresh plain object holding only the given keys that `source` has as its own, with no
 * prototype to pollute: user-supplied key names (`__proto__`, `constructor`) never become keys.
 */
export function pickKnown(source: unknown, keys: readonly string[]): Record<string, unknown> {
	const out: Record<string, unknown> = Object.create(null) as Record<string, unknown>;
	if (!source || typeof source !== 'object' || Array.isArray(source)) return out;
	for (const key of keys) if (Object.prototype.hasOwnProperty.call(source, key)) out[key] = (source as Record<string, unknown>)[key];
	return out;
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

/** How a field with a dropdown of IDs takes a name instead: `name:` and the name (`name:Newsletter`). */
export const NAME_FORM = 'name:';

/**
 * A value of a field whose dropdown holds IDs: `{ name }` when it starts with `name:`, otherwise
 * `{ key }`, the ID (or whatever key the dropdown gives). Never guessed from how the value looks:
 * a list named `2024` is `name:2024`, and `2024` is the list whose ID is 2024.
 */
export function splitReference(text: string): { name: string } | { key: string } {
	return text.slice(0, NAME_FORM.length).toLowerCase() === NAME_FORM ? { name: text.slice(NAME_FORM.length).trim() } : { key: text.trim() };
}
