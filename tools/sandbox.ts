/* eslint-disable @n8n/community-nodes/no-restricted-globals, no-console -- a developer tool, never shipped: Node globals, console output are fine here */
/**
 * `npm run sandbox`: the emulator as a long-running offline sandbox on 127.0.0.1, seeded with
 * realistic data, printing the credential values to paste into n8n.
 *   --port N (default 4010), --latency MS (default 0), --empty (no seed data)
 */
import { AC_TEST_KEY, MC_TEST_KEY, startEmulator } from '../test/emulator/server';
import { SANDBOX_AUDIENCE_ID, seedSandbox } from '../test/emulator/seed';

function arg(name: string): string | undefined {
	const i = process.argv.indexOf(`--${name}`);
	return i >= 0 ? process.argv[i + 1] : undefined;
}

async function main() {
	const emulator = await startEmulator({
		port: Number(arg('port') ?? process.env.SANDBOX_PORT ?? 4010),
		latencyMs: Number(arg('latency') ?? 0),
	});
	if (!process.argv.includes('--empty')) seedSandbox(emulator);
	console.log(`Sandbox of the ActiveCampaign and Mailchimp APIs on ${emulator.url} (offline, in memory)

ActiveCampaign Sync API credential
  API URL:  ${emulator.url}
  API Key:  ${AC_TEST_KEY}
Mailchimp Sync API credential
  API Key:  ${MC_TEST_KEY}
  Use Custom Base URL: on
  Base URL: ${emulator.mcBaseUrl}

Seeded: ${emulator.ac.contacts.size} ActiveCampaign contacts on ${emulator.ac.lists.size} lists, ${emulator.ac.tags.size} tags, ${emulator.ac.fields.size} custom fields;
        Mailchimp audience ${SANDBOX_AUDIENCE_ID} with ${emulator.mc.lists.get(SANDBOX_AUDIENCE_ID)?.members.size ?? 0} members.
These are sandbox keys: the sandbox accepts them, the real services do not. Ctrl+C stops it.`);
	const stop = () => emulator.stop().then(() => process.exit(0));
	process.on('SIGINT', stop);
	process.on('SIGTERM', stop);
}

main().catch((error) => {
	console.error(error);
	process.exit(1);
});
