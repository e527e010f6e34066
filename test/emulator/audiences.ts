import { seeded } from './random';
import type { Emulator } from './server';

/**
 * Two audiences that mostly agree, for the Audience Sync node's tests, benchmark and soak: an
 * ActiveCampaign list and a Mailchimp audience holding the same people, with a known, seeded set
 * of differences. Deterministic for a given seed. Written straight into the emulator's state
 * (no requests), one person at a time, so 1,000,000 members take seconds and no intermediate copy.
 *
 * People who agree: the same address (some in another case on the Mailchimp side, which is the same
 * address for both providers), the same first name, last name and phone, and the same consent:
 * active ↔ `subscribed`, unsubscribed (2) ↔ `unsubscribed`, bounced (3) ↔ `cleaned`.
 */
export interface AudienceSeedOptions {
	/** ActiveCampaign contacts on the list. */
	contacts: number;
	/** Mailchimp members in the audience. */
	members: number;
	/** Share of the larger side that differs (default 0.01). */
	differences?: number;
	seed?: number;
	listName?: string;
	audienceId?: string;
	/** Email domain of every address (default example.com). */
	domain?: string;
}

/** How many people differ, by kind, as the node must report them. */
export interface AudienceDifferences {
	onlyInActiveCampaign: number;
	onlyInMailchimp: number;
	fieldsDiffer: number;
	statusDiffers: number;
}

export interface SeededAudiences {
	listId: string;
	listName: string;
	audienceId: string;
	expected: AudienceDifferences & { total: number };
	/** Addresses of a few people of each kind (the first 5), for spot checks. */
	samples: Record<keyof AudienceDifferences | 'same', string[]>;
}

const FIRST = ['Ada', 'Grace', 'Alan', 'Edsger', 'Barbara', 'Donald', 'Frances', 'Ken', 'Margaret', 'Linus', 'Radia', 'Tim'];
const LAST = ['Lovelace', 'Hopper', 'Turing', 'Dijkstra', 'Liskov', 'Knuth', 'Allen', 'Thompson', 'Hamilton', 'Torvalds', 'Perlman', 'Berners-Lee'];

type Kind = keyof AudienceDifferences | 'same';

export function seedAudiences(emulator: Emulator, options: AudienceSeedOptions): SeededAudiences {
	const { ac, mc } = emulator;
	const { contacts, members, differences = 0.01, seed = 19, listName = 'Audience Sync', audienceId = 'audsync0001', domain = 'example.com' } = options;
	// The project's seeded generator (mulberry32), shared with the trigger churn and fuzz tests.
	const rand = seeded(seed);
	const list = ac.addList(listName);
	if (!mc.lists.has(audienceId)) mc.addList(audienceId, 'Audience Sync');

	const d = Math.round(Math.max(contacts, members) * differences);
	const onlyAc = Math.min(Math.floor(d / 4), contacts);
	const onlyMc = Math.min(Math.floor(d / 4), members);
	const shared = Math.min(contacts - onlyAc, members - onlyMc);
	const fieldsDiffer = Math.min(Math.floor(d / 4), Math.floor(shared / 2));
	const statusDiffers = Math.min(d - onlyAc - onlyMc - fieldsDiffer, shared - fieldsDiffer);
	// Whatever one side holds beyond the people both share is only on that side.
	const expected = {
		onlyInActiveCampaign: contacts - shared,
		onlyInMailchimp: members - shared,
		fieldsDiffer,
		statusDiffers,
		total: 0,
	};
	expected.total = expected.onlyInActiveCampaign + expected.onlyInMailchimp + fieldsDiffer + statusDiffers;
	const samples: SeededAudiences['samples'] = { same: [], onlyInActiveCampaign: [], onlyInMailchimp: [], fieldsDiffer: [], statusDiffers: [] };

	// The shared people's kinds, spread over the range by a seeded shuffle of positions.
	const kinds = new Uint8Array(shared); // 0 same, 1 fieldsDiffer, 2 statusDiffers
	let placed = 0;
	while (placed < fieldsDiffer + statusDiffers) {
		const at = Math.floor(rand() * shared);
		if (kinds[at]) continue;
		kinds[at] = placed < fieldsDiffer ? 1 : 2;
		placed++;
	}
	const note = (kind: Kind, email: string) => {
		if (samples[kind].length < 5) samples[kind].push(email);
	};

	let n = 0;
	const person = () => {
		const i = n++;
		const first = FIRST[i % FIRST.length];
		const last = LAST[(i * 7) % LAST.length];
		return { email: `person${i}.${first}@${domain}`.toLowerCase(), first, last, phone: `+1555${String(1_000_000 + (i % 1_000_000)).slice(1)}` };
	};
	const addAc = (p: ReturnType<typeof person>, status: string, firstName = p.first) => {
		const contact = ac.addContact({ email: p.email, firstName, lastName: p.last, phone: p.phone });
		ac.subscribe(contact.id, list.id, status);
		return contact;
	};
	const addMc = (p: ReturnType<typeof person>, status: string, email = p.email, first = p.first) =>
		mc.addMember(audienceId, email, status, { FNAME: first, LNAME: p.last, PHONE: p.phone });

	for (let i = 0; i < shared; i++) {
		const p = person();
		const kind = kinds[i];
		if (kind === 0) {
			// Agreeing consent: mostly active, some unsubscribed or bounced on both sides.
			const r = rand();
			const [acStatus, mcStatus] = r < 0.05 ? ['2', 'unsubscribed'] : r < 0.06 ? ['3', 'cleaned'] : ['1', 'subscribed'];
			addAc(p, acStatus);
			// One in twenty Mailchimp addresses is written in another case: still the same person.
			addMc(p, mcStatus, i % 20 === 7 ? p.email.toUpperCase() : p.email);
			note('same', p.email);
		} else if (kind === 1) {
			// Both subscribed, the first name differs; the change is newer on one side or the other.
			if (i % 2) {
				addMc(p, 'subscribed', p.email, `${p.first}-mc`);
				addAc(p, '1', `${p.first}-ac`);
			} else {
				addAc(p, '1', `${p.first}-ac`);
				addMc(p, 'subscribed', p.email, `${p.first}-mc`);
			}
			note('fieldsDiffer', p.email);
		} else {
			// Unsubscribed on one side, still subscribed on the other.
			if (i % 2) {
				addAc(p, '2');
				addMc(p, 'subscribed');
			} else {
				addAc(p, '1');
				addMc(p, 'unsubscribed');
			}
			note('statusDiffers', p.email);
		}
	}
	for (let i = shared; i < contacts; i++) {
		const p = person();
		addAc(p, '1');
		note('onlyInActiveCampaign', p.email);
	}
	for (let i = shared; i < members; i++) {
		const p = person();
		addMc(p, 'subscribed');
		note('onlyInMailchimp', p.email);
	}
	return { listId: list.id, listName, audienceId, expected, samples };
}
