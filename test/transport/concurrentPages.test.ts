/* eslint-disable @n8n/community-nodes/no-restricted-globals, @n8n/community-nodes/no-restricted-imports -- test code, never shipped: Node globals and modules (a collection on demand) are fine here */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

import { activeCampaignPages } from '../../nodes/ActiveCampaignSync/transport';
import { type Emulator, startEmulator } from '../emulator/server';
import { acClient, collect, thrown } from './helpers';

// Pages fetched concurrently: when one fails while an earlier one is still pending, the read fails
// with that error at once, and no promise is left rejected without a handler (Node would report an
// unhandled rejection, which n8n logs and which can take the process down).
let emulator: Emulator;
const unhandled: unknown[] = [];
const record = (reason: unknown) => unhandled.push(reason);
beforeAll(async () => {
	emulator = await startEmulator({ acRatePerSecond: 10_000 });
	for (let i = 0; i < 1000; i++) emulator.ac.addContact({ email: `page${i}@example.com` });
	process.on('unhandledRejection', record);
});
afterAll(async () => {
	process.off('unhandledRejection', record);
	await emulator.stop();
});

test('a later page failing while an earlier one is pending fails the read at once, with no unhandled rejection', async () => {
	// The page at offset 100 hangs (until its timeout); the page at offset 300 is refused at once.
	emulator.faults.push({ kind: 'hang', path: /\/contacts$/, query: /(^|&)offset=100(&|$)/ });
	emulator.faults.push({ kind: 'import-refuses', path: /\/contacts$/, query: /(^|&)offset=300(&|$)/ });
	const client = await acClient(emulator, { requestsPerSecond: 10_000, timeoutMs: 3000, maxAttempts: 1 });
	const started = Date.now();
	const error = await thrown(() => collect(activeCampaignPages(client, '/contacts', 'contacts', {}, { stableOrder: true })));
	expect(error.message).toMatch(/^ActiveCampaign rejected GET \/contacts/);
	// The refusal is reported without waiting for the hung page to time out.
	expect(Date.now() - started).toBeLessThan(2500);
	// Let the hung page time out and settle: its failure must be handled too.
	await new Promise((r) => setTimeout(r, 3500));
	expect(unhandled).toEqual([]);
});

test('pages already handed on are not kept while the read goes on (a read of 1,000,000 records holds its pages in flight, not all it has read)', async () => {
	// A full collection on demand, as `node --expose-gc` gives it.
	setFlagsFromString('--expose-gc');
	const gc = runInNewContext('gc') as () => void;
	const client = await acClient(emulator, { requestsPerSecond: 10_000 });
	const handedOn: Array<WeakRef<object>> = [];
	let kept = -1;
	for await (const page of activeCampaignPages(client, '/contacts', 'contacts', {}, { stableOrder: true })) {
		handedOn.push(new WeakRef(page));
		await new Promise((r) => setImmediate(r));
		if (handedOn.length < 8) continue;
		// The read is still open: pages 2 to 7 (read concurrently, after the first, read alone) have
		// been handed on and are nobody's any more.
		gc();
		kept = handedOn.slice(1, 7).filter((ref) => ref.deref() !== undefined).length;
		break;
	}
	expect(kept).toBe(0);
});

test('unordered (a whole read into an index): each page is handed on once, as it arrives, and one held up by a retry does not hold back the others', async () => {
	emulator.faults.push({ kind: 429, path: /\/contacts$/, query: /(^|&)offset=100(&|$)/, retryAfter: '2' });
	const client = await acClient(emulator, { requestsPerSecond: 10_000 });
	const firsts: string[] = [];
	const ids = new Set<string>();
	for await (const page of activeCampaignPages<{ id: string; email: string }>(client, '/contacts', 'contacts', {}, { stableOrder: true, ordered: false })) {
		firsts.push(page[0].email);
		for (const contact of page) ids.add(contact.id);
	}
	expect(ids.size).toBe(1000);
	expect(firsts).toHaveLength(10);
	expect(firsts[0]).toBe('page0@example.com');
	expect(firsts.at(-1)).toBe('page100@example.com');
});
