import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fastParseRbacDocument } from '../../server/src/core/engine/yaml/fastObjects';
import { parseRbacFile } from '../../server/src/core/engine/yaml/parse';
import { ParseCache, parseRbacText } from '../../server/src/core/engine/yaml/parseCache';
import { corpus } from '../../bench/corpus';
import { mulberry32 } from '../cluster/roleGenerator';
import { normParse } from './helpers/parseResult';

type Rand = () => number;
const pick = <T>(r: Rand, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;


const WORDS = ['get', 'list', 'pods', 'apps', 'pods/exec', '/metrics', '/logs*', 'system:serviceaccount:ns:ci', 'a b', 'x#y', 'yes', 'No', 'on', 'OFF', 'y', 'n', 'true', 'False', 'null', 'NULL', 'Null', '~', '0', '1', '42', '007', '1.5', '0x1f', '1_000', '2001-12-14', '1:20', '.inf', '-1', 'team-a', 'rbac.authorization.k8s.io', 'ä-ünï', '*', 'a[1]', 'a,b', 'b{c}', 'k8s.io/name'];
const KEYS = ['apiVersion', 'kind', 'metadata', 'name', 'namespace', 'labels', 'rules', 'verbs', 'resources', 'apiGroups', 'resourceNames', 'nonResourceURLs', 'subjects', 'roleRef', 'items', 'app.kubernetes.io/name', 'x', '"quoted key"', "'single'", 'yes', '1', 'dup'];

function scalar(r: Rand): string {
  const w = pick(r, WORDS);
  const style = r();
  if (style < 0.6) return w;
  if (style < 0.8) return JSON.stringify(w);
  if (style < 0.95) return `'${w.replace(/'/g, "''")}'`;
  return pick(r, ['"a\\"b"', "'it''s'", '"', "'", '&a x', '*a', '!!str x', '|', '>-', '{a: b}', '{}', '[]', '- x', 'a: b', 'a:']);
}

function flow(r: Rand): string {
  const n = Math.floor(r() * 4);
  const items = Array.from({ length: n }, () => scalar(r));
  return `[${items.join(pick(r, [', ', ',', ' , ']))}${r() < 0.03 ? ',' : ''}]`;
}

function comment(r: Rand, indent: number): string {
  const col = Math.max(0, indent + Math.floor(r() * 7) - 3);
  return r() < 0.7 ? `${' '.repeat(col)}# c${Math.floor(r() * 9)}\n` : `${' '.repeat(Math.floor(r() * 3))}\n`;
}

function trivia(r: Rand, indent: number): string {
  let s = '';
  while (r() < 0.2) s += comment(r, indent);
  return s;
}

function inlineEnd(r: Rand): string {
  return (r() < 0.15 ? pick(r, ['  # note', ' #x', '   ']) : '') + '\n';
}

/** A block node whose lines start at column `indent`; `lead` is what precedes its first line's content. */
function block(r: Rand, indent: number, depth: number): string {
  const pad = ' '.repeat(indent);
  if (depth > 3 || r() < 0.3) return '';
  if (r() < 0.5) {
    const n = 1 + Math.floor(r() * 4);
    let s = '';
    for (let i = 0; i < n; i++) {
      const key = r() < 0.03 && i > 0 ? 'dup' : pick(r, KEYS);
      s += `${i === 0 ? '' : pad}${key}:${entry(r, indent, depth)}${trivia(r, indent)}`;
    }
    return s;
  }
  const n = 1 + Math.floor(r() * 4);
  let s = '';
  for (let i = 0; i < n; i++) {
    const inner = r() < 0.5 ? block(r, indent + 2, depth + 1) : '';
    s += `${i === 0 ? '' : pad}- ${inner || scalar(r) + inlineEnd(r)}${trivia(r, indent)}`;
  }
  return s;
}

/** What follows `key:` in a mapping at `indent`. */
function entry(r: Rand, indent: number, depth: number): string {
  const x = r();
  if (x < 0.35) return ` ${scalar(r)}${inlineEnd(r)}`;
  if (x < 0.55) return ` ${flow(r)}${inlineEnd(r)}`;
  if (x < 0.6) return `${r() < 0.5 ? '  # empty' : ''}\n`;
  const sub = r() < 0.3 ? indent : indent + pick(r, [1, 2, 2, 4]);
  const body = block(r, sub, depth + 1);
  if (!body) return '\n';
  // A mapping in the same column would be a sibling: only sequences may be written there.
  if (sub === indent && !body.startsWith('- ')) return ` ${scalar(r)}\n`;
  return `${inlineEnd(r).replace('\n', '')}\n${trivia(r, sub)}${' '.repeat(sub)}${body}`;
}

function rbacDoc(r: Rand): string {
  const rule = (pad: string) =>
    `${pad}- apiGroups: ${flow(r)}\n${trivia(r, pad.length + 2)}${pad}  resources:\n${pad}  - ${scalar(r)}\n${pad}  verbs: ${flow(r)}${inlineEnd(r)}${trivia(r, pad.length)}`;
  const pad = pick(r, ['', '  ']);
  const kind = pick(r, ['Role', 'ClusterRole', 'RoleBinding', 'List']);
  if (kind === 'List') return `apiVersion: v1\nkind: List\nitems:\n- apiVersion: rbac.authorization.k8s.io/v1\n  kind: Role\n  metadata: {}\n  rules:\n${rule('  ')}${trivia(r, 2)}`;
  if (kind === 'RoleBinding')
    return `apiVersion: rbac.authorization.k8s.io/v1\nkind: RoleBinding\nmetadata:\n  name: ${scalar(r)}\n${trivia(r, 2)}roleRef:\n  kind: Role\n  name: x\nsubjects:\n- kind: ServiceAccount\n  name: ${scalar(r)}${inlineEnd(r)}${trivia(r, 0)}`;
  return `${r() < 0.3 ? '---\n' : ''}apiVersion: rbac.authorization.k8s.io/v1\nkind: ${kind}\nmetadata:\n  name: ${scalar(r)}${inlineEnd(r)}${trivia(r, 2)}rules:${inlineEnd(r)}${Array.from({ length: 1 + Math.floor(r() * 3) }, () => rule(pad)).join('')}${trivia(r, 0)}`;
}

function mutate(r: Rand, text: string): string {
  const at = Math.floor(r() * text.length);
  return text.slice(0, at) + pick(r, ['', ' ', '\n', '#', '- ', ': ', '"', "'", '[', ']', ',', '  ', 'x']) + text.slice(at + Math.floor(r() * 3));
}

function check(text: string, label: string): boolean {
  const fast = fastParseRbacDocument(text);
  if (!fast) return false;
  assert.deepEqual(normParse(fast), normParse(parseRbacFile(text)), `${label}:\n${text}`);
  return true;
}

describe('fastParseRbacDocument: exactly parseRbacFile, or nothing', () => {
  it('agrees on random block YAML with comments, flow sequences, quoting and YAML 1.1 scalars, and on mutations of it', () => {
    const r = mulberry32(Number(process.env.FAST_PARSE_SEED ?? 20261123));
    const n = Number(process.env.FAST_PARSE_CASES ?? 6000);
    let taken = 0;
    for (let i = 0; i < n; i++) {
      const text = r() < 0.5 ? rbacDoc(r) : `kind: Role\napiVersion: rbac.authorization.k8s.io/v1\nx:${entry(r, 0, 0)}${block(r, 0, 0)}`;
      if (check(text, `case ${i}`)) taken++;
      let m = text;
      for (let k = 0; k < 3; k++) {
        m = mutate(r, m);
        check(m, `case ${i} mutation ${k}`);
      }
    }
    // The fast path must take most plain documents, or it is not worth having.
    assert.ok(taken > n * 0.2, `fast path took ${taken} of ${n}`);
  });

  it('gives the full parse of multi-document files when the language server and CLI cut them into documents', () => {
    const r = mulberry32(Number(process.env.FAST_PARSE_SEED ?? 20261123) + 1);
    for (let i = 0; i < 1500; i++) {
      const docs = Array.from({ length: 1 + Math.floor(r() * 4) }, () => (r() < 0.7 ? rbacDoc(r) : `kind: Role\napiVersion: rbac.authorization.k8s.io/v1\nx:${entry(r, 0, 0)}`));
      const text = docs.join(pick(r, ['---\n', '--- # next\n', '\n---\n']));
      const full = normParse(parseRbacFile(text));
      assert.deepEqual(normParse(new ParseCache().parse(text)), full, `file ${i} (incremental):\n${text}`);
      assert.deepEqual(normParse(parseRbacText(text)), full, `file ${i} (one-shot):\n${text}`);
    }
  });

  it('takes every document of the benchmark corpus', () => {
    for (const f of corpus(42, 5, 100)) {
      for (const doc of f.text.split(/^---\n/m)) assert.ok(check(doc, f.name), `not taken:\n${doc}`);
    }
  });

  it('takes the everyday RBAC layouts', () => {
    for (const text of [
      'apiVersion: rbac.authorization.k8s.io/v1\nkind: Role\nmetadata:\n  name: ci\n  namespace: team-a\nrules:\n- apiGroups: [""]\n  resources: ["pods", "pods/log"]\n  verbs: ["get", "list"]  # read only\n',
      '---\n# pipeline role\napiVersion: rbac.authorization.k8s.io/v1\nkind: RoleBinding\nmetadata: {}\nroleRef:\n  apiGroup: rbac.authorization.k8s.io\n  kind: Role\n  name: ci\nsubjects:\n  - kind: ServiceAccount\n    name: ci\n    namespace: team-a\n',
      'apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: ci\nautomountServiceAccountToken: false\n',
    ]) {
      assert.ok(check(text, 'everyday'), `not taken:\n${text}`);
    }
  });
});
