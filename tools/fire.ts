/* eslint-disable @n8n/community-nodes/no-restricted-globals, no-console -- a developer tool, never shipped: Node globals, console output are fine here */
/**
 * `npm run fire -- <activecampaign|mailchimp> <event> [email]`: asks the running sandbox (`npm start`
 * or `npm run sandbox`) to play an event and deliver it, form-encoded as the provider does, to every
 * webhook registered with it: the active webhook trigger workflows of the n8n that `npm start` runs.
 *   npm run fire -- mailchimp unsubscribe
 *   npm run fire -- activecampaign subscribe ada.lovelace.0@example.com
 * SANDBOX_PORT (default 4010) finds the sandbox.
 */
async function main(): Promise<number> {
	const [provider, type, email] = process.argv.slice(2);
	if (!provider || !type) {
		console.error('Usage: npm run fire -- <activecampaign|mailchimp> <event> [email]');
		return 2;
	}
	const port = Number(process.env.SANDBOX_PORT ?? 4010);
	const res = await fetch(`http://127.0.0.1:${port}/_sandbox/fire/${encodeURIComponent(provider)}/${encodeURIComponent(type)}`, {
		method: 'POST',
		headers: { 'content-type': 'application/json' },
		body: JSON.stringify(email ? { email } : {}),
	});
	const body = (await res.json()) as { message?: string; payload?: unknown; deliveries?: Array<{ url: string; status: number; body: string }> };
	if (!res.ok) {
		console.error(`The sandbox refused: ${body.message ?? res.status}`);
		return 1;
	}
	console.log(`Fired ${provider} ${type}:\n${JSON.stringify(body.payload, null, 2)}`);
	if (!body.deliveries?.length) {
		console.log('No webhook is registered for it: activate a webhook trigger workflow first (examples/*-webhook.json).');
		return 1;
	}
	for (const d of body.deliveries) console.log(`→ ${d.url.replace(/secret=[^&]+/, 'secret=…')}: HTTP ${d.status} ${d.body}`);
	return body.deliveries.every((d) => d.status === 200) ? 0 : 1;
}

main().then(
	(code) => process.exit(code),
	(error: unknown) => {
		console.error(`Could not reach the sandbox: ${error instanceof Error ? error.message : String(error)}. Is npm start (or npm run sandbox) running?`);
		process.exit(1);
	},
);
