import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ParseCache, parseRbacText, splitRules } from '../../server/src/core/engine/yaml/parseCache';
import { parseRbacFile } from '../../server/src/core/engine/yaml/parse';
import { mulberry32 } from '../cluster/roleGenerator';
import { normParse } from './helpers/parseResult';


type Rand = () => number;

const pick = <T>(r: Rand, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;

function ruleItem(r: Rand, indent: string): string {
  const g = pick(r, ['""', 'apps', '"batch"', "'networking.k8s.io'", '"*"']);
  const res = pick(r, ['[pods]', '["deployments", "secrets"]', '["*"]', '[pods/exec, "pods/log"]']);
  const verbs = pick(r, ['["get", "list"]', '[create]', '["*"]', "['watch']"]);
  const style = r();
  const comment = r() < 0.15 ? `${indent}  # note ${Math.floor(r() * 99)}\n` : '';
  const blankLine = r() < 0.1 ? '\n' : '';
  if (style < 0.4) return `${indent}- apiGroups: [${g}]\n${indent}  resources: ${res}\n${comment}${indent}  verbs: ${verbs}\n${blankLine}`;
  if (style < 0.7) return `${indent}- verbs: ${verbs}\n${indent}  apiGroups:\n${indent}  - ${g}\n${indent}  resources: ${res}${r() < 0.2 ? '\n' + indent + '  resourceNames: [a, "b"]' : ''}\n${comment}`;
  if (style < 0.85) return `${indent}- {apiGroups: [${g}], resources: ${res}, verbs: ${verbs}}\n${blankLine}`;
  return `${indent}- nonResourceURLs: ["/metrics", /logs*]\n${indent}  verbs: [get]\n`;
}

function role(r: Rand, rules: number): string {
  const indent = pick(r, ['', '  ', '    ']);
  const kind = pick(r, ['Role', 'ClusterRole']);
  const tail = r() < 0.3 ? `${kind === 'ClusterRole' ? 'aggregationRule:\n  clusterRoleSelectors: []\n' : 'extra: 1\n'}` : '';
  const head = `apiVersion: rbac.authorization.k8s.io/v1\nkind: ${kind}\nmetadata:\n  name: r${Math.floor(r() * 1000)}\n${kind === 'Role' ? '  namespace: team-a\n' : ''}`;
  const body = `rules:${r() < 0.1 ? ' # the rules' : ''}\n${Array.from({ length: rules }, () => ruleItem(r, indent)).join('')}`;
  return r() < 0.5 ? head + body + tail : head + tail + body;
}

function otherDoc(r: Rand): string {
  return pick(r, [
    'apiVersion: rbac.authorization.k8s.io/v1\nkind: RoleBinding\nmetadata: {name: b, namespace: team-a}\nroleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: r}\nsubjects:\n- kind: ServiceAccount\n  name: ci\n',
    'apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\n',
    '# only a comment\n',
    'kind: Role\nmetadata: {name: broken\nrules: [\n',
    'apiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: ServiceAccount\n  metadata: {name: sa}\n',
    'base: &b [get]\nkind: Role\napiVersion: rbac.authorization.k8s.io/v1\nmetadata: {name: a}\nrules:\n- apiGroups: [""]\n  resources: [pods]\n  verbs: *b\n',
    '',
  ]);
}

function file(r: Rand): string {
  const docs = Array.from({ length: 1 + Math.floor(r() * 4) }, () => (r() < 0.5 ? role(r, 1 + Math.floor(r() * 80)) : otherDoc(r)));
  const lead = r() < 0.3 ? '---\n' : r() < 0.2 ? '# header\n' : '';
  return lead + docs.join(pick(r, ['---\n', '--- # next\n', '\n---\n']));
}

describe('ParseCache: chunked, cached parsing equals the full parse', () => {
  it('gives exactly parseRbacFile\'s result on 200 random files, also after random edits with a warm cache', () => {
    const r = mulberry32(Number(process.env.PARSE_CACHE_SEED ?? 20261123));
    let split = 0;
    for (let n = 0; n < 200; n++) {
      const cache = new ParseCache();
      let text = file(r);
      assert.deepEqual(normParse(cache.parse(text)), normParse(parseRbacFile(text)), `file ${n}:\n${text}`);
      assert.deepEqual(normParse(parseRbacText(text)), normParse(parseRbacFile(text)), `file ${n} (one-shot):\n${text}`);
      if (text.includes('rules:') && splitRules(text.slice(text.indexOf('apiVersion')))) split++;
      for (let e = 0; e < 3; e++) {
        const at = Math.floor(r() * text.length);
        const edit = pick(r, ['', 'x', '"list", ', '\n', '  - apiGroups: [""]\n    resources: [pods]\n    verbs: [get]\n', '#']);
        text = text.slice(0, at) + edit + text.slice(at + Math.floor(r() * 4));
        assert.deepEqual(normParse(cache.parse(text)), normParse(parseRbacFile(text)), `file ${n} edit ${e}:\n${text}`);
      }
    }
    assert.ok(split > 50, `many files took the split path (${split})`);
  });

  it('re-parses only what changed: an edit in one rule of 2,000 reuses the other 1,999', () => {
    const r = mulberry32(7);
    const text = `apiVersion: rbac.authorization.k8s.io/v1\nkind: Role\nmetadata: {name: big, namespace: team-a}\nrules:\n${Array.from({ length: 2000 }, () => ruleItem(r, '  ')).join('')}`;
    const cache = new ParseCache();
    const first = cache.parse(text);
    assert.equal(first.objects[0]!.rules.length, 2000);
    const at = text.indexOf('verbs', text.length >> 1);
    const edited = text.slice(0, at) + 'verbs: ["get", "watch"]\n  # x\n  ' + text.slice(at);
    assert.deepEqual(normParse(cache.parse(edited)), normParse(parseRbacFile(edited)));
  });
});
