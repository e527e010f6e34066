/* eslint-disable @n8n/community-nodes/no-restricted-globals -- test code, never shipped: the seed and case count come from the environment */
import type { IDataObject, INodeExecutionData, INodeTypeDescription } from 'n8n-workflow';

import { AC_TEST_KEY, type Emulator, MC_TEST_KEY, startEmulator } from '../emulator/server';
import { runNode } from '../nodes/workflow';
import { ALL_OPS, AUDIENCE, certainlyInvalid, fromAi, fromJson, type Item, OTHER_AUDIENCE, type OpSpec, subscriberHash } from './catalogue';
import { describe as show, hash32, prng, Rng } from './values';

/**
 * Seeded fuzzing of every operation of both nodes through n8n's real engine against the emulator.
 * For each case (a few items of generated values, or one AI-agent tool call with missing and
 * extra arguments), with Continue On Fail on, it must hold that:
 * - the run does not fail, and no error is a TypeError or similar crash;
 * - each input item yields exactly one output or error item (Get Many: outputs or one error);
 * - a certainly invalid item yields an error item, and sends no request (none at all when every
 *   item of the case is invalid; otherwise no request carries its email or its hash);
 * - every request the emulator records is on the operation's own routes, for an audience and a
 *   member hash that the case's items gave;
 * - the API key never appears (checked by runNode on every run).
 *
 * FUZZ_CASES cases in all (300 in `npm test` by fuzz.test.ts, 3000 in `npm run test:soak` by
 * fuzz.soak.test.ts), spread over the operations; FUZZ_SEED (default 14) picks
 * them. A failure prints the seed and the case; FUZZ_SEED=s FUZZ_CASE="<op> <n>" replays one.
 */

const SEED = Number(process.env.FUZZ_SEED ?? 14);
const ONLY = process.env.FUZZ_CASE;

let emulator: Emulator;

/** Defines the suite in the calling test file: `cases` in all unless FUZZ_CASES says otherwise. */
export function fuzzSuite(cases: number): void {
	const TOTAL = Number(process.env.FUZZ_CASES ?? cases);

	beforeAll(async () => {
		emulator = await startEmulator({
			acRatePerSecond: 1_000_000,
			mcMaxInFlight: 1000,
		});
		const { ac, mc } = emulator;
		ac.addList('Newsletter');
		ac.addList('Customers');
		ac.addTag('vip');
		ac.addTag('lead');
		ac.addField('Company');
		ac.addContact({ email: 'fuzz.known@example.com' });
		for (let i = 0; i < 4; i++) ac.addContact({ email: `fuzz.seed${i}@example.com` });
		for (const id of [AUDIENCE, OTHER_AUDIENCE]) {
			mc.addList(id, `Audience ${id}`);
			mc.addMergeField(id, 'COMPANY', 'Company');
			mc.addMember(id, 'fuzz.known@example.com');
		}
	});
	afterAll(() => emulator.stop());

	interface Case {
		op: OpSpec;
		name: string;
		index: number;
		tool: boolean;
		items: Item[];
	}

	const opName = (op: OpSpec) => `${op.node}.${op.resource}.${op.operation}`;

	function makeCase(op: OpSpec, index: number): Case {
		const rng = new Rng(prng(hash32(`${SEED}:${opName(op)}:${index}`)));
		// About one case in five is an AI agent's tool call: one item, arguments missing or extra.
		const tool = rng.chance(0.2);
		const count = tool ? 1 : 1 + rng.int(rng.chance(0.1) ? (op.maxItems ?? 4) : 4);
		const items: Item[] = [];
		for (let j = 0; j < count; j++) {
			const item = op.item(rng, `${index}i${j}`);
			if (tool) {
				for (const key of Object.keys(item)) if (!key.endsWith('Mode') && rng.chance(0.25)) delete item[key];
				if (rng.chance(0.5)) item[rng.pick(['extra', 'constructor', 'query', 'toolCallId'])] = rng.pick<unknown>(['surprise', { deep: 1 }, 7]);
			}
			items.push(item);
		}
		// Locator modes are node parameters, shared by all items of a run.
		for (const key of Object.keys(items[0]).filter((k) => k.endsWith('Mode'))) for (const item of items) item[key] = items[0][key];
		return { op, name: opName(op), index, tool, items };
	}

	function fail(c: Case, why: string, extra?: unknown): never {
		throw new Error(
			`${why}\n  replay: FUZZ_SEED=${SEED} FUZZ_CASE="${c.name} ${c.index}" npx jest test/fuzz\n  case: ${show({ tool: c.tool, items: c.items })}` +
				(extra === undefined ? '' : `\n  seen: ${show(extra)}`),
		);
	}

	const CRASH = /TypeError|ReferenceError|is not a function|Cannot read propert|Cannot convert|undefined is not|\[object Object\]|Maximum call stack/;

	async function runCase(c: Case): Promise<void> {
		const { op, items } = c;
		emulator.resetCounts();
		const read = c.tool ? fromAi : fromJson;
		const parameters: Item = {
			resource: op.resource,
			operation: op.operation,
			...op.params(read, items[0]),
		};
		if (op.node === 'activeCampaign') parameters.limits = { requestsPerSecond: 1_000_000 };
		const run = await runNode(emulator, op.node, parameters as never, items as IDataObject[], { continueOnFail: true });

		if (run.error)
			fail(c, `the run failed: ${run.error.message}`, {
				name: run.error.name,
				description: run.error.description,
			});
		const outputs: INodeExecutionData[] = run.items;
		const itemOf = (o: INodeExecutionData) => {
			const paired = o.pairedItem;
			return typeof paired === 'number' ? paired : Array.isArray(paired) ? paired[0]?.item : paired?.item;
		};
		for (const o of outputs) {
			const error = o.json.error;
			if (error !== undefined && (typeof error !== 'string' || CRASH.test(error))) fail(c, `an error item looks like a crash: ${String(error)}`, o.json);
			const at = itemOf(o);
			if (typeof at !== 'number' || at < 0 || at >= items.length) fail(c, 'an output item has no pairedItem for an input item', o.json);
		}

		const byItem = items.map((_, j) => outputs.filter((o) => itemOf(o) === j));
		byItem.forEach((list, j) => {
			const errors = list.filter((o) => o.json.error !== undefined);
			if (op.many) {
				if (errors.length > 1 || (errors.length === 1 && list.length > 1)) fail(c, `item ${j} yielded ${list.length} outputs with ${errors.length} errors`);
			} else if (list.length !== 1) {
				fail(
					c,
					`item ${j} yielded ${list.length} output items, not one`,
					list.map((o) => o.json),
				);
			}
		});
		if (!op.many && outputs.some((o, j) => itemOf(o) !== j)) fail(c, 'outputs are not in input order');

		const invalid = items.map((item) => certainlyInvalid(op, item));
		invalid.forEach((bad, j) => {
			if (bad && !byItem[j].some((o) => typeof o.json.error === 'string' || o.json.status === 'failed')) {
				fail(
					c,
					`item ${j} is invalid but did not yield an error item`,
					byItem[j].map((o) => o.json),
				);
			}
		});

		const log = emulator.log.map((l) => ({
			method: l.method,
			path: l.path,
			rawUrl: l.rawUrl,
			body: l.body,
		}));
		if (invalid.every(Boolean) && log.length) fail(c, 'every item is invalid, yet requests were sent', log);
		const audiences = new Set(items.map((i) => (typeof i.audience === 'string' || typeof i.audience === 'number' ? String(i.audience).trim() : '')));
		const hashes = new Set(items.flatMap((i) => [i.email, i.newEmail].filter((e): e is string => typeof e === 'string').map(subscriberHash)));
		hashes.add(subscriberHash('fuzz.known@example.com'));
		for (const request of log) {
			const line = `${request.method} ${request.path}`;
			if (!op.routes.some((r) => r.test(line))) fail(c, `a request went outside the operation's routes: ${line}`, log);
			if (request.path !== request.rawUrl.split('?')[0]) fail(c, `a request path was rewritten on the way: ${request.rawUrl} reached ${request.path}`);
			const mc = /^\/3\.0\/lists\/([^/]+)(?:\/members\/([^/]+))?/.exec(request.path);
			if (mc && !audiences.has(decodeURIComponent(mc[1]))) fail(c, `a request went to audience ${mc[1]}, which no item named`, log);
			if (mc?.[2] && !hashes.has(mc[2])) fail(c, `a member was addressed by ${mc[2]}, not by the hash of an item's email`, log);
		}
		// Generated emails carry a token unique to their item (`<case>i<item>`): an invalid item's token
		// or member hash must not appear in any request.
		items.forEach((item, j) => {
			const token = `${c.index}i${j}`;
			if (!invalid[j] || typeof item.email !== 'string' || !item.email.toLowerCase().includes(token)) return;
			const hash = subscriberHash(item.email);
			const carried = log.find((r) => `${r.rawUrl} ${JSON.stringify(r.body ?? '')}`.toLowerCase().match(new RegExp(`(^|[^0-9])${token}([^0-9]|$)|${hash}`)));
			if (carried) fail(c, `invalid item ${j} was sent anyway`, carried);
		});
	}

	const perOp = Math.max(1, Math.ceil(TOTAL / ALL_OPS.length));

	describe('fuzz: every operation of both nodes, through n8n, against the emulator', () => {
		for (const op of ALL_OPS) {
			const name = opName(op);
			if (ONLY && !ONLY.startsWith(`${name} `)) continue;
			test(`${name} (${ONLY ? 1 : perOp} cases, seed ${SEED})`, async () => {
				const indexes = ONLY ? [Number(ONLY.split(' ')[1])] : Array.from({ length: perOp }, (_, k) => k);
				for (const index of indexes) await runCase(makeCase(op, index));
			});
		}
	});

	test('the fuzz suite covers every operation of both nodes', async () => {
		const { loadPackage } = await import('../harness/n8n');
		const loader = await loadPackage();
		const missing: string[] = [];
		for (const [node, type] of [
			['activeCampaign', 'activeCampaignSync'],
			['mailchimp', 'mailchimpSync'],
		] as const) {
			const properties = (loader.nodeTypes[type].type.description as INodeTypeDescription).properties;
			for (const p of properties.filter((x) => x.name === 'operation')) {
				const resource = p.displayOptions?.show?.resource?.[0] as string;
				for (const o of (p.options ?? []) as Array<{ value: string }>) {
					if (!ALL_OPS.some((op) => op.node === node && op.resource === resource && op.operation === o.value)) missing.push(`${node}.${resource}.${o.value}`);
				}
			}
		}
		expect(missing).toEqual([]);
		expect([AC_TEST_KEY, MC_TEST_KEY].every(Boolean)).toBe(true);
	});
}
