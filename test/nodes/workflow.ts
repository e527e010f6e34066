/* eslint-disable @typescript-eslint/no-explicit-any -- test code, never shipped: untyped JSON from requests are fine here */
import type { ICredentialDataDecryptedObject, IDataObject, INodeExecutionData, INodeParameters } from 'n8n-workflow';

import { AC_TEST_KEY, type Emulator, MC_TEST_KEY, MC_TEST_OAUTH_TOKEN } from '../emulator/server';
import { runWorkflow } from '../harness/n8n';

export const NODE_TYPES = {
	activeCampaign: 'n8n-nodes-audience-sync.activeCampaignSync',
	mailchimp: 'n8n-nodes-audience-sync.mailchimpSync',
} as const;

export interface NodeRun {
	items: INodeExecutionData[];
	json: IDataObject[];
	error?: Error & Record<string, any>;
}

/**
 * Runs one of our nodes as the only node of a workflow (the shape the n8n editor exports),
 * through n8n-core's WorkflowExecute, with the given input items.
 */
export async function runNode(
	emulator: Emulator,
	node: keyof typeof NODE_TYPES,
	parameters: INodeParameters,
	input: IDataObject[] = [{}],
	options: { continueOnFail?: boolean; apiKey?: string; oauthToken?: string } = {},
): Promise<NodeRun> {
	const oauth = node === 'mailchimp' && options.oauthToken !== undefined;
	const credentialType = node === 'activeCampaign' ? 'activeCampaignSyncApi' : oauth ? 'mailchimpSyncOAuth2Api' : 'mailchimpSyncApi';
	const credentials: Record<string, ICredentialDataDecryptedObject> =
		node === 'activeCampaign'
			? { activeCampaignSyncApi: { apiUrl: emulator.url, apiKey: options.apiKey ?? AC_TEST_KEY } }
			: oauth
				? { mailchimpSyncOAuth2Api: mailchimpOAuthCredential(emulator, options.oauthToken) }
				: { mailchimpSyncApi: { apiKey: options.apiKey ?? MC_TEST_KEY, useCustomBaseUrl: true, baseUrl: emulator.mcBaseUrl } };
	if (oauth) parameters = { authentication: 'oAuth2', ...parameters };
	const workflow = {
		nodes: [
			{
				id: 'node-under-test',
				name: 'Node',
				type: NODE_TYPES[node],
				typeVersion: 1,
				position: [0, 0] as [number, number],
				parameters,
				credentials: { [credentialType]: { id: '1', name: 'Test credential' } },
				...(options.continueOnFail ? { onError: 'continueRegularOutput' as const } : {}),
			},
		],
		connections: {},
	};
	const result = await runWorkflow(workflow, credentials, input.map((json) => ({ json })));
	const items = result.output('Node');
	const error = result.error('Node') as NodeRun['error'];
	// Every node run in every test: the key never reaches an output item or the error a user sees.
	const key = oauth ? String(options.oauthToken) : String(Object.values(credentials)[0].apiKey);
	const seen = JSON.stringify({ items, error, message: error?.message, description: error?.description, run: result.run.data.resultData });
	for (const secret of key ? [key, Buffer.from(`n8n:${key}`).toString('base64')] : []) {
		if (seen.includes(secret)) throw new Error(`The API key (or its Basic auth token) leaked into the output or error of ${node}`);
	}
	return { items, json: items.map((i) => i.json), error };
}

/**
 * A connected Mailchimp OAuth2 credential as n8n stores it (the oAuth2Api fields plus the token
 * data), reading its datacenter from the emulator's login host.
 */
export function mailchimpOAuthCredential(emulator: Emulator, token = MC_TEST_OAUTH_TOKEN, extra: IDataObject = {}): ICredentialDataDecryptedObject {
	return {
		grantType: 'authorizationCode',
		authUrl: 'https://login.mailchimp.com/oauth2/authorize',
		accessTokenUrl: 'https://login.mailchimp.com/oauth2/token',
		clientId: 'test-client-id',
		clientSecret: 'test-client-secret',
		scope: '',
		authQueryParameters: '',
		authentication: 'body',
		oauthTokenData: { access_token: token, expires_in: 0, scope: null },
		useCustomBaseUrl: true,
		loginUrl: emulator.url,
		baseUrl: '',
		...extra,
	};
}
