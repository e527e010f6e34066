/* eslint-disable @n8n/community-nodes/no-restricted-imports -- a developer tool, never shipped: Node modules are fine here */
/**
 * What `npm start -- --check` proves with examples/nightly-reconcile.json in real n8n: the Audience
 * Sync node of the example run once in Plan (differences found, nothing written), once in Apply
 * (everything written, the IF lets the run through), and once more in Plan, which must find 0
 * differences. Three copies of the example, each with the node's mode set and the schedule made a
 * manual trigger (which `n8n execute` needs), run with `n8n execute`.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';

import type { Emulator } from '../test/emulator/server';
import { PACKAGE_DIR } from '../test/harness/n8n';

export const RECONCILE_EXAMPLE = 'nightly-reconcile.json';
const SYNC_TYPE = 'n8n-nodes-audience-sync.audienceSync';
const STOP_TYPE = 'n8n-nodes-base.stopAndError';
const SCHEDULE_TYPE = 'n8n-nodes-base.scheduleTrigger';

interface WorkflowNode {
	name: string;
	type: string;
	parameters: Record<string, unknown>;
	[key: string]: unknown;
}

interface Workflow {
	id?: string;
	name: string;
	nodes: WorkflowNode[];
	[key: string]: unknown;
}

export interface ReconcileStep {
	id: string;
	label: string;
	mode: 'plan' | 'apply';
}

/**
 * Plan, Apply, Plan. The Apply allows every change: the sandbox's two sides start far apart (the
 * first reconcile of two audiences), which the example's 10 % safety valve rightly refuses.
 */
export const RECONCILE_STEPS: ReconcileStep[] = [
	{ id: 'audsyncReconcile1Plan', label: 'Plan', mode: 'plan' },
	{ id: 'audsyncReconcile2Apply', label: 'Apply', mode: 'apply' },
	{ id: 'audsyncReconcile3Plan', label: 'Plan again', mode: 'plan' },
];

export function readReconcileExample(): Workflow {
	return JSON.parse(readFileSync(path.join(PACKAGE_DIR, 'examples', RECONCILE_EXAMPLE), 'utf8')) as Workflow;
}

/** The sync node of the example (the check fails loudly if the example loses it). */
function syncNode(workflow: Workflow): WorkflowNode {
	const node = workflow.nodes.find((n) => n.type === SYNC_TYPE);
	if (!node) throw new Error(`examples/${RECONCILE_EXAMPLE} has no Audience Sync node`);
	return node;
}

/** The example three times, its sync node in each step's mode. */
export function reconcileWorkflows(): Array<Workflow & { id: string }> {
	return RECONCILE_STEPS.map((step) => {
		const workflow = readReconcileExample();
		const node = syncNode(workflow);
		node.parameters = { ...node.parameters, mode: step.mode, ...(step.mode === 'apply' ? { maxChanges: '100%' } : {}) };
		// `n8n execute` starts only from a manual (or Execute Workflow) trigger: the schedule becomes one, same name.
		for (const trigger of workflow.nodes.filter((n) => n.type === SCHEDULE_TYPE)) Object.assign(trigger, { type: 'n8n-nodes-base.manualTrigger', typeVersion: 1, parameters: {} });
		return { ...workflow, id: step.id, name: `${workflow.name} (check: ${step.label})` };
	});
}

interface TaskData {
	error?: { message: string };
	data?: { main?: Array<Array<{ json: Record<string, unknown> }> | null> };
}

export interface ReconcileRun {
	data: { resultData: { runData: Record<string, TaskData[]>; error?: { message: string } } };
}

/** The summary (output 1) of the sync node in a run, or a problem. */
export function reconcileSummary(run: ReconcileRun): { summary?: Record<string, unknown>; differences: number; problem?: string } {
	const name = syncNode(readReconcileExample()).name;
	const task = run.data.resultData.runData[name]?.[0];
	if (!task) return { differences: 0, problem: `${name} did not run${run.data.resultData.error ? `: ${run.data.resultData.error.message}` : ''}` };
	if (task.error) return { differences: 0, problem: `${name} failed: ${task.error.message}` };
	const summary = task.data?.main?.[1]?.[0]?.json;
	if (!summary) return { differences: 0, problem: `${name} gave no summary` };
	return { summary, differences: Number(summary.differences ?? Number.NaN) };
}

const WRITES = /^(POST|PUT|PATCH|DELETE) /;

/** Requests that change something (ActiveCampaign or Mailchimp), in the emulator's log from `from` on. */
export function writesSince(emulator: Emulator, from: number): number {
	return emulator.log.slice(from).filter((entry) => WRITES.test(`${entry.method} `)).length;
}

/**
 * What each step must show. `writes` is the number of write requests the emulator saw during the
 * step; `stopped` whether the example's Stop and Error node ran.
 */
export function reconcileStepProblems(step: ReconcileStep, index: number, run: ReconcileRun, writes: number): string[] {
	const problems: string[] = [];
	const { summary, differences, problem } = reconcileSummary(run);
	if (problem || !summary) return [`${step.label}: ${problem}`];
	const stopped = Object.entries(run.data.resultData.runData).some(([name]) => readReconcileExample().nodes.find((n) => n.name === name)?.type === STOP_TYPE);
	if (step.mode === 'plan' && writes) problems.push(`${step.label}: Plan sent ${writes} write requests (it must write nothing)`);
	if (index === 0 && !(differences > 0)) problems.push(`${step.label}: found no differences in the sandbox (expected some before the first Apply)`);
	if (step.mode === 'apply') {
		const written = (summary.written ?? {}) as Record<string, number>;
		if ((summary.safetyValve as { stopped?: boolean } | undefined)?.stopped) problems.push(`${step.label}: the safety valve stopped it`);
		if (written.failed) problems.push(`${step.label}: ${written.failed} writes failed`);
		if (!writes) problems.push(`${step.label}: sent no write request`);
		if (stopped) problems.push(`${step.label}: the example's IF stopped the run`);
	}
	if (index === RECONCILE_STEPS.length - 1 && differences !== 0) {
		const name = syncNode(readReconcileExample()).name;
		const left = (run.data.resultData.runData[name]?.[0]?.data?.main?.[0] ?? []).slice(0, 5).map((item) => JSON.stringify(item.json));
		problems.push(`${step.label}: found ${differences} differences after Apply (expected 0): ${left.join('; ')}`);
	}
	return problems;
}

/** One line per step for the check's output. */
export function describeReconcileStep(step: ReconcileStep, run: ReconcileRun, writes: number): string {
	const { summary, differences } = reconcileSummary(run);
	const written = summary?.written ? ` written ${JSON.stringify(summary.written)}` : '';
	return `${step.label}: ${differences} differences${written}, ${writes} write requests`;
}
