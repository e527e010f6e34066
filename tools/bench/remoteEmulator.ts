/* eslint-disable @n8n/community-nodes/no-dangerous-functions, @n8n/community-nodes/no-restricted-imports -- a developer tool, never shipped: a child process (the emulator), Node modules are fine here */
import { type ChildProcess, fork } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';

import type { AudienceSeedOptions, SeededAudiences } from '../../test/emulator/audiences';
import type { EmulatorOptions } from '../../test/emulator/server';
import { PACKAGE_DIR } from '../../test/harness/n8n';
import type { HostRequest, HostStats, Timeline } from './emulatorHost';

/** The compiled host (npm run tools builds it; npm run bench and npm run test:soak run tools first). */
export const HOST_SCRIPT = path.join(PACKAGE_DIR, '.build', 'tools', 'bench', 'emulatorHost.js');

type Distribute<T> = T extends unknown ? Omit<T, 'id'> : never;

/**
 * An emulator running in a child process (tools/bench/emulatorHost.ts), seeded there: the
 * benchmark's own process then holds only n8n, the node and its compact records. Has the two
 * addresses runNode and the credentials need (`url`, `mcBaseUrl`).
 */
export class RemoteEmulator {
	url = '';
	mcBaseUrl = '';
	seeded?: SeededAudiences;
	seedSeconds = 0;
	private nextId = 1;
	private readonly waiting = new Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void }>();

	private constructor(private readonly child: ChildProcess) {
		child.on('message', (message: { id: number; result?: unknown; error?: string }) => {
			const pending = this.waiting.get(message.id);
			this.waiting.delete(message.id);
			if (message.error !== undefined) pending?.reject(new Error(message.error));
			else pending?.resolve(message.result);
		});
		child.on('exit', (code) => {
			for (const pending of this.waiting.values()) pending.reject(new Error(`the emulator process exited (${code})`));
			this.waiting.clear();
		});
	}

	static async start(options: EmulatorOptions, seed?: AudienceSeedOptions, heapMb = 4096): Promise<RemoteEmulator> {
		if (!existsSync(HOST_SCRIPT)) throw new Error(`${HOST_SCRIPT} is missing: run \`npm run tools\` first`);
		const child = fork(HOST_SCRIPT, [], { execArgv: [`--max-old-space-size=${heapMb}`], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
		const remote = new RemoteEmulator(child);
		const started = (await remote.call({ type: 'start', options, seed })) as { url: string; mcBaseUrl: string; seeded?: SeededAudiences; seedSeconds: number };
		remote.url = started.url;
		remote.mcBaseUrl = started.mcBaseUrl;
		remote.seeded = started.seeded;
		remote.seedSeconds = started.seedSeconds;
		return remote;
	}

	stats(): Promise<HostStats> {
		return this.call({ type: 'stats' }) as Promise<HostStats>;
	}

	/** Requests per bucket since the last reset (see emulatorHost.ts). */
	timeline(bucketMs = 1000): Promise<Timeline> {
		return this.call({ type: 'timeline', bucketMs }) as Promise<Timeline>;
	}

	reset(): Promise<HostStats> {
		return this.call({ type: 'reset' }) as Promise<HostStats>;
	}

	async stop(): Promise<void> {
		if (this.child.exitCode !== null) return;
		const exited = new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
		await this.call({ type: 'stop' }).catch(() => undefined);
		await exited;
	}

	private call(request: Distribute<HostRequest>): Promise<unknown> {
		const id = this.nextId++;
		return new Promise((resolve, reject) => {
			this.waiting.set(id, { resolve, reject });
			this.child.send({ ...request, id });
		});
	}
}

/**
 * ActiveCampaign and Mailchimp each from an emulator process of its own, both seeded alike (the
 * seed is deterministic): the node reads ActiveCampaign from one and Mailchimp from the other, as
 * it reads two providers' servers. In one process, Mailchimp's pages of 1,000 members (20 a second
 * at 1,000,000) stalled the event loop that counts ActiveCampaign's requests, so requests the
 * node had spaced out were counted together and refused with 429s a real account would not send;
 * the ActiveCampaign yardstick, which reads alone, never met them. Same interface as RemoteEmulator.
 */
export class SplitEmulator {
	private constructor(
		private readonly ac: RemoteEmulator,
		private readonly mc: RemoteEmulator,
	) {}

	get url(): string {
		return this.ac.url;
	}

	get mcBaseUrl(): string {
		return this.mc.mcBaseUrl;
	}

	get seeded(): SeededAudiences | undefined {
		return this.ac.seeded;
	}

	get seedSeconds(): number {
		return Math.max(this.ac.seedSeconds, this.mc.seedSeconds);
	}

	static async start(options: EmulatorOptions, seed?: AudienceSeedOptions): Promise<SplitEmulator> {
		const [ac, mc] = await Promise.all([RemoteEmulator.start(options, seed), RemoteEmulator.start(options, seed)]);
		if (JSON.stringify(ac.seeded) !== JSON.stringify(mc.seeded)) throw new Error('The two emulators were seeded differently');
		return new SplitEmulator(ac, mc);
	}

	/** ActiveCampaign's figures from the one, Mailchimp's from the other; the two processes' memory added up. */
	async stats(): Promise<HostStats> {
		const [ac, mc] = await Promise.all([this.ac.stats(), this.mc.stats()]);
		return SplitEmulator.merge(ac, mc);
	}

	async reset(): Promise<HostStats> {
		const [ac, mc] = await Promise.all([this.ac.reset(), this.mc.reset()]);
		return SplitEmulator.merge(ac, mc);
	}

	async timeline(bucketMs = 1000): Promise<Timeline> {
		const [ac, mc] = await Promise.all([this.ac.timeline(bucketMs), this.mc.timeline(bucketMs)]);
		return { ...ac, mc: mc.mc };
	}

	async stop(): Promise<void> {
		await Promise.all([this.ac.stop(), this.mc.stop()]);
	}

	private static merge(ac: HostStats, mc: HostStats): HostStats {
		const isAc = (route: string) => / \/api\/3/.test(route);
		return {
			requests: { activeCampaign: ac.requests.activeCampaign, mailchimp: mc.requests.mailchimp },
			byRoute: {
				...Object.fromEntries(Object.entries(ac.byRoute).filter(([route]) => isAc(route))),
				...Object.fromEntries(Object.entries(mc.byRoute).filter(([route]) => !isAc(route))),
			},
			rejected429: { ac: ac.rejected429.ac, mc: mc.rejected429.mc },
			maxMcInFlight: mc.maxMcInFlight,
			rssMb: ac.rssMb + mc.rssMb,
			peakRssMb: ac.peakRssMb + mc.peakRssMb,
			maxLoopDelayMs: Math.max(ac.maxLoopDelayMs, mc.maxLoopDelayMs),
		};
	}
}
