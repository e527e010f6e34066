import type { Emulator } from './server';
import { subscriberHash } from './mailchimp';

const FIRST = ['Ada', 'Grace', 'Alan', 'Edsger', 'Barbara', 'Donald', 'Frances', 'Ken', 'Margaret', 'Linus', 'Radia', 'Tim'];
const LAST = ['Lovelace', 'Hopper', 'Turing', 'Dijkstra', 'Liskov', 'Knuth', 'Allen', 'Thompson', 'Hamilton', 'Torvalds', 'Perlman', 'Berners-Lee'];

export const SANDBOX_AUDIENCE_ID = 'sandbox0001';

/**
 * Realistic sandbox data: ActiveCampaign contacts on lists with tags and custom fields, and a
 * Mailchimp audience with members and merge fields. Deterministic, so a demo run is repeatable.
 */
export function seedSandbox(emulator: Emulator, contacts = 300): void {
	const { ac, mc } = emulator;
	const newsletter = ac.addList('Newsletter');
	const customers = ac.addList('Customers');
	const vip = ac.addTag('vip');
	const lead = ac.addTag('lead');
	ac.addTag('webinar-2026');
	const company = ac.addField('Company');
	const plan = ac.addField('Plan', 'dropdown');
	for (let i = 0; i < contacts; i++) {
		const first = FIRST[i % FIRST.length];
		const last = LAST[(i * 7) % LAST.length];
		const contact = ac.addContact({
			email: `${first}.${last}.${i}@example.com`.toLowerCase(),
			firstName: first,
			lastName: last,
			phone: `+1555${String(1000000 + i).slice(1)}`,
		});
		ac.subscribe(contact.id, newsletter.id, i % 10 === 9 ? '2' : '1');
		if (i % 3 === 0) ac.subscribe(contact.id, customers.id, '1');
		if (i % 5 === 0) ac.tagContact(contact.id, vip.id);
		if (i % 4 === 1) ac.tagContact(contact.id, lead.id);
		ac.setFieldValue(contact.id, company.id, `Company ${i % 25}`);
		ac.setFieldValue(contact.id, plan.id, ['Free', 'Pro', 'Enterprise'][i % 3]);
	}

	mc.addList(SANDBOX_AUDIENCE_ID, 'Sandbox Audience');
	mc.addMergeField(SANDBOX_AUDIENCE_ID, 'COMPANY', 'Company');
	for (let i = 0; i < 50; i++) {
		const first = FIRST[(i + 3) % FIRST.length];
		const last = LAST[(i * 5) % LAST.length];
		mc.addMember(SANDBOX_AUDIENCE_ID, `${first}.${last}.mc${i}@example.com`.toLowerCase(), i % 7 === 6 ? 'unsubscribed' : 'subscribed', {
			FNAME: first,
			LNAME: last,
		});
	}
}

/**
 * What the sample workflow (examples/activecampaign-to-mailchimp.json, Get Many of the contacts
 * active on Newsletter) must leave behind: every contact active on Newsletter is a member with its
 * names, and a contact not active on Newsletter (who unsubscribed from it, even if active on
 * another list) never becomes a subscribed member.
 */
export function sampleSyncProblems(emulator: Emulator): { expected: number; synced: number; problems: string[] } {
	const { ac, mc } = emulator;
	const members = mc.lists.get(SANDBOX_AUDIENCE_ID)!.members;
	const newsletter = [...ac.lists.values()].find((l) => l.name === 'Newsletter')?.id;
	const active = new Set([...ac.contactLists.values()].filter((row) => row.list === newsletter && row.status === '1').map((row) => row.contact));
	const problems: string[] = [];
	let expected = 0;
	let synced = 0;
	for (const c of ac.contacts.values()) {
		const member = members.get(subscriberHash(c.email));
		if (active.has(c.id)) {
			expected++;
			if (member && member.merge_fields.FNAME === c.firstName && member.merge_fields.LNAME === c.lastName) synced++;
			else problems.push(`${c.email} is active on Newsletter in ActiveCampaign but not a member with matching names`);
		} else if (member?.status === 'subscribed') {
			problems.push(`${c.email} is not active on Newsletter in ActiveCampaign (unsubscribed from it, or on no list) but became a subscribed member`);
		}
	}
	return { expected, synced, problems };
}
