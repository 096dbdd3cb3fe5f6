/**
 * The "Create Pipeline Identity" flow as data: its six stages and their step counts, the answers they collect,
 * the checks an InputBox runs on each keystroke, and the plan handed to createIdentity. Pure (no `vscode`, no I/O),
 * so the state machine is unit-tested; createFlow.ts only asks the questions.
 */
import type { PolicyRule } from '../../../server/src/core/engine';
import {
  checkNamespace,
  checkServiceAccountName,
  DEFAULT_TOKEN_SECONDS,
  formatDuration,
  type IdentityPlan,
  parseDuration,
  type PreflightReport,
  type RoleCheck,
  type RoleSource,
  type TokenKind,
  identityManifestObjects,
} from '../../../server/src/core/lifecycle';
import { stringify } from 'yaml';
import { exportSpec, pipelineFor, type ExportChoice } from './exportChoice';
import { problemOf } from './inputCheck';

export const CREATE_TITLE = 'Create Pipeline Identity';

export const STAGES = ['preflight', 'name', 'role', 'token', 'export', 'confirm'] as const;
export type Stage = (typeof STAGES)[number];

/** step/totalSteps of a stage: VS Code shows them as "Create Pipeline Identity (2/6)". */
export function stageStep(stage: Stage): { step: number; totalSteps: number } {
  return { step: STAGES.indexOf(stage) + 1, totalSteps: STAGES.length };
}

/** Where Back leads from a stage (undefined: the first stage; Back there cancels nothing, it stays). */
export function previousStage(stage: Stage): Stage | undefined {
  const i = STAGES.indexOf(stage);
  return i > 0 ? STAGES[i - 1] : undefined;
}

export function nextStage(stage: Stage): Stage | undefined {
  const i = STAGES.indexOf(stage);
  return i < STAGES.length - 1 ? STAGES[i + 1] : undefined;
}

/** How the Role was chosen, with what the check needs. */
export type RoleChoice =
  | { readonly kind: 'file'; readonly path: string; readonly text: string }
  | { readonly kind: 'existing'; readonly name: string }
  | { readonly kind: 'generated'; readonly name: string; readonly rules: readonly PolicyRule[]; readonly sources: number };

export type TokenChoice = { readonly kind: 'request'; readonly durationSeconds: number } | { readonly kind: 'secret' };

/** Everything the flow has asked so far. */
export interface CreateAnswers {
  context: string;
  namespace: string;
  name?: string;
  role?: RoleChoice;
  /** The engine's verdict on `role` (blocking reasons stop the flow). */
  roleCheck?: RoleCheck;
  token?: TokenChoice;
  export?: ExportChoice;
  /** API server URL written into the kubeconfig instead of the context's (a runner cannot reach a loopback one). */
  server?: string;
}

export function roleSource(choice: RoleChoice): RoleSource {
  switch (choice.kind) {
    case 'file':
      return { kind: 'file', text: choice.text, path: choice.path };
    case 'existing':
      return { kind: 'existing', name: choice.name };
    case 'generated':
      return { kind: 'rules', name: choice.name, rules: choice.rules };
  }
}

export function describeRole(choice: RoleChoice): string {
  switch (choice.kind) {
    case 'file':
      return `Role from ${choice.path}`;
    case 'existing':
      return `existing Role ${choice.name}`;
    case 'generated':
      return `generated least-privilege Role ${choice.name} (${choice.rules.length} rule${choice.rules.length === 1 ? '' : 's'} from ${choice.sources} manifest${choice.sources === 1 ? '' : 's'})`;
  }
}

export function describeToken(t: TokenChoice): string {
  return t.kind === 'request' ? `TokenRequest token, ${formatDuration(t.durationSeconds)}, bound to a Secret (revocable)` : 'legacy token Secret (never expires)';
}

/** The plan once every answer is in; throws when one is missing (a bug in the flow, not a user error). */
export function planFrom(a: CreateAnswers): IdentityPlan {
  if (!a.name || !a.role || !a.token || !a.export) throw new Error('the flow is missing an answer');
  const pipeline = pipelineFor(a.export);
  const spec = exportSpec(a.export);
  return {
    namespace: a.namespace,
    name: a.name,
    role: roleSource(a.role),
    token: a.token.kind === 'request' ? { kind: 'request', durationSeconds: a.token.durationSeconds } : { kind: 'secret' },
    ...(pipeline ? { pipeline } : {}),
    ...(spec ? { exportTarget: spec } : {}),
    ...(a.server ? { server: a.server } : {}),
  };
}

/** An https (or http) URL with a host, as a kubeconfig's cluster server. */
export function serverUrlProblem(value: string): string | undefined {
  try {
    const u = new URL(value.trim());
    if ((u.protocol === 'https:' || u.protocol === 'http:') && u.hostname) return undefined;
  } catch {
    // fall through
  }
  return 'Enter the API server URL the pipeline reaches, e.g. https://k8s.example.com:6443';
}

/** What the preflight checked, so a later change of token kind or Role source asks again. */
export function preflightKey(namespace: string, tokenKind: TokenKind, createsRole: boolean): string {
  return `${namespace}|${tokenKind}|${createsRole ? 'role' : 'no-role'}`;
}

// ------------------------------------------------------------------------------------------------ input checks

export function namespaceProblem(value: string): string | undefined {
  return problemOf(() => checkNamespace(value.trim()));
}

export function nameProblem(value: string): string | undefined {
  return problemOf(() => checkServiceAccountName(value.trim()));
}

/** A token lifetime ("30d", "720h", "1h30m"); TokenRequest needs at least 10 minutes. */
export function lifetimeProblem(value: string): string | undefined {
  return problemOf(() => parseDuration(value));
}

export const DEFAULT_LIFETIME = formatDuration(DEFAULT_TOKEN_SECONDS);

/** A name proposal from the workspace folder ("shop" -> "shop-ci"), valid as a ServiceAccount name. */
export function suggestName(folder: string | undefined): string {
  const base = (folder ?? '')
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 40)
    .replace(/-+$/g, '');
  return base ? `${base}-ci` : 'pipeline-ci';
}

/** Whether a YAML text holds a Role document (cheap pre-filter for the workspace Role picker). */
export function looksLikeRole(text: string): boolean {
  return /^kind:\s*["']?Role["']?\s*(#.*)?$/m.test(text);
}

// ------------------------------------------------------------------------------------------------ preflight view

export interface PreflightLine {
  readonly icon: 'account' | 'server-environment' | 'pass' | 'error' | 'warning';
  readonly label: string;
  readonly detail?: string;
}

/** The preflight report as picker lines: who, where, then one line per permission the flow needs. */
export function preflightLines(r: PreflightReport): PreflightLine[] {
  const groups = r.user.groups?.length ? `groups ${r.user.groups.join(', ')}` : undefined;
  return [
    { icon: 'account', label: `Acting as ${r.user.username}`, ...(groups ? { detail: groups } : {}) },
    { icon: 'server-environment', label: `Context ${r.context}, namespace ${r.namespace}`, detail: `cluster ${r.server}` },
    ...r.checks.map((c): PreflightLine => {
      const what = `${c.verb} ${c.subresource ? `${c.resource}/${c.subresource}` : c.resource}`;
      return { icon: c.allowed ? 'pass' : 'error', label: `${c.allowed ? 'May' : 'May NOT'} ${what}`, detail: `to ${c.why}` };
    }),
    ...r.warnings.map((w): PreflightLine => ({ icon: 'warning', label: w })),
  ];
}

/**
 * What "Create" will apply, as YAML to review before anything exists: the same ServiceAccount, Role and RoleBinding
 * objects (the token, its Secret and the audit annotations come when it runs). Opened read-only, with its findings.
 */
export function previewYaml(plan: IdentityPlan): string {
  const header = [
    `# Preview of pipeline identity ${plan.namespace}/${plan.name}: what Create applies (read-only; nothing exists yet).`,
    '# Create also adds who created it, its token and where it was exported as ServiceAccount annotations, and the token.',
  ].join('\n');
  const objects = identityManifestObjects({ namespace: plan.namespace, name: plan.name, role: plan.role, ...(plan.pipeline ? { pipeline: plan.pipeline } : {}) });
  return `${header}\n${objects.map((o) => stringify(o, { lineWidth: 0 }).trimEnd()).join('\n---\n')}\n`;
}
