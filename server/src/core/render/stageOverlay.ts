/**
 * Puts a kustomize overlay into the render room: the overlay folder and every local base and component it names
 * (inside the allowed root: the workspace folder, or the CLI's working directory), copied through copyInside, each
 * kustomization checked for remote references before kustomize sees it. The room mirrors the allowed root's layout,
 * so `../base` still means the same folder.
 */
import { readFile, realpath, stat } from 'node:fs/promises';
import { join, relative, resolve } from 'node:path';
import type { Span } from '../engine/model';
import { copyInside, CopyBudget, CopyRefused, isInside } from './copyInside';
import { KUSTOMIZATION_FILES } from './inputs';
import { kustomizationRefs, pluginConfigRemote, PLUGIN_FIELDS } from './kustomizeRefs';
import type { RenderFailure } from './outcome';

/** Kustomizations one render may visit (an overlay, its bases, their bases...). */
export const MAX_KUSTOMIZATIONS = 200;

export interface Stage {
  /** The original folder that the room's `src` mirrors. */
  allowedRoot: string;
  src: string;
  display: (abs: string) => string;
}

export const mirrorOf = (s: Stage, orig: string) => join(s.src, relative(s.allowedRoot, orig));
/** The original of a path in the room's copy. */
export const originOf = (s: Stage, copied: string) => join(s.allowedRoot, relative(s.src, copied));

async function kind(p: string): Promise<'dir' | 'file' | undefined> {
  const info = await stat(p).catch(() => undefined);
  return info?.isDirectory() ? 'dir' : info?.isFile() ? 'file' : undefined;
}

interface Here {
  path: string;
  text: string;
}

const fail = (at: Here, span: Span, message: string): RenderFailure => ({ path: at.path, text: at.text, span, message });

/** Copies the overlay `dir` and what it names; a failure says what was refused, on the line that names it. */
export async function stageOverlay(dir: string, stage: Stage, root: Here): Promise<RenderFailure | undefined> {
  const { allowedRoot, display } = stage;
  if (!isInside(allowedRoot, dir)) return fail(root, { start: 0, end: 0 }, `kustomize build refused: ${display(dir)} is outside ${display(allowedRoot) || '.'}`);
  const fence = await realpath(allowedRoot);
  const budget = new CopyBudget();
  const copied: string[] = [];
  const visited = new Set<string>();
  const queue: { dir: string; from: Here; span: Span }[] = [{ dir, from: root, span: { start: 0, end: 0 } }];
  const copy = async (orig: string, from: Here, span: Span): Promise<RenderFailure | undefined> => {
    try {
      await copyInside(orig, mirrorOf(stage, orig), fence, budget, display);
      return undefined;
    } catch (err) {
      if (err instanceof CopyRefused) return fail(from, span, `kustomize build refused: ${err.message}`);
      throw err;
    }
  };
  while (queue.length) {
    const next = queue.shift()!;
    if (visited.has(next.dir)) continue;
    visited.add(next.dir);
    if (visited.size > MAX_KUSTOMIZATIONS) return fail(next.from, next.span, `kustomize build refused: the overlay names more than ${MAX_KUSTOMIZATIONS} kustomizations`);
    if (!copied.some((c) => isInside(c, next.dir))) {
      const refused = await copy(next.dir, next.from, next.span);
      if (refused) return refused;
      copied.push(next.dir);
    }
    const mirror = mirrorOf(stage, next.dir);
    let name: string | undefined;
    for (const f of KUSTOMIZATION_FILES) if (!name && (await kind(join(mirror, f))) === 'file') name = f;
    // A folder without a kustomization: kustomize says so itself.
    if (!name) continue;
    const here: Here = { path: display(join(next.dir, name)), text: await readFile(join(mirror, name), 'utf8') };
    const refs = kustomizationRefs(here.text);
    if (refs.problem) return fail(here, refs.problem.span, refs.problem.message);
    for (const ref of refs.local) {
      const target = resolve(next.dir, ref.path);
      if (!isInside(allowedRoot, target)) return fail(here, ref.span, `kustomize build refused: ${ref.field} "${ref.path}" is outside ${display(allowedRoot) || '.'}; only folders inside it are rendered`);
      const inCopy = await kind(mirrorOf(stage, target));
      const there = inCopy ?? (await kind(target));
      if (!there) return fail(here, ref.span, `kustomize build refused: ${ref.field} "${ref.path}" is not a file or folder here, and kustomize would fetch it as a remote repository`);
      if (there === 'dir') queue.push({ dir: target, from: here, span: ref.span });
      else {
        if (!inCopy) {
          const refused = await copy(target, here, ref.span);
          if (refused) return refused;
        }
        const config = (PLUGIN_FIELDS as readonly string[]).includes(ref.field) ? pluginConfigRemote(await readFile(mirrorOf(stage, target), 'utf8')) : undefined;
        if (config) return fail(here, ref.span, `kustomize build refused: ${ref.field} "${ref.path}" names the remote ${config.key} "${config.value.slice(0, 200)}"; a render never fetches remote files`);
      }
    }
  }
  return undefined;
}
