/**
 * Hostile inputs for the parser and the engine: the shapes that once cost quadratic time, a finding per two bytes,
 * gigabytes, or crashed (issue 12), plus generic corruption. Deterministic from a seed, so a failure can be replayed.
 * Also used by `npm run bench` for the scaling figures.
 */

import { mulberry32 } from '../../cluster/roleGenerator';

export type Rand = () => number;

/** mulberry32 (the fuzz tests' generator): small and deterministic. */
export const rng: (seed: number) => Rand = mulberry32;

const pick = <T>(r: Rand, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
const int = (r: Rand, lo: number, hi: number) => lo + Math.floor(r() * (hi - lo + 1));

export const ROLE = `apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata:
  name: deployer
  namespace: team-a
rules:
- apiGroups: ["", apps]
  resources: [pods, deployments, secrets]
  verbs: [get, list, create, "*"]
- apiGroups: [""]
  resources: ["pods/exec"]
  verbs: [create]
`;

const BINDING = `apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: b, namespace: team-a}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: deployer}
subjects:
- &s {kind: ServiceAccount, name: default, namespace: team-a}
- <<: *s
  name: ci
`;

/** A `kind: List` of `items` Roles, block style (the fast parser's path). */
export function roleList(items: number): string {
  let s = 'apiVersion: v1\nkind: List\nitems:\n';
  for (let i = 0; i < items; i++) {
    s += `- apiVersion: rbac.authorization.k8s.io/v1\n  kind: Role\n  metadata:\n    name: r${i}\n    namespace: ci\n  rules:\n  - apiGroups: [""]\n    resources: [pods]\n    verbs: [get, list]\n`;
  }
  return s;
}

/** A one-line `kind: List` with an anchor, so the fast parser gives way to the `yaml` package (its slow path). */
export function flowRoleList(items: number): string {
  const item = (i: number) => `{apiVersion: rbac.authorization.k8s.io/v1, kind: Role, metadata: {name: r${i}, namespace: ci}, rules: [{apiGroups: [""], resources: [pods], verbs: [get]}]}`;
  return `apiVersion: v1\nkind: List\nx: &a 1\nitems:\n${Array.from({ length: items }, (_, i) => `- ${item(i)}\n`).join('')}`;
}

/** Role documents with wildcards, each inside a disable/enable pair for another rule: many findings, many ranges. */
export function suppressedRoles(n: number): string {
  const doc = (i: number) =>
    `# pipeline-rbac-disable secrets-read\n---\napiVersion: rbac.authorization.k8s.io/v1\nkind: Role\nmetadata: {name: r${i}, namespace: ci}\nrules:\n- apiGroups: ["*"]\n  resources: ["*"]\n  verbs: ["*"]\n# pipeline-rbac-enable secrets-read\n`;
  return Array.from({ length: n }, (_, i) => doc(i)).join('');
}

/** `n` disable-next-line comments in a row, all for the same line. */
export function nextLineComments(n: number): string {
  return `${'# pipeline-rbac-disable-next-line wildcard, nonsense-id\n'.repeat(n)}${ROLE}`;
}

/** One line of `bytes` double quotes: a yaml-syntax error per two bytes. */
export function quotesLine(bytes: number): string {
  return `${'"'.repeat(bytes)}\n`;
}

/** A Role whose rules are `bytes` of open brackets (or other nesting). */
export function nesting(bytes: number, unit = '['): string {
  return `apiVersion: rbac.authorization.k8s.io/v1\nkind: Role\nmetadata: {name: x}\nrules: ${unit.repeat(Math.ceil(bytes / unit.length))}\n`;
}

/** The "billion laughs": each level an alias list of the previous one, `width` wide. */
export function billionLaughs(levels: number, width = 9): string {
  const lines = ['apiVersion: rbac.authorization.k8s.io/v1', 'kind: ClusterRole', 'metadata: {name: lol}', 'a0: &a0 ["lol"]'];
  for (let i = 1; i <= levels; i++) lines.push(`a${i}: &a${i} [${Array(width).fill(`*a${i - 1}`).join(', ')}]`);
  lines.push(`rules: [{verbs: *a${levels}, nonResourceURLs: ["/x"]}]`);
  return lines.join('\n') + '\n';
}

const TOKENS = ['&a ', '*a', '<<: ', '- ', ': ', '[', ']', '{', '}', ',', '"', "'", '\n', '  ', '#', '---\n', '...\n', '|\n', '>-\n', '!!binary ', '%YAML 1.2\n', '? ', '\t', '\\', '\u0000', '\ufeff', '\r\n', '\ud800', '\ufffd', '__proto__: ', 'constructor: ', 'kind: Role\n', 'rules:', 'verbs:', '{{', '}}', '{{- ', ' .Values.x '];

export function mutate(r: Rand, text: string): string {
  const edits = int(r, 1, 8);
  for (let e = 0; e < edits; e++) {
    const at = int(r, 0, text.length);
    const op = r();
    if (op < 0.35) text = text.slice(0, at) + pick(r, TOKENS) + text.slice(at);
    else if (op < 0.6) text = text.slice(0, at) + text.slice(at + int(r, 1, 10));
    else if (op < 0.8) {
      // A byte flip in the UTF-8 encoding, decoded back as an editor would (invalid sequences become U+FFFD).
      const buf = Buffer.from(text, 'utf8');
      if (buf.length) buf[Math.min(buf.length - 1, Math.floor((at / (text.length + 1)) * buf.length))] ^= 1 << int(r, 0, 7);
      text = buf.toString('utf8');
    } else text = text.slice(0, at) + text.slice(int(r, 0, text.length)).slice(0, int(r, 0, 60)) + text.slice(at);
  }
  return text;
}

export const FAMILIES = ['list', 'flow-list', 'quotes', 'nesting', 'aliases', 'proto', 'mutated', 'truncated', 'invalid-utf8', 'nul', 'bom-crlf', 'soup', 'suppressions'] as const;
export type Family = (typeof FAMILIES)[number];

/** One hostile input of a family; sizes stay small enough for thousands per test run, with a few large ones. */
export function hostileInput(r: Rand, family: Family, large: boolean): string {
  switch (family) {
    case 'list':
      return roleList(large ? int(r, 1000, 2000) : int(r, 0, 20));
    case 'flow-list':
      return flowRoleList(large ? int(r, 500, 1000) : int(r, 0, 10));
    case 'quotes':
      return pick(r, ['', 'kind: Role\n', 'a: ']) + quotesLine(large ? int(r, 100_000, 200_000) : int(r, 1, 3000));
    case 'nesting':
      return nesting(large ? int(r, 500_000, 2_000_000) : int(r, 1, 2000), pick(r, ['[', '{', '- ', '? ', '[{a: ', '- [', '{a: [']));
    case 'aliases':
      return pick(r, [billionLaughs(int(r, 1, 12), int(r, 2, 12)), `${ROLE}x: &r [*r]\n`, BINDING, `a: &a\n  <<: *a\n${ROLE}`, mutate(r, BINDING)]);
    case 'proto':
      return `${ROLE}__proto__: {polluted: yes}\nconstructor: {prototype: {polluted: yes}}\n${pick(r, ['', 'metadata:\n  __proto__: x\n', '"__proto__": [1]\n', '<<: {__proto__: {polluted: 1}}\n'])}`;
    case 'mutated':
      return mutate(r, pick(r, [ROLE, BINDING, roleList(3), `${ROLE}---\n${BINDING}`]));
    case 'truncated': {
      const t = pick(r, [ROLE, BINDING, roleList(3), billionLaughs(4)]);
      return t.slice(0, int(r, 0, t.length));
    }
    case 'invalid-utf8': {
      const buf = Buffer.from(ROLE, 'utf8');
      const junk = Buffer.from(Array.from({ length: int(r, 1, 40) }, () => int(r, 0x80, 0xff)));
      const at = int(r, 0, buf.length);
      return Buffer.concat([buf.subarray(0, at), junk, buf.subarray(at)]).toString('utf8') + (r() < 0.3 ? '\ud800' : '');
    }
    case 'nul':
      return ROLE.replace(/ /g, () => (r() < 0.05 ? '\u0000' : ' '));
    case 'bom-crlf':
      return (r() < 0.5 ? '\ufeff' : '') + (r() < 0.7 ? ROLE.replace(/\n/g, '\r\n') : ROLE.replace(/\n/g, '\r'));
    case 'suppressions':
      return r() < 0.5 ? suppressedRoles(large ? int(r, 1000, 3000) : int(r, 0, 5)) : nextLineComments(large ? int(r, 10_000, 40_000) : int(r, 0, 50));
    case 'soup':
      return Array.from({ length: large ? 20_000 : int(r, 0, 200) }, () => pick(r, TOKENS)).join('');
  }
}

/**
 * A Role with one rule of n entries in each list (groups, resources, verbs, resourceNames): n^4 atoms in 1.8 KB at
 * n = 60 (issue 20). Some of each list is what test/fixtures/rbac/developer-held.yaml holds, so part is covered.
 */
export function wideRole(n: number, namespace = 'team-a'): string {
  const list = (held: string[], prefix: string) => [...held, ...Array.from({ length: n - held.length }, (_, i) => `${prefix}${i}`)].slice(0, n);
  const flow = (xs: string[]) => `[${xs.map((x) => JSON.stringify(x)).join(', ')}]`;
  return [
    'apiVersion: rbac.authorization.k8s.io/v1',
    'kind: Role',
    `metadata: {name: wide, namespace: ${namespace}}`,
    'rules:',
    `  - apiGroups: ${flow(list(['', 'apps'], 'g'))}`,
    `    resources: ${flow(list(['configmaps', 'deployments', 'secrets'], 'r'))}`,
    `    verbs: ${flow(list(['get', 'create', 'delete'], 'v'))}`,
    `    resourceNames: ${flow(list([], 'n'))}`,
    '',
  ].join('\n');
}
