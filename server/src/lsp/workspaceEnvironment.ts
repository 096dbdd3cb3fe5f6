import type { AnalyzeOptions } from '../engine/analyze';
import { unusedPermissionFindings } from '../engine/leastPrivilege/unused';
import type { RbacObject } from '../engine/model';
import type { PipelineRbacSettings } from '../shared/settings';
import type { AnalysisEnvironment } from './environment';
import type { ManifestIndex } from './manifestIndex';

/** The live cluster environment plus the workspace's own manifests (least privilege). */
export class WorkspaceEnvironment implements AnalysisEnvironment {
  constructor(
    private readonly live: AnalysisEnvironment,
    private readonly manifests: ManifestIndex,
  ) {}

  options(settings: PipelineRbacSettings): AnalyzeOptions {
    const options = this.live.options(settings);
    const needed = this.manifests.needed(settings, options.catalog);
    if (!needed) return options;
    return { ...options, extraFindings: (objects) => objects.flatMap((o) => unusedPermissionFindings(o, needed)) };
  }

  async refresh(settings: PipelineRbacSettings, objects: RbacObject[]): Promise<boolean> {
    const [live, manifests] = await Promise.all([this.live.refresh(settings, objects), this.manifests.load(settings)]);
    return live || manifests;
  }
}
