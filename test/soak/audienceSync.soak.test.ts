/* eslint-disable @n8n/community-nodes/no-restricted-globals -- test code, never shipped: Node globals are fine here */
import { benchAudienceSyncApart } from '../../tools/bench/syncProcess';

/**
 * `npm run test:soak`: the Audience Sync benchmark (tools/bench/audienceSync.ts) at 1,000,000
 * Mailchimp members against an ActiveCampaign list of the same size, 1 % apart: Plan, Apply, and
 * Plan again (0 differences), with each side also read alone at its bound in the same run. The
 * benchmark runs in a plain Node process of its own (tools/bench/syncProcess.ts), not in Jest's,
 * which also holds Jest and ts-jest's compiler (250 to 350 MB alive); the emulators in theirs. The
 * RSS printed is the benchmark process's (n8n's engine and the node), the emulators' beside it.
 *
 * ActiveCampaign's 5 requests/s would make one read of 1,000,000 contacts take 33 minutes (and the
 * soak four of them): the soak runs the account at 50 requests/s instead (SOAK_AC_RATE), the same
 * bound for the emulator, the node (its Requests per Second option) and the yardstick, so the
 * ratios stay meaningful. SOAK_AC_CONTACTS and SOAK_MC_MEMBERS change the sizes.
 */
test('Audience Sync over 1,000,000 Mailchimp members: Plan near the bound read, Apply through the bulk paths, idempotent, RSS printed', async () => {
	const print = (line: string) => process.stdout.write(`${line}\n`);
	const result = await benchAudienceSyncApart(
		{
			contacts: Number(process.env.SOAK_AC_CONTACTS ?? 1_000_000),
			members: Number(process.env.SOAK_MC_MEMBERS ?? 1_000_000),
			acRatePerSecond: Number(process.env.SOAK_AC_RATE ?? 50),
			verify: true,
		},
		print,
	);
	for (const target of result.targets) print(`${target.ok ? 'PASS' : 'FAIL'}  ${target.text}`);
	print(`RSS: the benchmark's process peaked at ${result.processPeakRssMb} MB, the emulators' together at ${result.emulatorPeakRssMb} MB`);
	expect(result.targets.filter((t) => !t.ok).map((t) => t.text)).toEqual([]);
});
