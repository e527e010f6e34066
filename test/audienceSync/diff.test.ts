import {
	type ConflictPolicy,
	type Difference,
	diff,
	diffIndexes,
	diffPerson,
	pairedIndexes,
	type DiffOptions,
	type Direction,
	emailKey,
	type Side,
	SideIndex,
	type Status,
	type SyncRecord,
	TICK_EVERY,
	type Write,
} from '../../nodes/AudienceSync/diff';
import { isEmailText } from '../../nodes/shared/values';
import { seeded } from '../nodes/churn';

/**
 * The sync policy on its own (issue 19): every kind of difference under every direction and
 * conflict policy, the consent rules, email equality, and a property test: apply the writes to
 * both sides in memory, diff again, and nothing is left to write.
 */

const DIRECTIONS: Direction[] = ['activeCampaignToMailchimp', 'mailchimpToActiveCampaign', 'both'];
const POLICIES: ConflictPolicy[] = ['newerWins', 'activeCampaignWins', 'mailchimpWins'];

const options = (over: Partial<DiffOptions> = {}): DiffOptions => ({
	direction: 'both',
	conflictPolicy: 'newerWins',
	newMemberStatus: 'subscribed',
	isValidEmail: isEmailText,
	...over,
});

let ids = 0;
const rec = (email: string, status: Status = 'subscribed', fields: string[] = ['', '', ''], changedAt = 1000): SyncRecord => ({
	email,
	status,
	fields,
	changedAt,
	id: String(++ids),
});

const run = (ac: SyncRecord[], mc: SyncRecord[], over: Partial<DiffOptions> = {}) => [...diff(ac, mc, options(over))];
const only = (ac: SyncRecord[], mc: SyncRecord[], over: Partial<DiffOptions> = {}): Difference => {
	const all = run(ac, mc, over);
	expect(all).toHaveLength(1);
	return all[0];
};
const writeOn = (d: Difference, side: Side): Write | undefined => d.writes.find((w) => w.side === side);

describe('kinds × directions × conflict policies', () => {
	const acToMc = (d: Direction) => d !== 'mailchimpToActiveCampaign';
	const mcToAc = (d: Direction) => d !== 'activeCampaignToMailchimp';

	for (const direction of DIRECTIONS) {
		for (const policy of POLICIES) {
			const o = { direction, conflictPolicy: policy };
			describe(`${direction}, ${policy}`, () => {
				test('onlyInActiveCampaign: a subscribed contact is created in Mailchimp only when the direction goes there', () => {
					const d = only([rec('new@example.com', 'subscribed', ['Ann', 'Lee', '555'])], [], o);
					expect(d.kind).toBe('onlyInActiveCampaign');
					if (acToMc(direction)) {
						expect(d.writes).toEqual([{ side: 'mailchimp', action: 'create', status: 'subscribed', fields: [[0, 'Ann'], [1, 'Lee'], [2, '555']] }]);
						expect(d.reason).toBeUndefined();
					} else {
						expect(d.writes).toEqual([]);
						expect(d.reason).toMatch(/direction/);
					}
				});

				test('onlyInMailchimp: a subscribed member is created in ActiveCampaign only when the direction goes there', () => {
					const d = only([], [rec('new@example.com', 'subscribed', ['Ann', '', ''])], o);
					expect(d.kind).toBe('onlyInMailchimp');
					if (mcToAc(direction)) expect(d.writes).toEqual([{ side: 'activeCampaign', action: 'create', status: 'subscribed', fields: [[0, 'Ann']] }]);
					else expect(d.writes).toEqual([]);
				});

				test('fieldsDiffer: the source (one way) or the conflict policy (both ways) decides', () => {
					const ac = rec('x@example.com', 'subscribed', ['Ann', 'Lee', ''], 2000);
					const mc = rec('X@example.com', 'subscribed', ['Anne', 'Lee', ''], 1000);
					const d = only([ac], [mc], o);
					expect(d.kind).toBe('fieldsDiffer');
					expect(d.fieldsDiffer).toEqual([0]);
					const winner: Side =
						direction === 'activeCampaignToMailchimp'
							? 'activeCampaign'
							: direction === 'mailchimpToActiveCampaign'
								? 'mailchimp'
								: policy === 'mailchimpWins'
									? 'mailchimp'
									: 'activeCampaign'; // newer: ActiveCampaign changed at 2000
					const target: Side = winner === 'activeCampaign' ? 'mailchimp' : 'activeCampaign';
					expect(d.writes).toEqual([{ side: target, action: 'update', fields: [[0, winner === 'activeCampaign' ? 'Ann' : 'Anne']] }]);
				});

				test('statusDiffers: an unsubscribe is carried to the other side whatever the direction', () => {
					const d1 = only([rec('u@example.com', 'unsubscribed')], [rec('u@example.com', 'subscribed')], o);
					expect(d1.kind).toBe('statusDiffers');
					expect(d1.writes).toEqual([{ side: 'mailchimp', action: 'unsubscribe', status: 'unsubscribed', fields: [] }]);
					const d2 = only([rec('u@example.com', 'subscribed')], [rec('u@example.com', 'bounced')], o);
					expect(d2.writes).toEqual([{ side: 'activeCampaign', action: 'unsubscribe', status: 'unsubscribed', fields: [] }]);
				});

				test('statusDiffers with fields: the unsubscribe and the field values are written', () => {
					const d = only([rec('u@example.com', 'unsubscribed', ['Ann', '', ''], 1)], [rec('u@example.com', 'subscribed', ['', '', ''], 2)], o);
					expect(d.kind).toBe('statusDiffers');
					const toMc = writeOn(d, 'mailchimp')!;
					expect(toMc.action).toBe('unsubscribe');
					expect(toMc.fields).toEqual(acToMc(direction) ? [[0, 'Ann']] : []);
				});

				test('duplicate and invalidEmail are reported; an invalid address is never written, a duplicate only has an opt-out carried to each of its records', () => {
					const dup = [rec('dup@example.com'), rec('DUP@example.com ')];
					const all = run([...dup, rec('not-an-email')], [rec('dup@example.com', 'unsubscribed'), rec('bad@@example.com')], o);
					expect(all.map((d) => d.kind).sort()).toEqual(['duplicate', 'invalidEmail', 'invalidEmail']);
					for (const d of all) {
						expect(d.reason).toBeTruthy();
						if (d.kind === 'invalidEmail') expect(d.writes).toEqual([]);
						// Unsubscribed in Mailchimp: both ActiveCampaign records still on the list are unsubscribed, by id.
						else expect(d.writes).toEqual([{ side: 'activeCampaign', action: 'unsubscribe', status: 'unsubscribed', fields: [], ids: dup.map((r) => r.id) }]);
					}
					const subscribed = run([rec('dup2@example.com'), rec('DUP2@example.com')], [rec('dup2@example.com')], o);
					expect(subscribed).toMatchObject([{ kind: 'duplicate', writes: [] }]);
				});
			});
		}
	}
});

describe('consent policy', () => {
	test('the unsubscribed, bounced and cleaned are never subscribed, on either side, in any mode', () => {
		for (const direction of DIRECTIONS) {
			for (const conflictPolicy of POLICIES) {
				for (const blocked of ['unsubscribed', 'bounced'] as Status[]) {
					for (const [acStatus, mcStatus] of [
						[blocked, 'subscribed'],
						['subscribed', blocked],
						[blocked, 'pending'],
						['pending', blocked],
						[blocked, 'transactional'],
					] as Array<[Status, Status]>) {
						const all = run([rec('c@example.com', acStatus, ['A', '', ''], 5)], [rec('c@example.com', mcStatus, ['B', '', ''], 9)], { direction, conflictPolicy });
						for (const w of all.flatMap((d) => d.writes)) {
							expect(w.status === 'subscribed' || w.status === 'pending').toBe(false);
							expect(w.action).not.toBe('create');
						}
						// Carried to the side that is not opted out.
						expect(all[0].writes.some((w) => w.action === 'unsubscribe' && w.side === (acStatus === blocked ? 'mailchimp' : 'activeCampaign'))).toBe(true);
					}
					// Only on one side: added to the other as unsubscribed (when the direction goes there), never subscribed.
					const onlyAc = only([rec('c@example.com', blocked)], [], { direction, conflictPolicy });
					expect(onlyAc.writes.every((w) => w.status === 'unsubscribed')).toBe(true);
				}
			}
		}
	});

	test('bounced and cleaned, unsubscribed and cleaned: the same consent, no difference', () => {
		expect(run([rec('c@example.com', 'bounced')], [rec('c@example.com', 'unsubscribed')])).toEqual([]);
		expect(run([rec('c@example.com', 'unsubscribed')], [rec('c@example.com', 'bounced')])).toEqual([]);
	});

	test('pending is not subscribed: not created on the other side, never promoted, never demoted', () => {
		const onlyPending = only([rec('p@example.com', 'pending')], []);
		expect(onlyPending.writes).toEqual([]);
		expect(onlyPending.reason).toMatch(/Pending in ActiveCampaign/);
		const both = only([rec('p@example.com', 'subscribed')], [rec('p@example.com', 'pending')]);
		expect(both.kind).toBe('statusDiffers');
		expect(both.writes).toEqual([]);
		expect(both.reason).toMatch(/pending in Mailchimp/i);
	});

	test('new members get the chosen status: pending (double opt-in) in Mailchimp; ActiveCampaign cannot take pending', () => {
		const toMc = only([rec('n@example.com')], [], { newMemberStatus: 'pending' });
		expect(toMc.writes[0]).toMatchObject({ side: 'mailchimp', action: 'create', status: 'pending' });
		const toAc = only([], [rec('n@example.com')], { newMemberStatus: 'pending' });
		expect(toAc.writes).toEqual([]);
		expect(toAc.reason).toMatch(/unconfirmed/);
	});

	test('transactional members are not subscribed anywhere', () => {
		expect(only([], [rec('t@example.com', 'transactional')]).writes).toEqual([]);
		expect(only([rec('t@example.com')], [rec('t@example.com', 'transactional')]).writes).toEqual([]);
	});
});

describe('fields', () => {
	test('an empty value never erases a filled one; the filled side fills it, in the directions allowed', () => {
		const both = only([rec('f@example.com', 'subscribed', ['Ann', '', ''], 1)], [rec('f@example.com', 'subscribed', ['', 'Lee', ''], 2)], { conflictPolicy: 'mailchimpWins' });
		expect(both.writes).toEqual([
			{ side: 'activeCampaign', action: 'update', fields: [[1, 'Lee']] },
			{ side: 'mailchimp', action: 'update', fields: [[0, 'Ann']] },
		]);
		const oneWay = only([rec('f@example.com', 'subscribed', ['', '', ''])], [rec('f@example.com', 'subscribed', ['Ann', '', ''])], { direction: 'activeCampaignToMailchimp' });
		expect(oneWay.writes).toEqual([]);
		expect(oneWay.reason).toMatch(/empty in ActiveCampaign/);
	});

	test('newer wins: by change time; a tie or an unknown time goes to ActiveCampaign', () => {
		const pick = (acAt: number, mcAt: number) => only([rec('t@example.com', 'subscribed', ['A', '', ''], acAt)], [rec('t@example.com', 'subscribed', ['M', '', ''], mcAt)]).writes[0].side;
		expect(pick(1, 2)).toBe('activeCampaign'); // Mailchimp newer: written to ActiveCampaign
		expect(pick(2, 1)).toBe('mailchimp');
		expect(pick(5, 5)).toBe('mailchimp');
		expect(pick(Number.NaN, 5)).toBe('activeCampaign');
	});

	test('values are compared as they are: case matters in names', () => {
		expect(only([rec('c@example.com', 'subscribed', ['ann', '', ''])], [rec('c@example.com', 'subscribed', ['Ann', '', ''])]).kind).toBe('fieldsDiffer');
	});
});

describe('email equality', () => {
	test('trimmed and lower-cased, no Unicode normalisation', () => {
		expect(emailKey('  Jane.Doe@Example.COM ')).toBe('jane.doe@example.com');
		expect(run([rec('Jane@Example.com')], [rec(' jane@example.COM')])).toEqual([]);
		// é precomposed vs e + combining accent: different addresses for both providers.
		const keys = run([rec('caf\u00e9@example.com')], [rec('cafe\u0301@example.com')], {
			isValidEmail: () => true,
		}).map((d) => d.kind);
		expect(keys.sort()).toEqual(['onlyInActiveCampaign', 'onlyInMailchimp']);
	});

	test('a duplicate on one side names every record and blocks writes for that address', () => {
		const d = only([rec('d@example.com', 'subscribed'), rec('D@Example.com', 'unsubscribed')], []);
		expect(d.kind).toBe('duplicate');
		expect(d.duplicates?.records).toHaveLength(2);
		expect(d.reason).toMatch(/2 ActiveCampaign records share this address/);
	});

	test('an invalid address is reported once per record and never matched', () => {
		const all = run([rec('no-at-sign.example.com')], [rec('no-at-sign.example.com')]);
		expect(all.map((d) => [d.kind, d.activeCampaign ? 'ac' : 'mc'])).toEqual([
			['invalidEmail', 'ac'],
			['invalidEmail', 'mc'],
		]);
	});
});

/** The writes applied to both sides in memory, as the providers would apply them. */
function applyAll(ac: SyncRecord[], mc: SyncRecord[], differences: Difference[], at: number): void {
	const sides: Record<Side, SyncRecord[]> = { activeCampaign: ac, mailchimp: mc };
	for (const d of differences) {
		for (const w of d.writes) {
			const list = sides[w.side];
			// The record the difference names (a duplicate's one to unsubscribe), else the address's.
			const named = d[w.side];
			let target = named && list.includes(named) ? named : list.find((r) => emailKey(r.email) === d.key);
			if (w.action === 'create') {
				expect(target).toBeUndefined();
				const source = (w.side === 'activeCampaign' ? d.mailchimp : d.activeCampaign)!;
				target = { email: source.email, status: w.status as Status, fields: source.fields.map(() => ''), changedAt: at, id: `new${list.length}` };
				list.push(target);
			}
			// An address held by several records: each record named by id.
			if (w.ids) for (const r of list.filter((x) => w.ids!.includes(x.id))) r.status = 'unsubscribed';
			if (w.action === 'unsubscribe') target!.status = 'unsubscribed';
			for (const [i, value] of w.fields) target!.fields[i] = value;
			target!.changedAt = at;
		}
	}
}

describe('property: after the writes, nothing is left to write', () => {
	const STATUSES: Status[] = ['subscribed', 'subscribed', 'subscribed', 'pending', 'unsubscribed', 'bounced', 'transactional', 'archived'];
	const VALUES = ['', '', 'Ann', 'Bob', 'ann'];

	function population(random: () => number) {
		const pick = <T>(all: T[]) => all[Math.floor(random() * all.length)];
		const ac: SyncRecord[] = [];
		const mc: SyncRecord[] = [];
		const n = 40 + Math.floor(random() * 60);
		for (let i = 0; i < n; i++) {
			const email = `person${i}@example.com`;
			const variant = () => (random() < 0.2 ? email.toUpperCase() : random() < 0.1 ? ` ${email} ` : email);
			const fields = () => [pick(VALUES), pick(VALUES), pick(VALUES)];
			const where = random();
			if (where < 0.7) ac.push(rec(variant(), pick(STATUSES.filter((s) => s !== 'transactional' && s !== 'archived')), fields(), Math.floor(random() * 5)));
			if (where > 0.3) mc.push(rec(variant(), pick(STATUSES), fields(), Math.floor(random() * 5)));
		}
		if (random() < 0.3) ac.push(rec('person0@EXAMPLE.com', 'subscribed'));
		if (random() < 0.3) mc.push(rec('broken@', 'subscribed'));
		return { ac, mc };
	}

	for (let seed = 1; seed <= 200; seed++) {
		const random = seeded(seed);
		const direction = DIRECTIONS[seed % 3];
		const conflictPolicy = POLICIES[Math.floor(seed / 3) % 3];
		const newMemberStatus = seed % 2 ? 'subscribed' : 'pending';
		const o = { direction, conflictPolicy, newMemberStatus } as const;
		test(`seed ${seed} (${direction}, ${conflictPolicy}, new members ${newMemberStatus})`, () => {
			const { ac, mc } = population(random);
			const first = run(ac, mc, o);
			const blocked = new Set<string>();
			for (const r of [...ac, ...mc]) if (r.status === 'unsubscribed' || r.status === 'bounced') blocked.add(emailKey(r.email));
			applyAll(ac, mc, first, 100);
			const second = run(ac, mc, o);
			// Nothing more to write, and nothing new to report: only what the policy holds is left.
			expect(second.filter((d) => d.writes.length)).toEqual([]);
			const before = new Set(first.map((d) => d.key));
			for (const d of second) expect(before.has(d.key)).toBe(true);
			// Nobody opted out on either side before is subscribed or pending anywhere after (archived members stay archived).
			for (const r of [...ac, ...mc]) {
				if (blocked.has(emailKey(r.email)) && r.email.includes('@example.com') && !first.some((d) => d.key === emailKey(r.email) && d.kind === 'duplicate')) {
					expect(['unsubscribed', 'bounced', 'archived']).toContain(r.status);
				}
			}
		});
	}
});

describe('archived (Mailchimp)', () => {
	test('left alone: never created elsewhere, never unarchived, never written', () => {
		for (const direction of DIRECTIONS) {
			const onlyMc = only([], [rec('a@example.com', 'archived')], { direction });
			expect(onlyMc).toMatchObject({ kind: 'onlyInMailchimp', writes: [] });
			expect(onlyMc.reason).toMatch(/Archived in Mailchimp/);
			for (const acStatus of ['subscribed', 'unsubscribed'] as Status[]) {
				const both = only([rec('a@example.com', acStatus, ['Ann', '', ''])], [rec('a@example.com', 'archived', ['Bo', '', ''])], { direction });
				expect(both).toMatchObject({ kind: 'statusDiffers', writes: [] });
			}
		}
	});
});

describe('event loop', () => {
	test('diffIndexes yields a progress tick every TICK_EVERY records, also where nobody differs', () => {
		const same = Array.from({ length: 3 * TICK_EVERY }, (_, i) => rec(`same${i}@example.com`, 'subscribed', ['A', '', '']));
		const ac = new SideIndex(isEmailText).addAll(same);
		const mc = new SideIndex(isEmailText).addAll(same.map((r) => ({ ...r })));
		const out = [...diffIndexes(ac, mc, options())];
		expect(out.filter((d) => d === undefined).length).toBeGreaterThanOrEqual(3);
		expect(out.filter((d) => d !== undefined)).toEqual([]);
	});
});

describe('reads that overlap a change', () => {
	test('the same record read twice (its status changed between two reads) is one record, the less subscribed reading', () => {
		const index = new SideIndex(isEmailText);
		index.add({ ...rec('moving@example.com', 'subscribed'), id: '42' });
		index.add({ ...rec('moving@example.com', 'unsubscribed'), id: '42' });
		index.add({ ...rec('moving@example.com', 'pending'), id: '42' });
		expect(index.repeated.size).toBe(0);
		expect(index.first.get('moving@example.com')!.status).toBe('unsubscribed');
		const out = [...diffIndexes(index, new SideIndex(isEmailText).addAll([rec('moving@example.com', 'subscribed')]), options())].filter(Boolean);
		expect(out).toMatchObject([{ kind: 'statusDiffers', writes: [{ side: 'mailchimp', action: 'unsubscribe' }] }]);
	});

	test('a duplicate address whose records are read twice: each record once, its less subscribed reading, and the opt-out carried', () => {
		// Two ActiveCampaign contacts share an address; ActiveCampaign lists them once per list
		// status, so one that unsubscribes during the read is listed as active, then as unsubscribed.
		for (const moving of ['7', '8']) {
			// As the node reads: both sides' indexes share one store.
			const index = pairedIndexes(isEmailText);
			index.activeCampaign.add({ ...rec('twice@example.com', 'subscribed'), id: '7' });
			index.activeCampaign.add({ ...rec('twice@example.com', 'subscribed'), id: '8' });
			index.activeCampaign.add({ ...rec('twice@example.com', 'unsubscribed'), id: moving });
			index.mailchimp.add(rec('twice@example.com', 'subscribed'));
			const out = [...diffIndexes(index.activeCampaign, index.mailchimp, options())].filter(Boolean);
			expect(out).toHaveLength(1);
			const d = out[0]!;
			expect(d.kind).toBe('duplicate');
			// Two records, not three; the one that unsubscribed as it now is.
			expect(d.duplicates!.records.map((r) => [r.id, r.status])).toEqual([
				['7', moving === '7' ? 'unsubscribed' : 'subscribed'],
				['8', moving === '8' ? 'unsubscribed' : 'subscribed'],
			]);
			// The opt-out is carried: Mailchimp's member and the contact still on the list are unsubscribed.
			expect(d.writes).toEqual([
				{ side: 'mailchimp', action: 'unsubscribe', status: 'unsubscribed', fields: [] },
				{ side: 'activeCampaign', action: 'unsubscribe', status: 'unsubscribed', fields: [], ids: [moving === '7' ? '8' : '7'] },
			]);
		}
	});
});

describe('compact index: records come back as they were read', () => {
	const odd = (email: string, over: Partial<SyncRecord>): SyncRecord => ({ ...rec(email), ...over });

	test('values holding the separators of the store, times that are not whole numbers, no fields, one empty field, an address in its own case', () => {
		const records = [
			odd('sep@example.com', { fields: ['a\u0001b', 'c\u0002', '\u0003'] }),
			odd('id@example.com', { id: 'x\u0001y' }),
			odd('frac@example.com', { changedAt: 1.5 }),
			odd('never@example.com', { changedAt: Number.NaN }),
			odd('old@example.com', { changedAt: -86_400_000 }),
			odd('none@example.com', { fields: [] }),
			odd('empty@example.com', { fields: [''] }),
			odd(' Mixed.Case@Example.COM ', {}),
		];
		const out = run(records, [], { direction: 'mailchimpToActiveCampaign' });
		expect(out.map((d) => d.activeCampaign)).toEqual(records);
		const back = run([], records, { direction: 'activeCampaignToMailchimp' });
		expect(back.map((d) => d.mailchimp)).toEqual(records);
	});

	test('both sides alike are passed over; a later, more cautious reading of one side still differs from the other', () => {
		for (const side of ['activeCampaign', 'mailchimp'] as const) {
			const { activeCampaign: ac, mailchimp: mc } = pairedIndexes(isEmailText);
			// `second`'s values are kept once, as the same as `first`'s.
			const [first, second] = side === 'activeCampaign' ? [mc, ac] : [ac, mc];
			first.add({ ...rec('moving@example.com', 'subscribed', ['Ann', 'Lee', '']), id: '7' });
			second.add({ ...rec('moving@example.com', 'subscribed', ['Ann', 'Lee', '']), id: '8' });
			expect([...diffIndexes(ac, mc, options())].filter(Boolean)).toEqual([]);
			// The record whose values were kept once is read again, unsubscribed and renamed.
			first.add({ ...rec('moving@example.com', 'unsubscribed', ['Bob', 'Lee', '']), id: '7' });
			const out = [...diffIndexes(ac, mc, options())].filter(Boolean) as Difference[];
			expect(out).toHaveLength(1);
			expect(out[0][first.side]).toMatchObject({ status: 'unsubscribed', fields: ['Bob', 'Lee', ''] });
			expect(out[0][side]).toMatchObject({ status: 'subscribed', fields: ['Ann', 'Lee', ''] });
			expect(out[0]).toMatchObject({ kind: 'statusDiffers', fieldsDiffer: [0] });
		}
	});
});

describe('the store off the heap: many people, hash collisions, chunks, odd records, Unicode', () => {
	const STATUSES: Status[] = ['subscribed', 'subscribed', 'subscribed', 'pending', 'unsubscribed', 'bounced', 'transactional', 'archived'];
	/** How far from subscribed (the reading kept of a record read twice). */
	const CAUTION: Status[] = ['subscribed', 'transactional', 'pending', 'archived', 'unsubscribed', 'bounced'];
	// Values the store must give back as they were: empty, accents, a family emoji (surrogate pairs
	// and joiners), a lone surrogate, a separator of the store's own, a text longer than a small chunk.
	const VALUES = ['', '', 'Ann', 'Zoë', 'Łukasz', '山田', '👩‍👩‍👧', 'x\ud800y', 'a\u0001b', 'c\u0003', 'long '.repeat(40)];
	const LOCALS = ['ann', 'zoë', 'ÅSA', '山田', '😀', 'lone\udc00'];
	const DOMAINS = ['example.com', 'exämple.org', '例え.jp'];

	/** A population with nobody twice on ActiveCampaign (duplicates are tested above), some Mailchimp members read twice. */
	function population(size: number, seed: number) {
		const random = seeded(seed);
		const pick = <T>(from: T[]) => from[Math.floor(random() * from.length)];
		const ac: SyncRecord[] = [];
		const mc: SyncRecord[] = [];
		for (let i = 0; i < size; i++) {
			const email = `${pick(LOCALS)}.${i}@${pick(DOMAINS)}`;
			const record = (mailchimp: boolean): SyncRecord => ({
				// Mailchimp spells some addresses in capitals: the same address.
				email: mailchimp && random() < 0.3 ? email.toUpperCase() : email,
				status: pick(STATUSES),
				fields: [pick(VALUES), pick(VALUES), pick(VALUES)],
				changedAt: random() < 0.05 ? Number.NaN : random() < 0.05 ? 1.5 : Math.floor(random() * 2e12),
				id: mailchimp ? '' : String(1000 + i),
			});
			const where = random();
			const a = where < 0.85 ? record(false) : undefined;
			const m = where > 0.1 ? record(true) : undefined;
			// Most people agree: the same values and consent on both sides.
			if (a && m && random() < 0.7) {
				m.fields = [...a.fields];
				m.status = a.status === 'bounced' ? 'bounced' : a.status;
			}
			if (a) ac.push(a);
			if (m) {
				mc.push(m);
				// Read twice (pages that shifted): the more cautious reading counts.
				if (random() < 0.03) mc.push({ ...m, status: pick(STATUSES) });
			}
		}
		return { ac, mc };
	}

	/** The differences the policy finds person by person on plain maps, without the store. */
	function expected(ac: SyncRecord[], mc: SyncRecord[], o: DiffOptions): Difference[] {
		const acBy = new Map(ac.map((r) => [emailKey(r.email), r]));
		const mcBy = new Map<string, SyncRecord>();
		for (const r of mc) {
			const key = emailKey(r.email);
			const found = mcBy.get(key);
			if (!found || CAUTION.indexOf(r.status) > CAUTION.indexOf(found.status)) mcBy.set(key, r);
		}
		const out: Difference[] = [];
		for (const key of new Set([...acBy.keys(), ...mcBy.keys()])) {
			const d = diffPerson(key, acBy.get(key), mcBy.get(key), o);
			if (d) out.push(d);
		}
		return out;
	}

	const byKey = (a: Difference, b: Difference) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0);

	const SHAPES: Array<[string, number, Parameters<typeof pairedIndexes>[1]]> = [
		['the default store', 6000, undefined],
		['chunks of 64 bytes (records written across many chunks, long ones in chunks of their own)', 3000, { chunkBytes: 64 }],
		['every address hashed alike (one long probe chain)', 800, { hash: () => 12345 }],
		['addresses hashed by length (many collisions, table growth)', 3000, { hash: (_bytes, from, to) => to - from }],
	];

	test.each(SHAPES)('%s: the differences are those of the policy person by person, records given back as they were read', (_label, size, storeOptions) => {
		for (const [seed, direction] of [
			[1, 'both'],
			[2, 'activeCampaignToMailchimp'],
		] as const) {
			const { ac, mc } = population(size, seed);
			const o = options({ direction });
			const { activeCampaign, mailchimp } = pairedIndexes(isEmailText, storeOptions);
			// Pages arrive from both sides at once.
			for (let i = 0; i < Math.max(ac.length, mc.length); i += 100) {
				activeCampaign.addAll(ac.slice(i, i + 100));
				mailchimp.addAll(mc.slice(i, i + 100));
			}
			const found = [...diffIndexes(activeCampaign, mailchimp, o)].filter((d): d is Difference => d !== undefined);
			const want = expected(ac, mc, o);
			expect(want.length).toBeGreaterThan(size / 4);
			expect(found.sort(byKey)).toEqual(want.sort(byKey));
			// Everyone is found again by address (the key: trimmed, lower-cased).
			for (const r of ac) expect(activeCampaign.first.get(emailKey(r.email))).toEqual(r);
			for (const r of mc) expect(mailchimp.first.has(emailKey(r.email))).toBe(true);
			expect(mailchimp.first.get(`nobody.${size}@example.com`)).toBeUndefined();
		}
	});
});
