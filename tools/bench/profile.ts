/* eslint-disable @n8n/community-nodes/no-restricted-globals, @n8n/community-nodes/no-restricted-imports, no-console -- a developer tool, never shipped: Node globals and modules, console output are fine here */
/**
 * `node .build/tools/bench/profile.js <file.cpuprofile> [top]`: where a V8 CPU profile (from
 * `BENCH_CPU_PROFILE=<folder> npm run bench -- --n8n`) spends its time: self time per function,
 * and total (inclusive) time per function, both with the package or file the function lives in.
 */
import { readFileSync } from 'node:fs';

interface ProfileNode {
	id: number;
	callFrame: { functionName: string; url: string; lineNumber: number };
	children?: number[];
}
interface Profile {
	nodes: ProfileNode[];
	samples: number[];
	timeDeltas: number[];
}

/** `n8n-workflow/dist/...` rather than the whole absolute path. */
function where(url: string): string {
	const i = url.lastIndexOf('node_modules/');
	return (i >= 0 ? url.slice(i + 'node_modules/'.length) : url.replace(/^file:\/\//, '')).replace(/\/dist\/(cjs\/)?/, '/');
}

export function summarize(file: string, top = 25): string {
	const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile;
	const byId = new Map(profile.nodes.map((n) => [n.id, n]));
	const parent = new Map<number, number>();
	for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
	const self = new Map<string, number>();
	const total = new Map<string, number>();
	let all = 0;
	profile.samples.forEach((id, i) => {
		const ms = (profile.timeDeltas[i] ?? 0) / 1000;
		all += ms;
		const node = byId.get(id)!;
		const label = (n: ProfileNode) => `${n.callFrame.functionName || '(anonymous)'}  ${where(n.callFrame.url)}:${n.callFrame.lineNumber + 1}`;
		self.set(label(node), (self.get(label(node)) ?? 0) + ms);
		const seen = new Set<string>();
		for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
			const l = label(byId.get(at)!);
			if (seen.has(l)) continue;
			seen.add(l);
			total.set(l, (total.get(l) ?? 0) + ms);
		}
	});
	const table = (m: Map<string, number>) =>
		[...m]
			.sort((a, b) => b[1] - a[1])
			.slice(0, top)
			.map(([l, ms]) => `${ms.toFixed(0).padStart(8)} ms ${((100 * ms) / all).toFixed(1).padStart(5)}%  ${l}`)
			.join('\n');
	return `${file}: ${all.toFixed(0)} ms sampled\n\nSelf time:\n${table(self)}\n\nTotal time:\n${table(total)}\n`;
}

if (require.main === module) console.log(summarize(process.argv[2], Number(process.argv[3] ?? 25)));
