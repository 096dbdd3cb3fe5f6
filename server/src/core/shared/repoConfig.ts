/**
 * The repository config file, `.pipeline-rbac.yaml`: what the CLI and the editor both judge by (rule severities,
 * manifests and how they are rendered and deployed, held rules, baseline). Parsing is pure and strict: invalid YAML,
 * an unknown key or a wrong type is a problem with its line and column, and a config with problems is not used at all
 * (half a config would judge differently from what the file says). schemas/pipeline-rbac-config.schema.json says the
 * same for editors; a unit test holds the two to the same keys.
 */
import { isMap, isScalar, isSeq, LineCounter, parseDocument, type Node, type Pair } from 'yaml';
import { DEPLOYERS, isDeployer, type Deployer } from '../engine/deployer/needs';
import type { RuleId } from '../engine/model';
import { isRuleId } from '../engine/suppress';
import type { PipelineRbacSettings, SeveritySetting } from './settings';

export const CONFIG_FILE_NAME = '.pipeline-rbac.yaml';
/** The most a config file may hold (checked before it is read). */
export const MAX_CONFIG_BYTES = 256 * 1024;

export interface RepoConfig {
  rules?: Partial<Record<RuleId, SeveritySetting>>;
  /** Globs, files, chart or overlay folders, relative to the config's folder. */
  manifests?: string[];
  values?: string[];
  set?: string[];
  release?: string;
  namespace?: string;
  deployer?: Deployer;
  deployVerbs?: string[];
  heldRules?: string;
  baseline?: string;
}

export interface ConfigProblem {
  /** 1-based. */
  line: number;
  column: number;
  /** Offsets into the text, for an editor's range. */
  start: number;
  end: number;
  message: string;
}

export type ConfigParse = { ok: true; config: RepoConfig } | { ok: false; problems: ConfigProblem[] };

const SEVERITIES: readonly SeveritySetting[] = ['error', 'warning', 'information', 'hint', 'off'];
const STRING_LISTS = ['manifests', 'values', 'set', 'deployVerbs'] as const;
const STRINGS = ['release', 'namespace', 'heldRules', 'baseline'] as const;
/** Every key, in the order docs/config.md lists them. */
export const CONFIG_KEYS = ['rules', 'manifests', 'values', 'set', 'release', 'namespace', 'deployer', 'deployVerbs', 'heldRules', 'baseline'] as const;
const MAX_LIST = 1000;

/** Parses a config file's text. Never throws. */
export function parseRepoConfig(text: string): ConfigParse {
  const counter = new LineCounter();
  const doc = parseDocument(text, { lineCounter: counter, prettyErrors: false, uniqueKeys: true });
  const problems: ConfigProblem[] = [];
  const at = (range: readonly number[] | null | undefined, message: string) => {
    const start = range?.[0] ?? 0;
    const end = Math.max(range?.[1] ?? start, start);
    const pos = counter.linePos(start);
    problems.push({ line: pos.line, column: pos.col, start, end, message });
  };
  for (const e of doc.errors) at(e.pos, `invalid YAML: ${e.message.split('\n')[0]}`);
  if (problems.length) return { ok: false, problems };
  const root = doc.contents;
  if (root === null || (isScalar(root) && root.value === null)) return { ok: true, config: {} };
  if (!isMap(root)) {
    at(root.range, 'the config must be a mapping of keys (rules, manifests, deployer, ...)');
    return { ok: false, problems };
  }
  const config: RepoConfig = {};
  for (const pair of root.items as Pair<Node, Node | null>[]) {
    const key = isScalar(pair.key) ? String(pair.key.value) : undefined;
    const keyRange = pair.key?.range;
    if (key === undefined || !(CONFIG_KEYS as readonly string[]).includes(key)) {
      at(keyRange, `unknown key ${JSON.stringify(key ?? '?')}; the keys are ${CONFIG_KEYS.join(', ')}`);
      continue;
    }
    readKey(key as (typeof CONFIG_KEYS)[number], pair.value, keyRange, config, at);
  }
  return problems.length ? { ok: false, problems } : { ok: true, config };
}

type At = (range: readonly number[] | null | undefined, message: string) => void;

function readKey(key: (typeof CONFIG_KEYS)[number], value: Node | null, keyRange: readonly number[] | null | undefined, config: RepoConfig, at: At): void {
  const range = value?.range ?? keyRange;
  if (key === 'rules') {
    if (!isMap(value)) return at(range, '"rules" must be a mapping of rule id to error, warning, information, hint or off');
    const rules: Partial<Record<RuleId, SeveritySetting>> = {};
    for (const p of value.items as Pair<Node, Node | null>[]) {
      const id = isScalar(p.key) ? String(p.key.value) : '';
      if (!isRuleId(id)) {
        at(p.key?.range, `rules: unknown rule id ${JSON.stringify(id)} (see docs/rules.md)`);
        continue;
      }
      const sev = isScalar(p.value) ? p.value.value : undefined;
      // YAML 1.2 reads a bare `off` as the string "off"; a boolean false means the same to whoever wrote it.
      const s = sev === false ? 'off' : sev;
      if (typeof s !== 'string' || !(SEVERITIES as readonly string[]).includes(s)) {
        at(p.value?.range ?? p.key?.range, `rules.${id} must be one of ${SEVERITIES.join(', ')}, not ${describe(p.value)}`);
        continue;
      }
      rules[id] = s as SeveritySetting;
    }
    config.rules = rules;
    return;
  }
  if (key === 'deployer') {
    const v = isScalar(value) ? value.value : undefined;
    if (!isDeployer(v)) return at(range, `"deployer" must be one of ${DEPLOYERS.join(', ')}, not ${describe(value)}`);
    config.deployer = v;
    return;
  }
  if ((STRING_LISTS as readonly string[]).includes(key)) {
    const list = stringList(value, key, range, at);
    if (list) config[key as (typeof STRING_LISTS)[number]] = list;
    return;
  }
  if ((STRINGS as readonly string[]).includes(key)) {
    const v = isScalar(value) ? value.value : undefined;
    if (typeof v !== 'string' || v === '') return at(range, `"${key}" must be a non-empty string, not ${describe(value)}`);
    config[key as (typeof STRINGS)[number]] = v;
  }
}

function stringList(value: Node | null, key: string, range: readonly number[] | null | undefined, at: At): string[] | undefined {
  if (!isSeq(value)) {
    at(range, `"${key}" must be a list of strings, not ${describe(value)}`);
    return undefined;
  }
  if (value.items.length > MAX_LIST) {
    at(range, `"${key}" has ${value.items.length} items; at most ${MAX_LIST} are read`);
    return undefined;
  }
  const out: string[] = [];
  let ok = true;
  value.items.forEach((item, i) => {
    const v = isScalar(item) ? item.value : undefined;
    if (typeof v === 'string' && v !== '') out.push(v);
    else {
      ok = false;
      at((item as Node | null)?.range ?? range, `${key}[${i}] must be a non-empty string, not ${describe(item as Node | null)}`);
    }
  });
  return ok ? out : undefined;
}

/** What a node is, for "must be ..., not ..." messages (a scalar's value, shortened; else its shape). */
function describe(node: Node | null | undefined): string {
  if (node === null || node === undefined) return 'empty';
  if (isMap(node)) return 'a mapping';
  if (isSeq(node)) return 'a list';
  if (isScalar(node)) {
    const v = node.value;
    if (v === null) return 'empty';
    const shown = JSON.stringify(v);
    return `${typeof v === 'string' ? '' : `${typeof v} `}${shown.length > 60 ? `${shown.slice(0, 57)}...` : shown}`;
  }
  return 'an alias';
}

/** "FILE:LINE:COLUMN: message" lines for a terminal (the CLI's exit-2 message). */
export function describeProblems(name: string, problems: readonly ConfigProblem[]): string {
  return problems.map((p) => `${name}:${p.line}:${p.column}: ${p.message}`).join('\n');
}

/**
 * The editor's settings with a repository config applied (trusted workspaces only; the caller checks). The config's
 * rule severities come first and the `pipelineRbac.rules` setting's entries override them per rule id; `manifests`,
 * `deployer` and `deployVerbs` are the config's when it sets them; `namespace` is the config's when the setting is
 * empty. `manifestsPrefix` is the config's folder relative to the workspace folder ("" at its root), since the
 * editor resolves manifests against workspace folders and the config against its own folder.
 */
export function withRepoConfig(settings: PipelineRbacSettings, config: RepoConfig, manifestsPrefix: string): PipelineRbacSettings {
  const prefix = (g: string) => (manifestsPrefix ? (g.startsWith('!') ? `!${manifestsPrefix}/${g.slice(1)}` : `${manifestsPrefix}/${g}`) : g);
  return {
    ...settings,
    rules: { ...(config.rules ?? {}), ...settings.rules },
    ...(config.manifests ? { manifests: config.manifests.map(prefix) } : {}),
    ...(config.deployer ? { deployer: config.deployer } : {}),
    ...(config.deployVerbs ? { deployVerbs: config.deployVerbs } : {}),
    ...(config.namespace && !settings.namespace ? { namespace: config.namespace } : {}),
  };
}
