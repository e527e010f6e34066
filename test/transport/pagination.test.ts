import { activeCampaignPages } from '../../nodes/ActiveCampaignSync/transport';
import { mailchimpPages } from '../../nodes/MailchimpSync/transport';
import { type Emulator, startEmulator } from '../emulator/server';
import { acClient, collect, mcClient } from './helpers';

// Pagination arithmetic, not pacing, is under test here: the emulator and client allow a fast pace.
let emulator: Emulator;
beforeAll(async () => {
	emulator = await startEmulator({ acRatePerSecond: 10_000 });
});
afterAll(() => emulator.stop());

const TOTALS = [0, 1, 99, 100, 101, 1000, 1001, 2500];

function seed(total: number) {
	emulator.ac.contacts.clear();
	for (let i = 0; i < total; i++) emulator.ac.addContact({ email: `c${i}@example.com` });
	const listId = `list${total}`;
	emulator.mc.addList(listId, `Audience of ${total}`);
	for (let i = 0; i < total; i++) emulator.mc.addMember(listId, `m${i}@example.com`);
	emulator.resetCounts();
	return listId;
}

describe('ActiveCampaign: limit/offset at 100 a page, stable order, meta.total as a string', () => {
	test.each(TOTALS)('%i contacts: every one exactly once, in id order, with the fewest requests', async (total) => {
		seed(total);
		const client = await acClient(emulator, { requestsPerSecond: 10_000 });
		const { items } = await collect(activeCampaignPages<{ id: string }>(client, '/contacts', 'contacts', {}, { stableOrder: true }));
		expect(items).toHaveLength(total);
		expect(new Set(items.map((c) => c.id)).size).toBe(total);
		const ids = items.map((c) => Number(c.id));
		expect(ids).toEqual([...ids].sort((a, b) => a - b));
		expect(emulator.count('GET /api/3/contacts')).toBe(Math.max(1, Math.ceil(total / 100)));
		expect(emulator.log.every((l) => l.path !== '/api/3/contacts' || l.status === 200)).toBe(true);
	});

	test('a limit stops early and never asks for more than it returns', async () => {
		seed(2500);
		const client = await acClient(emulator, { requestsPerSecond: 10_000 });
		const { items } = await collect(activeCampaignPages(client, '/contacts', 'contacts', {}, { limit: 150, stableOrder: true }));
		expect(items).toHaveLength(150);
		expect(emulator.count('GET /api/3/contacts')).toBe(2);
		const asked = emulator.log.map((l) => l.path);
		expect(asked).toHaveLength(2);
	});

	test('a limit of 10 is one request for 10', async () => {
		seed(500);
		const client = await acClient(emulator, { requestsPerSecond: 10_000 });
		const { items } = await collect(activeCampaignPages(client, '/contacts', 'contacts', {}, { limit: 10 }));
		expect(items).toHaveLength(10);
		expect(emulator.count('GET /api/3/contacts')).toBe(1);
	});
});

describe('Mailchimp: count/offset at 1000 a page, total_items, remaining pages concurrently', () => {
	test.each(TOTALS)('%i members: every one exactly once, with the fewest requests', async (total) => {
		const listId = seed(total);
		const client = await mcClient(emulator);
		const { items } = await collect(mailchimpPages<{ id: string }>(client, `/lists/${listId}/members`, 'members'));
		expect(items).toHaveLength(total);
		expect(new Set(items.map((m) => m.id)).size).toBe(total);
		expect(emulator.count('GET /3.0/lists/:listId/members')).toBe(Math.max(1, Math.ceil(total / 1000)));
	});

	test('pages after the first go out together, in order', async () => {
		const listId = seed(5000);
		const slow = await startEmulator({ latencyMs: 100 });
		try {
			slow.mc.addList(listId, 'slow');
			for (let i = 0; i < 5000; i++) slow.mc.addMember(listId, `m${i}@example.com`);
			const client = await mcClient(slow);
			const { items } = await collect(mailchimpPages<{ email_address: string }>(client, `/lists/${listId}/members`, 'members'));
			expect(items.map((m) => m.email_address)).toEqual(Array.from({ length: 5000 }, (_, i) => `m${i}@example.com`));
			expect(slow.maxMcInFlight).toBe(4);
			expect(slow.count('GET /3.0/lists/:listId/members')).toBe(5);
		} finally {
			await slow.stop();
		}
	});

	test('a limit of 10 is one request with count=10', async () => {
		const listId = seed(2500);
		const client = await mcClient(emulator);
		const { items } = await collect(mailchimpPages(client, `/lists/${listId}/members`, 'members', {}, { limit: 10 }));
		expect(items).toHaveLength(10);
		expect(emulator.count('GET /3.0/lists/:listId/members')).toBe(1);
	});
});
