import type { Side, Status, SyncRecord } from './diff';

/**
 * The compact store behind Audience Sync's indexes: both sides' records of every address, kept off
 * the JavaScript heap, so that a read of 1,000,000 people on both sides leaves the garbage
 * collector next to nothing to keep (V8 lets its heap grow to a few times what it keeps alive
 * before it collects, so what it keeps alive decides the process's memory).
 *
 * - Bytes: every address and every record is written once, as bytes, into chunks of 1 MiB
 *   (Uint8Array), one after the other. Text is UTF-8 (lone surrogates as their 3-byte form, so
 *   every string comes back exactly as it went in).
 * - Addresses: numbered in the order they were first added (both sides share one number). Per
 *   number, typed arrays hold the hash and the place and length of the address and of each side's
 *   record (a length of 0: the side does not hold the address).
 * - Lookup: an open-addressing hash table (linear probing, at most half full) over an Int32Array
 *   of address numbers, compared by hash, then length, then bytes.
 *
 * A record is `<status letter><mark><changedAt, base 36>\x01<id>\x01<address, empty when it is the
 * key>` and then `\x01<value>` per mapped field. The mark says whether the values follow (\x02) or
 * are the other side's (\x03: the common case, both sides agree, and the values are kept once). A
 * record that cannot be written so (a separator in its text, a time that is not a whole number) is
 * kept as it is, on the side's `odd` map, and its bytes are the one letter ODD. Records become
 * objects again only where they are asked for: where the two sides differ.
 */

const SEP = 0x01;
const PLAIN = 0x02;
const SAME = 0x03;
const ODD = 0x78; // 'x'
const SEP_TEXT = '\u0001';

const LETTER: Record<Status, number> = { subscribed: 0x73, pending: 0x70, unsubscribed: 0x75, bounced: 0x62, transactional: 0x74, archived: 0x61 };
const STATUS_OF: Status[] = [];
for (const [status, letter] of Object.entries(LETTER)) STATUS_OF[letter] = status as Status;
/** Letters of one consent class share a class (unsubscribed and bounced are both opted out). */
const CLASS_OF: number[] = [];
for (const [status, letter] of Object.entries(LETTER)) CLASS_OF[letter] = status === 'bounced' ? LETTER.unsubscribed : letter;

const SIDE: Record<Side, 0 | 1> = { activeCampaign: 0, mailchimp: 1 };
const SIDES: Side[] = ['activeCampaign', 'mailchimp'];

/** At most the bytes a text takes (3 per UTF-16 unit: a surrogate pair's 4 bytes are 2 units). */
const bound = (text: string): number => 3 * text.length;

/** Writes a text as UTF-8 (lone surrogates as WTF-8) at `at`; the position after it. */
function writeText(bytes: Uint8Array, at: number, text: string): number {
	for (let i = 0; i < text.length; i++) {
		const c = text.charCodeAt(i);
		if (c < 0x80) {
			bytes[at++] = c;
		} else if (c < 0x800) {
			bytes[at++] = 0xc0 | (c >> 6);
			bytes[at++] = 0x80 | (c & 0x3f);
		} else if ((c & 0xfc00) === 0xd800 && i + 1 < text.length && (text.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
			const point = 0x10000 + ((c - 0xd800) << 10) + (text.charCodeAt(++i) - 0xdc00);
			bytes[at++] = 0xf0 | (point >> 18);
			bytes[at++] = 0x80 | ((point >> 12) & 0x3f);
			bytes[at++] = 0x80 | ((point >> 6) & 0x3f);
			bytes[at++] = 0x80 | (point & 0x3f);
		} else {
			bytes[at++] = 0xe0 | (c >> 12);
			bytes[at++] = 0x80 | ((c >> 6) & 0x3f);
			bytes[at++] = 0x80 | (c & 0x3f);
		}
	}
	return at;
}

/** The text of bytes writeText wrote. */
function readText(bytes: Uint8Array, from: number, to: number): string {
	let text = '';
	for (let at = from; at < to; ) {
		const b = bytes[at];
		if (b < 0x80) {
			text += String.fromCharCode(b);
			at += 1;
		} else if (b < 0xe0) {
			text += String.fromCharCode(((b & 0x1f) << 6) | (bytes[at + 1] & 0x3f));
			at += 2;
		} else if (b < 0xf0) {
			text += String.fromCharCode(((b & 0x0f) << 12) | ((bytes[at + 1] & 0x3f) << 6) | (bytes[at + 2] & 0x3f));
			at += 3;
		} else {
			const point = (((b & 0x07) << 18) | ((bytes[at + 1] & 0x3f) << 12) | ((bytes[at + 2] & 0x3f) << 6) | (bytes[at + 3] & 0x3f)) - 0x10000;
			text += String.fromCharCode(0xd800 + (point >> 10), 0xdc00 + (point & 0x3ff));
			at += 4;
		}
	}
	return text;
}

/** FNV-1a over the bytes, then mixed (murmur3's finaliser), so that linear probing spreads well. */
function hashBytes(bytes: Uint8Array, from: number, to: number): number {
	let h = 0x811c9dc5;
	for (let at = from; at < to; at++) h = Math.imul(h ^ bytes[at], 0x01000193);
	h ^= h >>> 16;
	h = Math.imul(h, 0x85ebca6b);
	h ^= h >>> 13;
	h = Math.imul(h, 0xc2b2ae35);
	return (h ^ (h >>> 16)) >>> 0;
}

export interface PairStoreOptions {
	/** Bytes per chunk (default 1 MiB). A record larger than a chunk gets a chunk of its own. */
	chunkBytes?: number;
	/** The hash of an address's bytes (tests force collisions with it). */
	hash?: (bytes: Uint8Array, from: number, to: number) => number;
}

/** Both sides' records by address, off the JavaScript heap (see above). Shared by the two SideIndexes of one diff. */
export class PairStore {
	/** Records that could not be written as bytes (see above), by address. */
	readonly odd: Record<Side, Map<string, SyncRecord>> = { activeCampaign: new Map(), mailchimp: new Map() };
	/** Addresses held (by either side). */
	size = 0;

	private readonly chunkBytes: number;
	private readonly hash: (bytes: Uint8Array, from: number, to: number) => number;
	private readonly chunks: Uint8Array[] = [];
	/** The chunk written to, and where its free space starts. */
	private current = -1;
	private free = 0;

	// Per address number: its hash, where its bytes are (chunk * chunkBytes + offset) and how many.
	private hashes = new Uint32Array(1024);
	private keyAt = new Uint32Array(1024);
	private keyLength = new Uint32Array(1024);
	private recordAt: [Uint32Array, Uint32Array] = [new Uint32Array(1024), new Uint32Array(1024)];
	private recordLength: [Uint32Array, Uint32Array] = [new Uint32Array(1024), new Uint32Array(1024)];
	/** The hash table: address number + 1, 0 for a free slot. */
	private slots = new Int32Array(2048);

	/** The last address looked up, encoded (scratch), and what it was found to be. */
	private scratch = new Uint8Array(1024);
	private scratchLength = 0;
	private lastKey: string | undefined;
	private lastHash = 0;
	private lastFound = -1;

	constructor(options: PairStoreOptions = {}) {
		this.chunkBytes = options.chunkBytes ?? 1 << 20;
		this.hash = options.hash ?? hashBytes;
	}

	/** The number of an address, or -1 (leaves the address encoded in scratch). */
	find(key: string): number {
		if (key === this.lastKey) return this.lastFound;
		if (this.scratch.length < bound(key)) this.scratch = new Uint8Array(2 * bound(key));
		const length = writeText(this.scratch, 0, key);
		const hash = this.hash(this.scratch, 0, length) >>> 0;
		this.scratchLength = length;
		this.lastKey = key;
		this.lastHash = hash;
		this.lastFound = -1;
		const mask = this.slots.length - 1;
		for (let slot = hash & mask; ; slot = (slot + 1) & mask) {
			const n = this.slots[slot] - 1;
			if (n < 0) return -1;
			if (this.hashes[n] === hash && this.keyLength[n] === length && this.keyEquals(n)) return (this.lastFound = n);
		}
	}

	/** The address of a number. */
	key(n: number): string {
		const chunk = this.locate(this.keyAt[n]);
		return readText(chunk, this.offset, this.offset + this.keyLength[n]);
	}

	/** Whether a side holds the address of a number. */
	holds(side: Side, n: number): boolean {
		return this.recordLength[SIDE[side]][n] > 0;
	}

	has(side: Side, key: string): boolean {
		const n = this.find(key);
		return n >= 0 && this.holds(side, n);
	}

	/** A side's record of an address, as an object again. */
	get(side: Side, key: string): SyncRecord | undefined {
		const n = this.find(key);
		return n < 0 ? undefined : this.record(side, n, key);
	}

	/**
	 * Whether both sides hold the address of a number alike, seen on the bytes alone: the values
	 * marked the same (kept once) and statuses of the same consent class.
	 */
	alike(n: number): boolean {
		if (!this.recordLength[0][n] || !this.recordLength[1][n]) return false;
		const ac = this.locate(this.recordAt[0][n]);
		const acAt = this.offset;
		const mc = this.locate(this.recordAt[1][n]);
		const mcAt = this.offset;
		if (ac[acAt] === ODD || mc[mcAt] === ODD) return false;
		return (ac[acAt + 1] === SAME || mc[mcAt + 1] === SAME) && CLASS_OF[ac[acAt]] === CLASS_OF[mc[mcAt]];
	}

	/** A side's record of the address of a number (`key`: that address), as an object again. */
	record(side: Side, n: number, key: string): SyncRecord | undefined {
		const s = SIDE[side];
		const length = this.recordLength[s][n];
		if (!length) return undefined;
		const bytes = this.locate(this.recordAt[s][n]);
		const start = this.offset;
		if (bytes[start] === ODD) return this.odd[side].get(key);
		const end = start + length;
		const timeEnd = bytes.indexOf(SEP, start + 2);
		const idEnd = bytes.indexOf(SEP, timeEnd + 1);
		let emailEnd = bytes.indexOf(SEP, idEnd + 1);
		if (emailEnd < 0 || emailEnd > end) emailEnd = end;
		const time = readText(bytes, start + 2, timeEnd);
		let fields: string[] = [];
		if (bytes[start + 1] === SAME) {
			fields = this.record(SIDES[1 - s], n, key)!.fields;
		} else {
			for (let at = emailEnd; at < end; ) {
				let next = bytes.indexOf(SEP, at + 1);
				if (next < 0 || next > end) next = end;
				fields.push(readText(bytes, at + 1, next));
				at = next;
			}
		}
		return {
			email: readText(bytes, idEnd + 1, emailEnd) || key,
			status: STATUS_OF[bytes[start]],
			fields,
			changedAt: time ? parseInt(time, 36) : Number.NaN,
			id: readText(bytes, timeEnd + 1, idEnd),
		};
	}

	/** Sets a side's record of an address (its first reading, or a more cautious reading of the same record). */
	set(side: Side, key: string, record: SyncRecord): void {
		let n = this.find(key);
		if (n < 0) n = this.insert();
		const theirs = 1 - SIDE[side];
		// The other side's values may be marked "the same as mine": spelled out before mine change.
		if (this.recordLength[theirs][n] > 1) {
			const bytes = this.locate(this.recordAt[theirs][n]);
			if (bytes[this.offset + 1] === SAME) this.write(SIDES[theirs], n, key, this.record(SIDES[theirs], n, key)!, false);
		}
		this.write(side, n, key, record, true);
	}

	/** Adds the address last looked up (in scratch); its number. */
	private insert(): number {
		const n = this.size++;
		if (n === this.hashes.length) this.growNumbers();
		if (2 * this.size > this.slots.length) this.growSlots();
		const length = this.scratchLength;
		const at = this.reserve(length);
		const chunk = this.locate(at);
		for (let i = 0; i < length; i++) chunk[this.offset + i] = this.scratch[i];
		if (length <= this.chunkBytes) this.free += length;
		this.hashes[n] = this.lastHash;
		this.keyAt[n] = at;
		this.keyLength[n] = length;
		this.place(n);
		this.lastFound = n;
		return n;
	}

	/** Puts a number in the first free slot of its hash. */
	private place(n: number): void {
		const mask = this.slots.length - 1;
		let slot = this.hashes[n] & mask;
		while (this.slots[slot]) slot = (slot + 1) & mask;
		this.slots[slot] = n + 1;
	}

	private growNumbers(): void {
		const grow = (old: Uint32Array): Uint32Array => {
			const bigger = new Uint32Array(2 * old.length);
			bigger.set(old);
			return bigger;
		};
		this.hashes = grow(this.hashes);
		this.keyAt = grow(this.keyAt);
		this.keyLength = grow(this.keyLength);
		this.recordAt = [grow(this.recordAt[0]), grow(this.recordAt[1])];
		this.recordLength = [grow(this.recordLength[0]), grow(this.recordLength[1])];
	}

	private growSlots(): void {
		this.slots = new Int32Array(2 * this.slots.length);
		// The number being inserted is placed by insert().
		for (let n = 0; n < this.size - 1; n++) this.place(n);
	}

	private keyEquals(n: number): boolean {
		const chunk = this.locate(this.keyAt[n]);
		const at = this.offset;
		const length = this.scratchLength;
		for (let i = 0; i < length; i++) if (chunk[at + i] !== this.scratch[i]) return false;
		return true;
	}

	/** The offset in its chunk of the place last located. */
	private offset = 0;

	/** The chunk of a place (and its offset in `offset`). */
	private locate(place: number): Uint8Array {
		const chunk = Math.floor(place / this.chunkBytes);
		this.offset = place - chunk * this.chunkBytes;
		return this.chunks[chunk];
	}

	/**
	 * A place with room for `length` bytes: in the current chunk, or a new one (of its own when
	 * longer than a chunk). Written bytes are committed by moving `free` on.
	 */
	private reserve(length: number): number {
		if (this.current >= 0 && this.free + length <= this.chunkBytes) return this.current * this.chunkBytes + this.free;
		if ((this.chunks.length + 1) * this.chunkBytes > 0xffffffff) throw new RangeError('Audience Sync holds at most 4 GB of records in one run: split the list or audience');
		this.chunks.push(new Uint8Array(Math.max(this.chunkBytes, length)));
		if (length > this.chunkBytes) return (this.chunks.length - 1) * this.chunkBytes;
		this.current = this.chunks.length - 1;
		this.free = 0;
		return this.current * this.chunkBytes;
	}

	/** Writes a side's record of a number; `compare`: marked "the same values" when they are the other side's. */
	private write(side: Side, n: number, key: string, record: SyncRecord, compare: boolean): void {
		const s = SIDE[side];
		this.odd[side].delete(key);
		const time = Number.isNaN(record.changedAt) ? '' : Number.isSafeInteger(record.changedAt) ? record.changedAt.toString(36) : undefined;
		const email = record.email === key ? '' : record.email;
		let plain = time !== undefined && !record.id.includes(SEP_TEXT) && !email.includes(SEP_TEXT);
		let length = 2 + (time?.length ?? 0) + 2 + bound(record.id) + bound(email);
		for (const value of record.fields) {
			plain &&= !value.includes(SEP_TEXT);
			length += 1 + bound(value);
		}
		if (!plain) {
			this.odd[side].set(key, record);
			length = 1;
		}
		const place = this.reserve(length);
		const bytes = this.locate(place);
		const start = this.offset;
		let at = start;
		if (plain) {
			bytes[at++] = LETTER[record.status];
			bytes[at++] = PLAIN;
			at = writeText(bytes, at, time!);
			bytes[at++] = SEP;
			at = writeText(bytes, at, record.id);
			bytes[at++] = SEP;
			at = writeText(bytes, at, email);
			const valuesAt = at;
			for (const value of record.fields) {
				bytes[at++] = SEP;
				at = writeText(bytes, at, value);
			}
			if (compare && this.sameValues(1 - s, n, bytes, valuesAt, at)) {
				bytes[start + 1] = SAME;
				at = valuesAt;
			}
		} else {
			bytes[at++] = ODD;
		}
		if (length <= this.chunkBytes) this.free += at - start;
		this.recordAt[s][n] = place;
		this.recordLength[s][n] = at - start;
	}

	/** Whether side `s` holds the number with plain values equal to the bytes from..to (a values part). */
	private sameValues(s: number, n: number, mine: Uint8Array, from: number, to: number): boolean {
		const length = this.recordLength[s][n];
		if (!length) return false;
		const bytes = this.locate(this.recordAt[s][n]);
		const start = this.offset;
		if (bytes[start] === ODD || bytes[start + 1] !== PLAIN) return false;
		const end = start + length;
		let at = bytes.indexOf(SEP, bytes.indexOf(SEP, start + 2) + 1);
		at = bytes.indexOf(SEP, at + 1);
		if (at < 0 || at > end) at = end;
		if (end - at !== to - from) return false;
		for (let i = 0; i < to - from; i++) if (bytes[at + i] !== mine[from + i]) return false;
		return true;
	}
}
