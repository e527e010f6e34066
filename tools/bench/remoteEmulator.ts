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
