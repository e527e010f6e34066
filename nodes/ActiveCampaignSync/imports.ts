import { sleep, type IDataObject } from 'n8n-workflow';

import type { ApiClient } from '../shared/transport';
import { AC_PAGE_SIZE, importPacer } from './transport';

/**
 * ActiveCampaign's bulk import (`import/bulk_import` + `import/info`), as API-NOTES.md describes
 * it: paced as ActiveCampaign counts imports, throttling waited out, and the import lifecycle read
 * defensively.
 */

/** How an import ended, per `import/info`: contact ids imported, emails refused. */
export interface ImportEnd {
	status: 'completed' | 'failed' | 'interrupted';
	success: string[];
	failure: string[];
}

/**
 * First wait after a "Rate limit exceeded" refusal; it doubles up to the cap. The budget frees as
 * the imports of the last minute age, at a time nobody tells; one import of the account asks at a
 * time, so a cap of 5 s costs at most 12 refusals a minute (4 % of the account's requests) and
 * leaves the budget unused for at most 5 s once it has room.
 */
const THROTTLE_FIRST_MS = 1000;
const THROTTLE_MAX_STEP_MS = 5000;
/** Longest total wait for the import budget before giving up on an import. */
const THROTTLE_MAX_TOTAL_MS = 10 * 60_000;
/** ActiveCampaign advises not to ask for an import's status right after submitting it. */
const FIRST_POLL_AFTER_MS = 1000;
const POLL_MAX_STEP_MS = 5000;

const body = (error: unknown): IDataObject => ((error as { errorResponse?: IDataObject }).errorResponse?.body ?? {}) as IDataObject;

/** The refusal of the 100-imports-a-minute limit: the import was refused whole; send it again later. */
export function isImportThrottled(error: unknown): boolean {
	const status = (error as { errorResponse?: IDataObject }).errorResponse?.status;
	const message = body(error).message;
	return status === 400 && typeof message === 'string' && /rate limit exceeded/i.test(message);
}

/** `failureReasons` of a refused import: position in the import → reason. */
export function refusedContacts(error: unknown): Map<number, string> {
	const reasons = new Map<number, string>();
	const list = body(error).failureReasons;
	for (const r of Array.isArray(list) ? (list as unknown[]) : []) {
		if (!r || typeof r !== 'object') continue;
		const { contact, failureReason } = r as IDataObject;
		if (Number.isInteger(Number(contact)) && contact !== null && contact !== '') reasons.set(Number(contact), String(failureReason ?? 'Refused by ActiveCampaign'));
	}
	return reasons;
}

/**
 * Per account (its API URL), while its import budget is found full: the imports waiting for their
 * turn to ask again. One import at a time asks (the others' refusals would each cost a request of
 * the account's 5 a second, and tell nothing more); it hands the turn on when it is accepted or
 * gives up. The entry goes when no import waits any more.
 */
const fullBudgets = new Map<string, { waiting: Array<() => void>; gaveUp: boolean }>();

/**
 * Submits one import and returns its batch id. Every import takes a slot of the account's
 * 100 a minute (a rolling window, as ActiveCampaign counts them: a quiet account sends at once).
 * A "Rate limit exceeded" refusal (the budget used by another integration too) is waited out and
 * the import sent again (after 1, 2, 4, then every 5 s), one import of the account at a time, for
 * up to 10 minutes.
 */
export async function submitImport(client: ApiClient, payload: IDataObject, count: number): Promise<string> {
	const pacer = importPacer(client);
	const account = client.api.baseUrl;
	/** Whether this import has the turn to ask while the budget is full. */
	let turn = false;
	let waited = 0;
	try {
		for (let step = THROTTLE_FIRST_MS; ; ) {
			const full = fullBudgets.get(account);
			if (full && !turn) {
				await new Promise<void>((resolve) => full.waiting.push(resolve));
				turn = true;
			}
			(await pacer.acquire())();
			try {
				const answer = await client.request<unknown>({ method: 'POST', path: '/import/bulk_import', body: payload, subject: `a bulk import of ${count} contacts` });
				const batchId = answer && typeof answer === 'object' ? (answer as IDataObject).batchId : undefined;
				if (typeof batchId !== 'string' && typeof batchId !== 'number') {
					throw client.inputError(`ActiveCampaign accepted a bulk import of ${count} contacts but gave no batch ID`, undefined, 'The contacts may still be imported: check them in ActiveCampaign before running again.');
				}
				if (turn) fullBudgets.get(account)!.gaveUp = false;
				return String(batchId);
			} catch (error) {
				if (!isImportThrottled(error)) throw client.nodeError(error);
				const budget = fullBudgets.get(account);
				if (!budget) {
					fullBudgets.set(account, { waiting: [], gaveUp: false });
					turn = true;
				} else if (!turn) {
					// Sent before the budget was found full: wait for the turn as the others do.
					continue;
				}
				const current = fullBudgets.get(account)!;
				// Past 10 minutes, or after another import of the account gave up: the budget is not coming back soon.
				if (current.gaveUp || waited + step > THROTTLE_MAX_TOTAL_MS) {
					current.gaveUp = true;
					throw client.nodeError(error);
				}
				await sleep(step);
				waited += step;
				step = Math.min(step * 2, THROTTLE_MAX_STEP_MS);
			}
		}
	} finally {
		if (turn) {
			// The next waiting import asks now (at once after an acceptance: the budget may have room).
			const budget = fullBudgets.get(account);
			const next = budget?.waiting.shift();
			if (next) next();
			else fullBudgets.delete(account);
		}
	}
}

/**
 * An `import/info` answer: how the import ended, or undefined while it has not. `status: false`
 * (not started yet), `waiting`, `claimed`, `active` and anything unreadable mean: ask again later.
 */
export function readImportInfo(answer: unknown): ImportEnd | undefined {
	if (!answer || typeof answer !== 'object' || Array.isArray(answer)) return undefined;
	const info = answer as IDataObject;
	const status = typeof info.status === 'string' ? info.status.trim().toLowerCase() : '';
	const end = status === 'completed' || status === 'complete' ? 'completed' : status === 'failed' || status === 'interrupted' ? status : undefined;
	if (!end) return undefined;
	const strings = (value: unknown) =>
		Array.isArray(value) ? value.filter((v) => typeof v === 'string' || typeof v === 'number').map(String) : [];
	return { status: end, success: strings(info.success), failure: strings(info.failure) };
}

/**
 * Reads the statuses of imports while more are still being sent, in one loop for the whole run:
 * the oldest unfinished import first (ActiveCampaign queues imports; a newer one is rarely done
 * before an older one), each first asked about no sooner than FIRST_POLL_AFTER_MS after it was
 * submitted, nor sooner than the shortest processing time seen in this run, then after growing
 * steps (up to POLL_MAX_STEP_MS). So an import that is done when its turn comes costs one request,
 * and N imports cost about N status reads, wherever the rate limit puts them between the
 * submissions. Past the deadline, every import not seen ending resolves undefined.
 */
export class ImportWatcher {
	private readonly queue: Array<{ batchId: string; at: number; done: (end: ImportEnd | undefined | Error) => void }> = [];
	private wake?: () => void;
	private closed = false;
	/** Shortest time from submission to a status read that saw the import ended (ms). */
	private shortest = 0;
	readonly finished: Promise<void>;

	constructor(
		private readonly client: ApiClient,
		private readonly deadline: number,
	) {
		this.finished = this.loop();
	}

	/** How the import ends (undefined past the deadline); rejects when its status cannot be read. */
	watch(batchId: string, submittedAt: number): Promise<ImportEnd | undefined> {
		return new Promise((resolve, reject) => {
			this.queue.push({ batchId, at: submittedAt, done: (end) => (end instanceof Error ? reject(end) : resolve(end)) });
			this.wake?.();
		});
	}

	/** No more imports will be watched: the loop ends once the queue is empty. */
	close(): void {
		this.closed = true;
		this.wake?.();
	}

	private async loop(): Promise<void> {
		while (!this.closed || this.queue.length) {
			const head = this.queue[0];
			if (!head) {
				await new Promise<void>((resolve) => (this.wake = resolve));
				this.wake = undefined;
				continue;
			}
			let next = head.at + Math.max(FIRST_POLL_AFTER_MS, this.shortest);
			for (let step = FIRST_POLL_AFTER_MS; ; step = Math.min(step * 2, POLL_MAX_STEP_MS)) {
				const wait = next - Date.now();
				if (wait > 0 && Date.now() + wait > this.deadline) {
					// Nothing more will be known in time: every import still waiting stays queued.
					for (const entry of this.queue.splice(0)) entry.done(undefined);
					break;
				}
				if (wait > 0) await sleep(wait);
				let end: ImportEnd | undefined;
				try {
					end = readImportInfo(await this.client.request<unknown>({ method: 'GET', path: '/import/info', query: { batchId: head.batchId }, subject: `import ${head.batchId}` }));
				} catch (error) {
					this.queue.shift();
					head.done(error as Error);
					break;
				}
				if (end) {
					const took = Date.now() - head.at;
					this.shortest = this.shortest ? Math.min(this.shortest, took) : took;
					this.queue.shift();
					head.done(end);
					break;
				}
				if (Date.now() >= this.deadline) {
					for (const entry of this.queue.splice(0)) entry.done(undefined);
					break;
				}
				next = Date.now() + step;
			}
		}
	}
}

/**
 * Contacts by id, 100 a request (`GET /contacts?ids[]=1&ids[]=2&...`, API-NOTES.md), narrowed by
 * any other filters of `query` (`listid`, `status`, `include`...). Each answer goes to `page`.
 */
export async function contactsByIds(client: ApiClient, ids: string[], query: Record<string, string | undefined>, page: (answer: IDataObject) => void): Promise<void> {
	for (let start = 0; start < ids.length; start += AC_PAGE_SIZE) {
		const chunk = ids.slice(start, start + AC_PAGE_SIZE);
		const answer = await client.request<unknown>({ method: 'GET', path: '/contacts', query: { ...query, 'ids[]': chunk, limit: AC_PAGE_SIZE }, subject: `${chunk.length} contacts by id` });
		page(answer && typeof answer === 'object' ? (answer as IDataObject) : {});
	}
}

/** The contacts of an answer of `GET /contacts`. */
export const contactsOf = (answer: IDataObject): IDataObject[] => (Array.isArray(answer.contacts) ? (answer.contacts as IDataObject[]).filter((c) => c && typeof c === 'object') : []);

/** The emails of contacts by id, lower-cased: what a partial import did import. */
export async function emailsOfContacts(client: ApiClient, ids: string[]): Promise<Set<string>> {
	const emails = new Set<string>();
	await contactsByIds(client, ids, {}, (answer) => {
		for (const c of contactsOf(answer)) if (typeof c.email === 'string') emails.add(c.email.toLowerCase());
	});
	return emails;
}
