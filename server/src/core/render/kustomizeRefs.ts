/**
 * What a kustomization names, read before kustomize runs: kustomize fetches any URL it is given (an http resource, a
 * patch or an openapi file), runs `git` for a `git::`, `ssh://`, `github.com/...` or `//`-ref base, and would do so
 * for every save of a workspace file. A render opens no connection: a remote entry is refused on its line, and the
 * local folders named (bases, components) are returned to be checked the same way.
 */
import { isMap, isNode, isScalar, parseAllDocuments, parseDocument, type Document, type Node as YamlNode } from 'yaml';
import type { Span } from '../engine/model';

/** An entry that may be a file or a kustomization folder (or, to kustomize, a remote repository). */
export interface LocalRef {
  field: string;
  path: string;
  span: Span;
}

export interface RefProblem {
  span: Span;
  message: string;
}

export interface KustomizationRefs {
  local: LocalRef[];
  problem?: RefProblem;
}

/** Fields whose entries are files, folders with a kustomization, or remote repositories. */
const TARGET_FIELDS = ['resources', 'components', 'bases', 'generators', 'transformers', 'validators'] as const;
/** Fields whose entries may be plugin configurations (inline YAML, or files). */
export const PLUGIN_FIELDS = ['generators', 'transformers', 'validators'] as const;
/** Keys of kustomize's builtin generator and transformer configurations that name files or repositories. */
const PLUGIN_FILE_KEYS = new Set(['path', 'paths', 'files', 'envs', 'env', 'repo', 'chartRepoUrl', 'valuesFile', 'additionalValuesFiles', 'resources']);

/** The first file-naming key of a plugin configuration (any document, any depth up to 20) with a remote value. */
export function pluginConfigRemote(text: string): { key: string; value: string } | undefined {
  const walk = (v: unknown, depth: number): { key: string; value: string } | undefined => {
    if (depth > 20 || !v || typeof v !== 'object') return undefined;
    for (const [key, x] of Object.entries(v as Record<string, unknown>)) {
      const values = PLUGIN_FILE_KEYS.has(key) ? (Array.isArray(x) ? x : [x]).map(asString) : [];
      for (const value of values) if (value !== undefined && looksRemote(value.includes('=') ? value.slice(value.indexOf('=') + 1) : value)) return { key, value };
      const deeper = walk(x, depth + 1);
      if (deeper) return deeper;
    }
    return undefined;
  };
  try {
    for (const doc of parseAllDocuments(text, { merge: true }) as Document.Parsed[]) {
      const found = walk(doc.toJS({ maxAliasCount: 100 }), 0);
      if (found) return found;
    }
  } catch {
    // An alias bomb: kustomize's decoder refuses it too.
  }
  return undefined;
}

/** Fields (or `field[].key`) whose entries are files, which kustomize downloads when they are URLs. */
const FILE_FIELDS: [string, string | undefined][] = [
  ['crds', undefined],
  ['configurations', undefined],
  ['patchesStrategicMerge', undefined],
  ['patches', 'path'],
  ['patchesJson6902', 'path'],
  ['replacements', 'path'],
];

/** A URL or getter (`https:`, `ssh:`, `git::`, `file:`...), an scp-style `git@host:repo`, a `//` subfolder or `?ref=`. */
export function looksRemote(entry: string): boolean {
  const s = entry.trim();
  if (process.platform === 'win32' && /^[A-Za-z]:[\\/]/.test(s)) return false;
  return /^[A-Za-z][A-Za-z0-9+.-]*:/.test(s) || /^[^\s/]+@[^\s/]+:/.test(s) || s.includes('//') || s.includes('?');
}

function refused(field: string, value: string, span: Span): RefProblem {
  const shown = value.length > 200 ? `${value.slice(0, 200)}...` : value;
  return { span, message: `kustomize build refused: ${field} "${shown}" is remote; a render never fetches remote resources, components, bases or files (build it yourself and check the output)` };
}

/** A list entry as kustomize's YAML decoder sees it (a `!!binary` string is decoded, numbers are text). */
function asString(v: unknown): string | undefined {
  if (typeof v === 'string') return v;
  if (v instanceof Uint8Array) return Buffer.from(v).toString('utf8');
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return undefined;
}

/**
 * Spans come from the document's nodes; the values from its JavaScript form (aliases and merge keys resolved), so an
 * entry reached through `*alias` or `<<:` is checked too (shown on the field, or the document start).
 */
class Located {
  constructor(private readonly doc: Document.Parsed) {}

  span(path: (string | number)[]): Span {
    for (let n = path.length; n > 0; n--) {
      const node = this.doc.getIn(path.slice(0, n), true) as YamlNode | undefined;
      if (node && isNode(node) && node.range) return { start: node.range[0], end: node.range[1] };
      if (n === 1) {
        const pair = isMap(this.doc.contents) ? this.doc.contents.items.find((p) => isScalar(p.key) && p.key.value === path[0]) : undefined;
        const key = pair?.key as YamlNode | undefined;
        if (key?.range) return { start: key.range[0], end: key.range[1] };
      }
    }
    return { start: 0, end: 0 };
  }
}

type Entry = { value: string; path: (string | number)[] };

/** The entries of a list field (`field[i]`, or `field[i].key`); inline YAML items (with a newline) are not paths. */
function entries(root: Record<string, unknown>, field: string, key?: string): Entry[] {
  const list = root[field];
  if (!Array.isArray(list)) return [];
  const out: Entry[] = [];
  list.forEach((it, i) => {
    const raw = key ? (it && typeof it === 'object' ? (it as Record<string, unknown>)[key] : undefined) : it;
    const value = asString(raw);
    if (value !== undefined && !value.includes('\n')) out.push({ value, path: key ? [field, i, key] : [field, i] });
  });
  return out;
}

export function kustomizationRefs(text: string): KustomizationRefs {
  const doc = parseDocument(text, { merge: true });
  if (doc.errors.length) {
    // What cannot be read here is not given to kustomize (its decoder may read it otherwise).
    const e = doc.errors[0]!;
    return { local: [], problem: { span: { start: e.pos[0], end: e.pos[1] }, message: `kustomize build refused: the kustomization is not valid YAML (${e.message.split('\n')[0]})` } };
  }
  let root: unknown;
  try {
    root = doc.toJS({ maxAliasCount: 100 });
  } catch (err) {
    return { local: [], problem: { span: { start: 0, end: 0 }, message: `kustomize build refused: the kustomization cannot be read (${err instanceof Error ? err.message : String(err)})` } };
  }
  // kustomize reports a kustomization that is not a mapping itself.
  if (!root || typeof root !== 'object' || Array.isArray(root)) return { local: [] };
  const k = root as Record<string, unknown>;
  const at = new Located(doc);
  const local: LocalRef[] = [];
  for (const field of PLUGIN_FIELDS) {
    const list = k[field];
    if (!Array.isArray(list)) continue;
    for (const [i, it] of list.entries()) {
      const inline = typeof it === 'string' && it.includes('\n') ? pluginConfigRemote(it) : undefined;
      if (inline) return { local, problem: refused(`${field} (inline) ${inline.key}`, inline.value, at.span([field, i])) };
    }
  }
  for (const field of TARGET_FIELDS) {
    for (const { value, path } of entries(k, field)) {
      if (looksRemote(value)) return { local, problem: refused(field, value, at.span(path)) };
      local.push({ field, path: value.trim(), span: at.span(path) });
    }
  }
  const files: { what: string; list: Entry[] }[] = FILE_FIELDS.map(([field, key]) => ({ what: key ? `${field}[].${key}` : field, list: entries(k, field, key) }));
  for (const gen of ['configMapGenerator', 'secretGenerator']) {
    const list = k[gen];
    if (!Array.isArray(list)) continue;
    list.forEach((g, i) => {
      if (!g || typeof g !== 'object') return;
      const one = g as Record<string, unknown>;
      const nested = (f: string) => entries(one, f).map((e) => ({ value: e.value.includes('=') ? e.value.slice(e.value.indexOf('=') + 1) : e.value, path: [gen, i, ...e.path] }));
      const env = asString(one.env);
      files.push({ what: `${gen}[] file`, list: [...nested('files'), ...nested('envs'), ...(env !== undefined ? [{ value: env, path: [gen, i, 'env'] }] : [])] });
    });
  }
  const openapi = k.openapi && typeof k.openapi === 'object' ? asString((k.openapi as Record<string, unknown>).path) : undefined;
  if (openapi !== undefined) files.push({ what: 'openapi.path', list: [{ value: openapi, path: ['openapi', 'path'] }] });
  for (const { what, list } of files) for (const e of list) if (looksRemote(e.value)) return { local, problem: refused(what, e.value, at.span(e.path)) };
  for (const [field, key] of [['helmCharts', 'repo'], ['helmChartInflationGenerator', 'chartRepoUrl']] as const) {
    for (const { value, path } of entries(k, field, key)) {
      if (value.trim()) return { local, problem: { span: at.span(path), message: `kustomize build refused: ${field}[].${key} "${value.slice(0, 200)}" names a chart repository; a render never downloads charts` } };
    }
  }
  return { local };
}
