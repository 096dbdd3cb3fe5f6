/**
 * Settings as the client reads them (`pipelineRbac.*`) and hands them to the server, and as the CLI
 * builds them from flags. One typed object, like vscode-eslint does, so neither side re-parses config.
 */
import type { RuleId, Severity } from '../engine/model';
import { isDeployer, type Deployer } from '../engine/deployer/needs';

export type SeveritySetting = Severity | 'off';

export interface PipelineRbacSettings {
  /** Path of the kubeconfig; empty: $KUBECONFIG, then ~/.kube/config. */
  kubeconfig: string;
  /** Context name; empty: the kubeconfig's current context. */
  context: string;
  /** Namespace of Roles and RoleBindings without metadata.namespace; empty: the context's namespace, else default. */
  namespace: string;
  live: {
    /** Use the live cluster permissions of the kubeconfig user. */
    enable: boolean;
    /** Run the server-side dry-run (authoritative) check when a document is saved. */
    dryRunOnSave: boolean;
    /** How long held rules and discovery stay cached, in seconds. */
    cacheTtlSeconds: number;
  };
  /** Severity per rule id, or off. */
  rules: Partial<Record<RuleId, SeveritySetting>>;
  /** Globs of the manifests a pipeline deploys (least privilege). */
  manifests: string[];
  /** Verbs a deploying pipeline needs on each manifest kind. */
  deployVerbs: string[];
  /** How the pipeline deploys the manifests (what the tool itself needs: missing-permission). */
  deployer: Deployer;
  /** helm / kustomize binaries when not on PATH nor in ~/.cache/pipeline-rbac/bin (trusted workspaces only). */
  helm: { path: string };
  kustomize: { path: string };
  /** Milliseconds to wait after a change before validating. */
  validateDelay: number;
  /** False in an untrusted workspace: never run kubeconfig exec plugins. */
  trusted: boolean;
}

export const DEFAULT_DEPLOY_VERBS = ['get', 'list', 'watch', 'create', 'update', 'patch', 'delete'];

export const DEFAULT_SETTINGS: PipelineRbacSettings = {
  kubeconfig: '',
  context: '',
  namespace: '',
  live: { enable: true, dryRunOnSave: false, cacheTtlSeconds: 60 },
  rules: {},
  manifests: [],
  deployVerbs: DEFAULT_DEPLOY_VERBS,
  deployer: 'kubectl',
  helm: { path: '' },
  kustomize: { path: '' },
  validateDelay: 150,
  trusted: true,
};

/** Merges a partial, untrusted settings object (from the client or a file) over the defaults. */
export function normalizeSettings(input: unknown): PipelineRbacSettings {
  const s = isRecord(input) ? input : {};
  const live = isRecord(s.live) ? s.live : {};
  return {
    kubeconfig: str(s.kubeconfig, DEFAULT_SETTINGS.kubeconfig),
    context: str(s.context, DEFAULT_SETTINGS.context),
    namespace: str(s.namespace, DEFAULT_SETTINGS.namespace),
    live: {
      enable: bool(live.enable, DEFAULT_SETTINGS.live.enable),
      dryRunOnSave: bool(live.dryRunOnSave, DEFAULT_SETTINGS.live.dryRunOnSave),
      cacheTtlSeconds: num(live.cacheTtlSeconds, DEFAULT_SETTINGS.live.cacheTtlSeconds),
    },
    rules: isRecord(s.rules) ? (s.rules as PipelineRbacSettings['rules']) : {},
    manifests: strList(s.manifests, DEFAULT_SETTINGS.manifests),
    deployVerbs: strList(s.deployVerbs, DEFAULT_SETTINGS.deployVerbs),
    deployer: isDeployer(s.deployer) ? s.deployer : DEFAULT_SETTINGS.deployer,
    helm: { path: str(isRecord(s.helm) ? s.helm.path : undefined, '') },
    kustomize: { path: str(isRecord(s.kustomize) ? s.kustomize.path : undefined, '') },
    validateDelay: num(s.validateDelay, DEFAULT_SETTINGS.validateDelay),
    trusted: bool(s.trusted, DEFAULT_SETTINGS.trusted),
  };
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
function str(v: unknown, d: string): string {
  return typeof v === 'string' ? v : d;
}
function bool(v: unknown, d: boolean): boolean {
  return typeof v === 'boolean' ? v : d;
}
function num(v: unknown, d: number): number {
  return typeof v === 'number' && Number.isFinite(v) && v >= 0 ? v : d;
}
function strList(v: unknown, d: string[]): string[] {
  return Array.isArray(v) && v.every((x) => typeof x === 'string') ? (v as string[]) : d;
}
