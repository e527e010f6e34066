/* eslint-disable @n8n/community-nodes/no-restricted-globals, @n8n/community-nodes/no-restricted-imports -- test code, never shipped: Node globals, Node modules are fine here */
/**
 * Runs this package's compiled nodes and credentials inside n8n-core's real execution
 * engine: the package is loaded the way n8n loads community packages
 * (PackageDirectoryLoader reading package.json's `n8n` section from dist/), workflows run
 * through WorkflowExecute, and credentials are resolved and applied through a credentials
 * helper that calls each credential type's own `authenticate`.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';

const PACKAGE_NAME = 'n8n-nodes-audience-sync';

import { Container } from '@n8n/di';

import {
	ExecuteContext,
	ExecutionLifecycleHooks,
	LoadOptionsContext,
	PollContext,
	PackageDirectoryLoader,
	RoutingNode,
	WorkflowExecute,
} from 'n8n-core';
import {
	createDeferredPromise,
	createEmptyRunExecutionData,
	createRunExecutionData,
	ICredentialsHelper,
	NodeHelpers,
	Workflow,
	type ICredentialDataDecryptedObject,
	type IDataObject,
	type ICredentialsDecrypted,
	type ICredentialType,
	type IExecuteData,
	type IHttpRequestOptions,
	type INode,
	type INodeCredentialTestResult,
	type INodeExecutionData,
	type INodeType,
	type INodeTypes,
	type IRun,
	type IRunExecutionData,
	type IVersionedNodeType,
	type IWorkflowBase,
	type IWorkflowExecuteAdditionalData,
} from 'n8n-workflow';

// n8n-core's SSH client manager starts a cleanup interval when an execution context first
// asks for it; n8n stops it at shutdown, and so do we after each test file.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { SSHClientsManager } = require('n8n-core/dist/execution-engine/ssh-clients-manager');
export function shutdownEngine(): void {
	if (Container.has(SSHClientsManager)) Container.get<{ onShutdown(): void }>(SSHClientsManager).onShutdown();
}
if (typeof afterAll === 'function') afterAll(shutdownEngine);

/** The package root: the nearest folder up from here whose package.json is ours (also from .build/). */
function findPackageDir(): string {
	for (let dir = __dirname; dir !== path.dirname(dir); dir = path.dirname(dir)) {
		const file = path.join(dir, 'package.json');
		if (existsSync(file) && (JSON.parse(readFileSync(file, 'utf8')) as { name?: string }).name === PACKAGE_NAME && existsSync(path.join(dir, 'node_modules'))) {
			return dir;
		}
	}
	throw new Error(`No ${PACKAGE_NAME} package.json above ${__dirname}`);
}

export const PACKAGE_DIR = findPackageDir();

let loaderPromise: Promise<PackageDirectoryLoader> | undefined;

/** Loads dist/ once per test file, as n8n does for an installed community package. */
export function loadPackage(): Promise<PackageDirectoryLoader> {
	loaderPromise ??= (async () => {
		const loader = new PackageDirectoryLoader(PACKAGE_DIR);
		await loader.loadAll();
		return loader;
	})();
	return loaderPromise;
}

export class PackageNodeTypes implements INodeTypes {
	constructor(private readonly loader: PackageDirectoryLoader) {}

	private lookup(nodeType: string): INodeType | IVersionedNodeType {
		const short = nodeType.replace(`${PACKAGE_NAME}.`, '');
		const found = this.loader.nodeTypes[short];
		if (!found) throw new Error(`Node type ${nodeType} is not in this package`);
		return found.type;
	}

	getByName(nodeType: string) {
		return this.lookup(nodeType);
	}

	getByNameAndVersion(nodeType: string, version?: number): INodeType {
		return NodeHelpers.getVersionedNodeType(this.lookup(nodeType), version);
	}

	getKnownTypes() {
		return {};
	}
}

/**
 * How many times n8n was asked for each credential type's decrypted data, across runs (clear it
 * before counting). A real n8n reads the credential from its database and decrypts it each time.
 */
export const credentialReads = new Map<string, number>();

/** Resolves credentials by type from a map and applies the type's own `authenticate`. */
export class PackageCredentialsHelper extends ICredentialsHelper {
	constructor(
		private readonly loader: PackageDirectoryLoader,
		private readonly credentials: Record<string, ICredentialDataDecryptedObject>,
	) {
		super();
	}

	private type(name: string): ICredentialType {
		const found = this.loader.credentialTypes[name];
		if (!found) throw new Error(`Credential type ${name} is not in this package`);
		return found.type;
	}

	/** What n8n-core asks to know whether a type is OAuth2 (then it signs requests with the token itself). */
	getParentTypes(name: string): string[] {
		return this.loader.credentialTypes[name]?.type.extends ?? [];
	}

	async authenticate(credentials: ICredentialDataDecryptedObject, typeName: string, requestOptions: IHttpRequestOptions) {
		const { authenticate } = this.type(typeName);
		if (typeof authenticate === 'function') return await authenticate(credentials, requestOptions);
		if (authenticate) throw new Error(`${typeName}: only function authenticators are used in this package`);
		return requestOptions;
	}

	async preAuthentication() {
		return undefined;
	}

	async runPreAuthentication() {
		return undefined;
	}

	async getCredentials(): Promise<never> {
		throw new Error('not used by these tests');
	}

	async getDecrypted(_additionalData: unknown, _nodeCredentials: unknown, type: string) {
		const found = this.credentials[type];
		if (!found) throw new Error(`No test credentials given for ${type}`);
		credentialReads.set(type, (credentialReads.get(type) ?? 0) + 1);
		return found;
	}

	async updateCredentials() {}

	async updateCredentialsOauthTokenData() {}

	getCredentialsProperties(type: string) {
		return this.type(type).properties;
	}
}

/** Each execution gets its own id, as in n8n (nodes may keep per-execution caches keyed by it). */
let executions = 0;
const nextExecutionId = () => `test-execution-${++executions}`;

export function additionalData(
	credentialsHelper: ICredentialsHelper,
	hooks: ExecutionLifecycleHooks,
): IWorkflowExecuteAdditionalData {
	return {
		credentialsHelper,
		hooks,
		executeWorkflow: async () => {
			throw new Error('sub-workflows are not used by these tests');
		},
		getRunExecutionData: async () => undefined,
		executionId: nextExecutionId(),
		restApiUrl: 'http://127.0.0.1/rest',
		instanceBaseUrl: 'http://127.0.0.1/',
		formWaitingBaseUrl: 'http://127.0.0.1/form-waiting',
		webhookBaseUrl: 'http://127.0.0.1/webhook',
		webhookWaitingBaseUrl: 'http://127.0.0.1/webhook-waiting',
		webhookTestBaseUrl: 'http://127.0.0.1/webhook-test',
		currentNodeParameters: undefined,
		executionTimeoutTimestamp: undefined,
		userId: 'test-user',
		variables: {},
		logAiEvent: () => undefined,
		startRunnerTask: async () => {
			throw new Error('code tasks are not used by these tests');
		},
	} as unknown as IWorkflowExecuteAdditionalData;
}

export interface RunResult {
	run: IRun;
	/** Output items of a node's first run, first output. */
	output(nodeName: string): INodeExecutionData[];
	/** The error a node stopped with, if any. */
	error(nodeName: string): Error | undefined;
}

/**
 * Runs a workflow (nodes + connections, as exported from the n8n editor) through
 * WorkflowExecute, starting at its first node with the given input items.
 */
export async function runWorkflow(
	workflowData: Pick<IWorkflowBase, 'nodes' | 'connections'> & { settings?: IWorkflowBase['settings'] },
	credentials: Record<string, ICredentialDataDecryptedObject>,
	input: INodeExecutionData[] = [{ json: {} }],
): Promise<RunResult> {
	const loader = await loadPackage();
	const nodeTypes = new PackageNodeTypes(loader);
	const workflow = new Workflow({
		id: 'test-workflow',
		nodes: workflowData.nodes,
		connections: workflowData.connections,
		nodeTypes,
		settings: workflowData.settings,
		active: false,
	});
	const hooks = new ExecutionLifecycleHooks('manual', 'test-execution', {
		id: 'test-workflow',
		name: 'test',
		active: false,
		isArchived: false,
		nodes: workflowData.nodes,
		connections: workflowData.connections,
		createdAt: new Date(),
		updatedAt: new Date(),
		activeVersionId: null,
	} as unknown as IWorkflowBase);
	const done = createDeferredPromise<IRun>();
	hooks.addHandler('workflowExecuteAfter', (fullRunData) => done.resolve(fullRunData));

	const startNode = workflowData.nodes[0];
	const runExecutionData: IRunExecutionData = createRunExecutionData({
		executionData: { nodeExecutionStack: [{ node: startNode, data: { main: [input] }, source: null }] },
	});
	const data = additionalData(new PackageCredentialsHelper(loader, credentials), hooks);
	const execute = new WorkflowExecute(data, 'manual', runExecutionData);
	await execute.processRunExecutionData(workflow);
	const run = await done.promise;
	const runData = run.data.resultData.runData;
	return {
		run,
		output: (nodeName) => runData[nodeName]?.[0]?.data?.main?.[0] ?? [],
		error: (nodeName) => (runData[nodeName]?.[0]?.error as Error | undefined) ?? undefined,
	};
}

function tempNodeType(credentialTypes: string[], properties: INodeType['description']['properties'] = []): INodeType {
	return {
		description: {
			displayName: 'Temp',
			name: 'test.temp',
			group: ['transform'],
			version: 1,
			description: '',
			defaults: {},
			inputs: ['main'],
			outputs: ['main'],
			credentials: credentialTypes.map((name) => ({ name, required: true })),
			properties,
		},
	};
}

function tempContext(nodeType: INodeType, credentials: Record<string, ICredentialDataDecryptedObject>, loader: PackageDirectoryLoader) {
	const node: INode = {
		id: 'temp',
		name: 'Temp-Node',
		type: nodeType.description.name,
		typeVersion: 1,
		position: [0, 0],
		parameters: {},
		credentials: Object.fromEntries(Object.keys(credentials).map((type) => [type, { id: type, name: type }])),
	};
	const nodeTypes: INodeTypes = {
		getByName: () => nodeType,
		getByNameAndVersion: () => nodeType,
		getKnownTypes: () => ({}),
	};
	const workflow = new Workflow({ nodes: [node], connections: {}, active: false, nodeTypes });
	const hooks = new ExecutionLifecycleHooks('internal', 'temp', {} as IWorkflowBase);
	const executeData: IExecuteData = { node, data: {}, source: null };
	return new ExecuteContext(
		workflow,
		node,
		additionalData(new PackageCredentialsHelper(loader, credentials), hooks),
		'internal',
		createEmptyRunExecutionData(),
		0,
		[],
		{ main: [[{ json: {} }]] },
		executeData,
		[],
	);
}

/**
 * A real n8n-core execution context (the `this` of a node's execute) holding the given
 * credentials: its helpers are n8n's own, httpRequestWithAuthentication included.
 */
export async function executeContext(credentials: Record<string, ICredentialDataDecryptedObject>) {
	const loader = await loadPackage();
	return tempContext(tempNodeType(Object.keys(credentials)), credentials, loader);
}

/**
 * Tests a credential the way n8n's credential test button does for a declarative
 * `test` request: a temporary node whose only property routes the test request, run by
 * n8n-core's RoutingNode, with the credential's `rules` mapping failure status codes. An OAuth2
 * credential without one is tested as n8n does it: by whether it holds an access token.
 */
export async function testCredential(typeName: string, data: ICredentialDataDecryptedObject): Promise<INodeCredentialTestResult> {
	const loader = await loadPackage();
	const credentialType = loader.credentialTypes[typeName]?.type;
	if (!credentialType?.test && credentialType?.extends?.includes('oAuth2Api')) {
		// n8n's CLI (credentials-tester.service.ts) tests an OAuth2 credential without a test request by its access token.
		const token = data.oauthTokenData;
		return token && typeof token === 'object' && !Array.isArray(token) && 'access_token' in token
			? { status: 'OK', message: 'Connection Successful!' }
			: { status: 'Error', message: 'This OAuth2 credential was not connected to an account.' };
	}
	if (!credentialType?.test) throw new Error(`${typeName} has no test request`);
	const testRequest = credentialType.test;
	const nodeType = tempNodeType(
		[typeName],
		[{ displayName: 'Temp', name: 'temp', type: 'string', default: '', routing: { request: testRequest.request } }],
	);
	const context = tempContext(nodeType, { [typeName]: data }, loader);
	const decrypted: ICredentialsDecrypted = { id: typeName, name: typeName, type: typeName, data };
	// What follows is what n8n's CLI does with the outcome (credentials-tester.service.ts).
	let response: INodeExecutionData[][] | null | undefined;
	try {
		response = await new RoutingNode(context, nodeType, decrypted).runNode();
	} catch (caught) {
		const error = caught as Error & { cause?: { response?: { status: number; statusText?: string }; code?: string } };
		if (error.cause?.response) {
			const status = error.cause.response.status;
			for (const rule of testRequest.rules ?? []) {
				if (rule.type === 'responseCode' && rule.properties.value === status) return { status: 'Error', message: rule.properties.message };
			}
			if (status < 199 || status > 299) return { status: 'Error', message: error.cause.response.statusText || `Received HTTP status code: ${status}` };
		} else if (error.cause?.code) {
			return { status: 'Error', message: error.cause.code };
		}
		return { status: 'Error', message: error.message };
	}
	for (const rule of testRequest.rules ?? []) {
		if (rule.type !== 'responseSuccessBody') continue;
		const json = response?.[0]?.[0]?.json as IDataObject | undefined;
		const value = rule.properties.key.split('.').reduce<unknown>((v, k) => (v && typeof v === 'object' ? (v as IDataObject)[k] : undefined), json);
		if (value === rule.properties.value) return { status: 'Error', message: rule.properties.message };
	}
	return { status: 'OK', message: 'Connection successful!' };
}

/**
 * Calls one of a node's dropdown or search methods (`methods.loadOptions` / `methods.listSearch`)
 * in n8n-core's LoadOptionsContext, as the editor does when a user opens the dropdown.
 */
export async function loadNodeOptions(
	nodeName: string,
	kind: 'loadOptions' | 'listSearch',
	method: string,
	credentials: Record<string, ICredentialDataDecryptedObject>,
	filter?: string,
	parameters: INode['parameters'] = {},
): Promise<unknown> {
	const loader = await loadPackage();
	const nodeTypes = new PackageNodeTypes(loader);
	const type = `${PACKAGE_NAME}.${nodeName}`;
	const nodeType = nodeTypes.getByNameAndVersion(type, 1);
	const node: INode = {
		id: 'options',
		name: 'Node',
		type,
		typeVersion: 1,
		position: [0, 0],
		parameters,
		credentials: Object.fromEntries(Object.keys(credentials).map((t) => [t, { id: t, name: t }])),
	};
	const workflow = new Workflow({ nodes: [node], connections: {}, active: false, nodeTypes });
	const hooks = new ExecutionLifecycleHooks('internal', 'options', {} as IWorkflowBase);
	const context = new LoadOptionsContext(workflow, node, additionalData(new PackageCredentialsHelper(loader, credentials), hooks), '');
	const methods = nodeType.methods?.[kind] as Record<string, (this: unknown, filter?: string) => Promise<unknown>> | undefined;
	const fn = methods?.[method];
	if (!fn) throw new Error(`${nodeName} has no ${kind} method ${method}`);
	return fn.call(context, filter);
}

/**
 * A trigger node as n8n polls it once a workflow is active: one workflow (so its static data,
 * where the trigger keeps its cursor, lives on between polls) and n8n-core's PollContext per poll.
 */
export async function poller(nodeName: string, parameters: INode['parameters'], credentials: Record<string, ICredentialDataDecryptedObject>) {
	const loader = await loadPackage();
	const nodeTypes = new PackageNodeTypes(loader);
	const type = `${PACKAGE_NAME}.${nodeName}`;
	const nodeType = nodeTypes.getByNameAndVersion(type, 1);
	const node: INode = {
		id: 'trigger',
		name: 'Trigger',
		type,
		typeVersion: 1,
		position: [0, 0],
		parameters,
		credentials: Object.fromEntries(Object.keys(credentials).map((t) => [t, { id: t, name: t }])),
	};
	const workflow = new Workflow({ id: 'poll-workflow', nodes: [node], connections: {}, active: true, nodeTypes, staticData: {} });
	const hooks = new ExecutionLifecycleHooks('trigger', 'poll', {} as IWorkflowBase);
	const data = additionalData(new PackageCredentialsHelper(loader, credentials), hooks);
	return {
		async poll(mode: 'trigger' | 'manual' = 'trigger'): Promise<IDataObject[] | null> {
			const context = new PollContext(workflow, node, data, mode, mode === 'manual' ? 'manual' : 'activate');
			const result = await nodeType.poll!.call(context);
			return result ? result[0].map((item) => item.json) : null;
		},
		staticData: () => workflow.staticData,
	};
}
