/**
 * Builds a kustomize overlay with the real `kustomize build` and maps the output back to its files. The overlay is built
 * through a throw-away kustomization that only adds `buildMetadata` (origin and transformer annotations), so the user's
 * files are never changed. Files named by the output are read only inside `allowedRoot` (the workspace or the working
 * directory).
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { parse } from 'yaml';
import { kustomizeRenderedSet, splitKustomizeOutput, type KustomizeSources } from './map/kustomizeSource';
import type { SourceText } from './map/sourceMap';
import { toolMessage, type RenderFailure, type RenderOutcome } from './outcome';
import { KUSTOMIZATION_FILES } from './inputs';
import { readInside } from './readSource';
import { openRoom } from './room';
import { DEFAULT_RUN_LIMITS, RunLimitError, runBounded, type RunLimits } from './run';
import { mirrorOf, originOf, stageOverlay, type Stage } from './stageOverlay';
import { requireTool, type ToolLookup } from './tools';

export interface KustomizeOptions {
  tool?: ToolLookup;
  limits?: RunLimits;
  display: (abs: string) => string;
  /** The overlay and the bases it names must lie inside it; files outside it are never read. */
  allowedRoot: string;
  signal?: AbortSignal | undefined;
}

const MAX_PATCH_FILES = 200;

/**
 * kustomize runs without --enable-helm, --enable-alpha-plugins and --enable-exec: no chart is inflated and no KRM
 * function, exec or container plugin runs. It builds the room's copy (stageOverlay), never the user's folder.
 */
export async function buildOverlay(overlayDir: string, opts: KustomizeOptions, cwd: string = process.cwd()): Promise<RenderOutcome> {
  const dir = resolve(cwd, overlayDir);
  const allowedRoot = resolve(cwd, opts.allowedRoot);
  const kustomize = requireTool('kustomize', opts.tool);
  const kfile = KUSTOMIZATION_FILES.map((f) => join(dir, f)).find((p) => existsSync(p)) ?? join(dir, 'kustomization.yaml');
  const rootRead = readInside(allowedRoot, relative(allowedRoot, kfile));
  const root: SourceText = { path: opts.display(kfile), text: rootRead?.text ?? '' };
  const failure = (message: string): RenderOutcome => ({ ok: false, error: { path: root.path, text: root.text, span: { start: 0, end: 0 }, message } });
  const room = await openRoom();
  try {
    const stage: Stage = { allowedRoot, src: room.src, display: opts.display };
    const refused: RenderFailure | undefined = await stageOverlay(dir, stage, root);
    if (refused) return { ok: false, error: refused };
    const wrapper = join(room.dir, 'wrapper');
    await mkdir(wrapper, { mode: 0o700 });
    const rel = relative(wrapper, mirrorOf(stage, dir)).split('\\').join('/');
    await writeFile(join(wrapper, 'kustomization.yaml'), `resources:\n  - ${JSON.stringify(rel)}\nbuildMetadata: [originAnnotations, transformerAnnotations]\n`);
    let result;
    try {
      result = await runBounded(kustomize, ['build', wrapper], { cwd: room.src, env: room.env, limits: opts.limits ?? DEFAULT_RUN_LIMITS, signal: opts.signal });
    } catch (err) {
      if (err instanceof RunLimitError) return failure(`kustomize build stopped: ${err.message}`);
      throw err;
    }
    if (result.code !== 0) {
      // kustomize names the room's copy; the user knows the original.
      const stderr = result.stderr.split(room.src).join(allowedRoot).split(`..${'/'}src/`).join('');
      return failure(`kustomize build failed: ${toolMessage(stderr, 'kustomize build failed')}`);
    }
    const sources = readSources(result.stdout, wrapper, root, { ...opts, allowedRoot }, stage);
    return { ok: true, set: kustomizeRenderedSet(result.stdout, sources, `overlay ${opts.display(dir)} (kustomize build)`) };
  } finally {
    await room.close();
  }
}

function readSources(rendered: string, wrapper: string, root: SourceText, opts: KustomizeOptions, stage: Stage): KustomizeSources {
  const resources = new Map<string, SourceText>();
  const patches = new Map<string, SourceText[]>();
  const read = (abs: string): SourceText | undefined => {
    const r = readInside(opts.allowedRoot, relative(opts.allowedRoot, abs));
    return r ? { path: opts.display(r.abs), text: r.text } : undefined;
  };
  let patchCount = 0;
  for (const doc of splitKustomizeOutput(rendered)) {
    if (doc.source && !resources.has(doc.source)) {
      const t = read(originOf(stage, resolve(wrapper, doc.source)));
      if (t) resources.set(doc.source, t);
    }
    for (const k of doc.kustomizations) {
      if (patches.has(k) || patchCount > MAX_PATCH_FILES) continue;
      const kabs = originOf(stage, resolve(wrapper, k));
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
