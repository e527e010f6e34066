/* eslint-disable @n8n/community-nodes/no-restricted-imports -- test code, never shipped: Node modules are fine here */
/**
 * A webhook trigger as n8n runs it once its workflow is active, on loopback:
 * - activation and deactivation call the node's `webhookMethods` (checkExists, then create when
 *   it does not exist; delete) in n8n-core's HookContext, as n8n's WebhookService does;
 * - a small HTTP server stands in for n8n's webhook endpoint: it parses the body as n8n's body
 *   parser does (form bodies with Node's querystring, into flat bracketed keys), calls the node's
 *   `webhook` in n8n-core's WebhookContext, answers as n8n does (the node's own answer, or
 *   "Workflow was started" / "Webhook call received"), and runs the workflow through
 *   WorkflowExecute with the items the node returned.
 * The workflow (and with it the node's static data) lives on between activations, as in n8n.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parse as parseQueryString } from 'node:querystring';

import { ExecutionLifecycleHooks, HookContext, WebhookContext } from 'n8n-core';
import {
	type ICredentialDataDecryptedObject,
	type IDataObject,
	type IHttpRequestMethods,
	type INode,
	type IWebhookData,
	type IWebhookDescription,
	type IWorkflowBase,
	Workflow,
} from 'n8n-workflow';

import { additionalData, loadPackage, PackageCredentialsHelper, PackageNodeTypes, runWorkflow, type RunResult } from './n8n';

const PACKAGE_NAME = 'n8n-nodes-audience-sync';

export interface Delivery {
	method: string;
	path: string;
	status: number;
	body: string;
}

export interface WebhookTrigger {
	/** n8n's webhook URL of the node (without the secret the node adds). */
	url: string;
	activate(): Promise<void>;
	deactivate(): Promise<void>;
	/** Workflow executions the webhook started, in order. */
	runs: RunResult[];
	/** Items (json) of every started execution, in order. */
	items(): IDataObject[][];
	/** Every request the endpoint received, with n8n's answer. */
	deliveries: Delivery[];
	staticData(): IDataObject;
	/** Changes the node's parameters, as a user editing the workflow does (static data stays). */
	setParameters(parameters: INode['parameters']): void;
	stop(): Promise<void>;
}

function readBody(req: IncomingMessage): Promise<Buffer> {
	return new Promise((resolve, reject) => {
		const chunks: Buffer[] = [];
		req.on('data', (c: Buffer) => chunks.push(c));
		req.on('end', () => resolve(Buffer.concat(chunks)));
		req.on('error', reject);
	});
}

export async function webhookTrigger(
	nodeName: string,
	parameters: INode['parameters'],
	credentials: Record<string, ICredentialDataDecryptedObject>,
): Promise<WebhookTrigger> {
	const loader = await loadPackage();
	const nodeTypes = new PackageNodeTypes(loader);
	const type = `${PACKAGE_NAME}.${nodeName}`;
	const nodeType = nodeTypes.getByNameAndVersion(type, 1);
	const node: INode = {
		id: 'webhook-trigger',
		name: 'Trigger',
		type,
		typeVersion: 1,
		position: [0, 0],
		parameters,
		webhookId: `wh-${Math.random().toString(36).slice(2, 10)}`,
		credentials: Object.fromEntries(Object.keys(credentials).map((t) => [t, { id: t, name: t }])),
	};
	const workflowData = { nodes: [node], connections: {} };
	const workflow = new Workflow({ id: 'webhook-workflow', name: 'Webhook test', nodes: [node], connections: {}, active: true, nodeTypes, staticData: {} });
	const credentialsHelper = new PackageCredentialsHelper(loader, credentials);

	const runs: RunResult[] = [];
	const deliveries: Delivery[] = [];
	let base = '';

	const data = (extra: IDataObject = {}) => {
		const hooks = new ExecutionLifecycleHooks('webhook', 'webhook', {} as IWorkflowBase);
		const d = additionalData(credentialsHelper, hooks);
		return Object.assign(d, { webhookBaseUrl: `${base}/webhook`, webhookTestBaseUrl: `${base}/webhook-test` }, extra);
	};
	const descriptions = () => (nodeType.description.webhooks ?? []) as IWebhookDescription[];
	const webhookData = (description: IWebhookDescription, extra: IDataObject = {}): IWebhookData => ({
		httpMethod: description.httpMethod as IHttpRequestMethods,
		node: node.name,
		path: String(description.path),
		webhookDescription: description,
		workflowId: workflow.id,
		workflowExecuteAdditionalData: data(extra),
		webhookId: node.webhookId,
	});
	const runMethod = async (method: 'checkExists' | 'create' | 'delete', description: IWebhookDescription, activation: 'activate' | 'init') => {
		const fn = nodeType.webhookMethods?.[description.name as 'default' | 'setup']?.[method];
		if (!fn) return undefined;
		const wd = webhookData(description);
		const context = new HookContext(workflow, node, wd.workflowExecuteAdditionalData, 'trigger', activation, wd);
		return (await fn.call(context)) as boolean;
	};

	const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
		const url = new URL(req.url ?? '/', 'http://127.0.0.1');
		const method = (req.method ?? 'GET').toUpperCase();
		const raw = await readBody(req);
		const record = (status: number, body: string) => deliveries.push({ method, path: url.pathname, status, body });
		const description = descriptions().find(
			(d) => d.httpMethod === method && url.pathname === `/webhook/${node.webhookId}/${String(d.path)}`,
		);
		if (!description) {
			res.writeHead(404, { 'content-type': 'application/json' });
			res.end('{"message":"The requested webhook is not registered."}');
			record(404, 'not registered');
			return;
		}
		// What n8n's body parser does (packages/cli, body-parser): form bodies through Node's querystring.
		const contentType = String(req.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
		let body: unknown = {};
		const text = raw.toString('utf8');
		if (text) {
			if (contentType === 'application/json') body = JSON.parse(text);
			else if (contentType === 'application/x-www-form-urlencoded') body = parseQueryString(text, undefined, undefined, { maxKeys: 1000 });
		}
		const request = Object.assign(req, { body, rawBody: raw, query: Object.fromEntries(url.searchParams), params: {}, contentType });
		// Capture what the node (or we) answer.
		const end = res.end.bind(res);
		let answered = '';
		(res as unknown as { end: (chunk?: unknown) => ServerResponse }).end = (chunk?: unknown) => {
			answered = chunk === undefined ? '' : String(chunk);
			return end(chunk as string);
		};
		const wd = webhookData(description, { httpRequest: request, httpResponse: res });
		const context = new WebhookContext(workflow, node, wd.workflowExecuteAdditionalData, 'webhook', wd, [], null);
		let result;
		try {
			result = await nodeType.webhook!.call(context);
		} catch (error) {
			res.writeHead(500, { 'content-type': 'application/json' });
			res.end(JSON.stringify({ message: (error as Error).message }));
			record(500, answered);
			return;
		}
		if (result.noWebhookResponse) {
			record(res.statusCode, answered);
			return;
		}
		if (!result.workflowData) {
			res.writeHead(200, { 'content-type': 'application/json' });
			res.end(JSON.stringify(result.webhookResponse ?? { message: 'Webhook call received' }));
			record(200, answered);
			return;
		}
		res.writeHead(200, { 'content-type': 'application/json' });
		res.end('{"message":"Workflow was started"}');
		record(200, answered);
		runs.push(await runWorkflow(workflowData, credentials, result.workflowData[0]));
	};

	const server: Server = createServer((req, res) => {
		handle(req, res).catch((error: Error) => {
			if (!res.headersSent) res.writeHead(500);
			res.end(error.message);
		});
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

	return {
		url: `${base}/webhook/${node.webhookId}/webhook`,
		async activate() {
			for (const description of descriptions()) {
				const exists = await runMethod('checkExists', description, 'activate');
				if (exists === false) await runMethod('create', description, 'activate');
			}
		},
		async deactivate() {
			for (const description of descriptions()) await runMethod('delete', description, 'activate');
		},
		runs,
		items: () => runs.map((r) => r.output('Trigger').map((i) => i.json)),
		deliveries,
		staticData: () => (workflow.staticData as IDataObject)['node:Trigger'] as IDataObject,
		setParameters: (parameters) => {
			// Over the parameters n8n's Workflow completed with the defaults.
			node.parameters = { ...node.parameters, ...parameters };
		},
		stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
	};
}
