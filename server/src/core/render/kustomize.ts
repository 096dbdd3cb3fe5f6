/**
 * Builds a kustomize overlay with the real `kustomize build` and maps the output back to its files. The overlay is built
 * through a throw-away kustomization that only adds `buildMetadata` (origin and transformer annotations), so the user's
 * files are never changed. Files named by the output are read only inside `allowedRoot` (the workspace or the working
 * directory).
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { parse } from 'yaml';
import { kustomizeRenderedSet, splitKustomizeOutput, type KustomizeSources } from './map/kustomizeSource';
import type { SourceText } from './map/sourceMap';
import { toolMessage, type RenderOutcome } from './outcome';
import { KUSTOMIZATION_FILES } from './inputs';
import { readInside } from './readSource';
import { DEFAULT_RUN_LIMITS, runBounded, type RunLimits } from './run';
import { requireTool, type ToolLookup } from './tools';
import { existsSync } from 'node:fs';

export interface KustomizeOptions {
  tool?: ToolLookup;
  limits?: RunLimits;
  display: (abs: string) => string;
  /** Files outside it are never read for mapping. */
  allowedRoot: string;
}

const MAX_PATCH_FILES = 200;

export async function buildOverlay(overlayDir: string, opts: KustomizeOptions, cwd: string = process.cwd()): Promise<RenderOutcome> {
  const dir = resolve(cwd, overlayDir);
  const kustomize = requireTool('kustomize', opts.tool);
  const kfile = KUSTOMIZATION_FILES.map((f) => join(dir, f)).find((p) => existsSync(p)) ?? join(dir, 'kustomization.yaml');
  const rootRead = readInside(opts.allowedRoot, relative(opts.allowedRoot, kfile));
  const root: SourceText = { path: opts.display(kfile), text: rootRead?.text ?? '' };
  const wrapper = await mkdtemp(join(tmpdir(), 'pipeline-rbac-kustomize-'));
  try {
    const rel = relative(wrapper, dir).split('\\').join('/');
    await writeFile(join(wrapper, 'kustomization.yaml'), `resources:\n  - ${JSON.stringify(rel)}\nbuildMetadata: [originAnnotations, transformerAnnotations]\n`);
    const result = await runBounded(kustomize, ['build', wrapper], dir, opts.limits ?? DEFAULT_RUN_LIMITS);
    if (result.code !== 0) {
      const message = toolMessage(result.stderr, 'kustomize build failed');
      return { ok: false, error: { path: root.path, text: root.text, span: { start: 0, end: 0 }, message: `kustomize build failed: ${message}` } };
    }
    const sources = readSources(result.stdout, wrapper, root, opts);
    return { ok: true, set: kustomizeRenderedSet(result.stdout, sources, `overlay ${opts.display(dir)} (kustomize build)`) };
  } finally {
    await rm(wrapper, { recursive: true, force: true });
  }
}

function readSources(rendered: string, wrapper: string, root: SourceText, opts: KustomizeOptions): KustomizeSources {
  const resources = new Map<string, SourceText>();
  const patches = new Map<string, SourceText[]>();
  const read = (abs: string): SourceText | undefined => {
    const r = readInside(opts.allowedRoot, relative(opts.allowedRoot, abs));
    return r ? { path: opts.display(r.abs), text: r.text } : undefined;
  };
  let patchCount = 0;
  for (const doc of splitKustomizeOutput(rendered)) {
    if (doc.source && !resources.has(doc.source)) {
      const t = read(resolve(wrapper, doc.source));
      if (t) resources.set(doc.source, t);
    }
    for (const k of doc.kustomizations) {
      if (patches.has(k) || patchCount > MAX_PATCH_FILES) continue;
      const kabs = resolve(wrapper, k);
      const kt = read(kabs);
      const files = kt ? patchPaths(kt.text).flatMap((p) => read(resolve(dirname(kabs), p)) ?? []) : [];
      patchCount += files.length;
      patches.set(k, files);
    }
  }
  return { resources, patches, root };
}

/** The patch files a kustomization names (patches[].path, patchesStrategicMerge[], patchesJson6902[].path). */
export function patchPaths(kustomization: string): string[] {
  let k: Record<string, unknown> | null;
  try {
    k = parse(kustomization, { maxAliasCount: 10 }) as Record<string, unknown> | null;
  } catch {
    return [];
  }
  if (!k || typeof k !== 'object') return [];
  const out: string[] = [];
  for (const field of ['patches', 'patchesJson6902'] as const) {
    const list = k[field];
    if (Array.isArray(list)) for (const p of list) if (p && typeof p === 'object' && typeof (p as { path?: unknown }).path === 'string') out.push((p as { path: string }).path);
  }
  const smp = k.patchesStrategicMerge;
  // An inline patch is YAML, a path is one line.
  if (Array.isArray(smp)) for (const p of smp) if (typeof p === 'string' && !p.includes('\n')) out.push(p);
  return out;
}
