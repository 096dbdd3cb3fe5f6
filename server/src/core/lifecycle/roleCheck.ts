// The Role is checked by the engine against what the acting user holds BEFORE anything is created:
// the apiserver refuses a Role with permissions its creator lacks, and finding that out half-way
// would leave a ServiceAccount behind. `not-held`, `binding-not-held` and any error finding block.
import { delimiter } from 'node:path';
import { analyzeText, type AnalyzeOptions } from '../engine/analyze';
import type { Finding } from '../engine/model';
import { parseRbacText } from '../engine/yaml/parseCache';
import { LiveEnvironment } from '../live/liveEnvironment';
import type { LoadedKubeconfig } from '../live/kubeconfig';
import { DEFAULT_SETTINGS, type PipelineRbacSettings } from '../shared/settings';
import type { RoleSpec } from './objects';
import { roleCheckText } from './roleFile';
import type { RoleSource } from './types';

export interface RoleCheckReason {
  readonly ruleId: string;
  /** 1-based line in the checked text. */
  readonly line: number;
  readonly message: string;
}

export interface RoleCheck {
  /** The Role to apply; undefined for an existing Role. */
  readonly role?: RoleSpec;
  readonly roleName: string;
  /** Findings that stop the flow (not-held and errors). */
  readonly blocking: readonly RoleCheckReason[];
  /** Other findings, shown but not blocking. */
  readonly notes: readonly RoleCheckReason[];
  /** The text the engine analysed (the Role file, or a generated document). */
  readonly text: string;
}

export const BLOCKING_RULES = new Set(['not-held', 'binding-not-held']);

/** Runs the engine on the role source with the given options (which must carry `held` for not-held checks). */
export function checkRole(source: RoleSource, namespace: string, serviceAccount: string, options: AnalyzeOptions): RoleCheck {
  const { text, role, roleName } = roleCheckText(source, namespace, serviceAccount);
  const result = analyzeText(text, { ...options, defaultNamespace: namespace });
  const toReason = (f: Finding): RoleCheckReason => ({ ruleId: f.ruleId, line: result.lineIndex.lineOf(f.span.start) + 1, message: f.message });
  const blocking = result.findings.filter((f) => f.severity === 'error' || BLOCKING_RULES.has(f.ruleId)).map(toReason);
  const notes = result.findings.filter((f) => !(f.severity === 'error' || BLOCKING_RULES.has(f.ruleId))).map(toReason);
  return { ...(role ? { role } : {}), roleName, blocking, notes, text };
}

/** Thrown when the live permissions needed for the check cannot be read. */
export class RoleCheckUnavailableError extends Error {
  override readonly name = 'RoleCheckUnavailableError';
}

/**
 * AnalyzeOptions with the acting user's live held rules for `namespace` (the same LiveEnvironment the
 * language server uses). Throws RoleCheckUnavailableError when the cluster cannot be asked: without
 * held rules there would be no not-held check, and the flow must not pretend there was one.
 */
export async function liveRoleCheckOptions(
  loaded: LoadedKubeconfig,
  namespace: string,
  source: RoleSource,
  serviceAccount: string,
  env: NodeJS.ProcessEnv = process.env,
): Promise<AnalyzeOptions> {
  const { text } = roleCheckText(source, namespace, serviceAccount);
  const settings: PipelineRbacSettings = {
    ...DEFAULT_SETTINGS,
    // LiveEnvironment loads by path: one explicit file, or $KUBECONFIG's list as kubectl would.
    kubeconfig: loaded.source.includes(delimiter) || sameAsEnv(loaded.source, env) ? '' : loaded.source,
    context: loaded.context,
    namespace,
    trusted: true,
    live: { ...DEFAULT_SETTINGS.live, enable: true },
  };
  let failure: string | undefined;
  const live = new LiveEnvironment((s) => {
    if (s.state === 'unreachable' || s.state === 'unauthorized' || s.state === 'offline' || s.state === 'disabled') failure = s.message;
  });
  await live.refresh(settings, parseRbacText(text).objects);
  const options = live.options(settings);
  if (failure || !options.held?.namespaces[namespace]) {
    throw new RoleCheckUnavailableError(`cannot check the Role against your permissions: ${failure ?? `your rules in namespace ${namespace} could not be read`}`);
  }
  return options;
}

function sameAsEnv(source: string, env: NodeJS.ProcessEnv): boolean {
  return !!env.KUBECONFIG && env.KUBECONFIG === source;
}
