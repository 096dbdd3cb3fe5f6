/**
 * Charts and overlays of the workspace (used by the language server and the extension).
 * `pipelineRbac.manifests` entries naming a chart or overlay folder: rendered (helm template / kustomize build) for the
 * kinds they deploy. A failed render contributes nothing here; the chart's own templates show the error.
 */
import { statSync } from 'node:fs';
import { isAbsolute, join, relative } from 'node:path';
import type { ManifestKind } from '../engine/leastPrivilege/needed';
import { renderedKinds } from './kinds';
import { renderChart } from './helm';
import { inputKind } from './inputs';
import { buildOverlay } from './kustomize';
import type { RenderOutcome } from './outcome';
import type { PipelineRbacSettings } from '../shared/settings';
import { errorText } from '../engine/text/errorText';

export interface RenderDir {
  folder: string;
  dir: string;
  kind: 'chart' | 'kustomize';
}

/** Splits the setting into globs and chart/overlay folders (relative to a workspace folder, never outside it). */
export function splitManifestSettings(folders: string[], entries: string[]): { globs: string[]; dirs: RenderDir[] } {
  const globs: string[] = [];
  const dirs: RenderDir[] = [];
  for (const e of entries) {
    let matched = false;
    if (!/[*?{[]/.test(e) && !isAbsolute(e)) {
      for (const folder of folders) {
        const dir = join(folder, e);
        const rel = relative(folder, dir);
        if (rel.startsWith('..') || isAbsolute(rel)) continue;
        let isDir = false;
        try {
          isDir = statSync(dir).isDirectory();
        } catch {
          isDir = false;
        }
        const kind = isDir ? inputKind(dir) : 'plain';
        if (kind !== 'plain') {
          dirs.push({ folder, dir, kind });
          matched = true;
        }
      }
    }
    if (!matched) globs.push(e);
  }
  return { globs, dirs };
}

/** Renders a chart or overlay of the workspace with the settings' binaries (callers check the workspace is trusted). */
export function renderWorkspaceDir(d: RenderDir, settings: PipelineRbacSettings): Promise<RenderOutcome> {
  const display = (abs: string) => relative(d.folder, abs);
  return d.kind === 'chart'
    ? renderChart(d.dir, { namespace: settings.namespace || 'default', display, within: d.folder, tool: { settingPath: settings.helm.path, trusted: settings.trusted } })
    : buildOverlay(d.dir, { display, allowedRoot: d.folder, tool: { settingPath: settings.kustomize.path, trusted: settings.trusted } });
}

/** The kinds a chart or overlay deploys, or why it cannot be rendered (no binary, a render error). */
export async function renderedManifestKinds(d: RenderDir, settings: PipelineRbacSettings): Promise<ManifestKind[] | { problem: string }> {
  const where = relative(d.folder, d.dir) || '.';
  try {
    const outcome = await renderWorkspaceDir(d, settings);
    return outcome.ok ? renderedKinds(outcome) : { problem: `${where}: ${outcome.error.message}` };
  } catch (err) {
    return { problem: `${where}: ${errorText(err)}` };
  }
}
