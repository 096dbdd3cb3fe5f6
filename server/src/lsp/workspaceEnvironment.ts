import type { AnalyzeOptions } from '../core/engine/analyze';
import type { NeededPermissions } from '../core/engine/leastPrivilege/needed';
import { manifestFindingsFor } from '../core/engine/leastPrivilege/manifestFindings';
import type { Finding, RbacObject } from '../core/engine/model';
import type { PipelineRbacSettings } from '../core/shared/settings';
import type { AnalysisEnvironment } from '../core/shared/environment';
import type { ManifestIndex } from './manifestIndex';
import type { WorkspaceRoles } from './workspaceRoles';
import { firstOf } from '../core/engine/roleIndex';

/**
 * The live cluster environment plus the workspace: its manifests (least privilege) and its roles (a binding's role
 * may be in another file; the workspace's version comes before the cluster's, as it is what will be applied).
 */
export class WorkspaceEnvironment implements AnalysisEnvironment {
  constructor(
    private readonly live: AnalysisEnvironment,
    private readonly manifests: ManifestIndex,
    private readonly roles: WorkspaceRoles,
  ) {}

  options(settings: PipelineRbacSettings): AnalyzeOptions {
    const options = this.live.options(settings);
    const workspaceRoles = this.roles.resolver();
    const known = this.roles.roles();
    const withRoles = workspaceRoles && known ? { ...options, resolveRole: firstOf(workspaceRoles, options.resolveRole), knownRoles: known } : options;
    const needed = this.manifests.needed(settings, options.catalog);
    const problems = this.manifests.renderProblems(settings);
    if (problems.length) return { ...withRoles, extraFindings: (objects) => objects.flatMap((o) => notRenderedFinding(o, problems)) };
    if (!needed) return withRoles;
    return { ...withRoles, extraFindings: manifestFindingsFor(needed) };
  }

  /** What the configured manifests need (as the diagnostics see it), for the least-privilege code action. */
  needed(settings: PipelineRbacSettings): NeededPermissions | undefined {
    return this.manifests.needed(settings, this.live.options(settings).catalog);
  }

  async refresh(settings: PipelineRbacSettings, objects: RbacObject[]): Promise<boolean> {
    const defaultNamespace = this.live.options(settings).defaultNamespace ?? 'default';
    const results = await Promise.all([this.live.refresh(settings, objects), this.manifests.load(settings), this.roles.load(defaultNamespace)]);
    return results.some(Boolean);
  }
}

/** One finding per Role: the manifests' charts or overlays did not render, so least privilege is not checked. */
function notRenderedFinding(o: RbacObject, problems: string[]): Finding[] {
  if (o.kind !== 'Role' && o.kind !== 'ClusterRole') return [];
  return [
    {
      ruleId: 'render-error',
      severity: 'information',
      span: o.rulesKeySpan ?? o.kindSpan,
      documentIndex: o.documentIndex,
      message: `unused and missing permissions are not checked: pipelineRbac.manifests names what cannot be rendered (${problems.join('; ').slice(0, 600)})`,
    },
  ];
}
