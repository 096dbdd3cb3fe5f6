import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseRbacFile } from '../../server/src/core/engine/yaml/parse';
import { mulberry32 } from '../cluster/roleGenerator';

/** CPU milliseconds spent in `f` (wall time is meaningless on a loaded 2-core machine). */
function cpuMs(f: () => void): number {
  const start = process.cpuUsage();
  f();
  const d = process.cpuUsage(start);
  return (d.user + d.system) / 1000;
}

const HEADER = 'apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata: {name: bomb}\n';

/** The "billion laughs": each level repeats the previous one 9 times (9^9 leaves when expanded). */
function billionLaughs(levels: number): string {
  const lines = [HEADER + 'a0: &a0 ["lol"]'];
  for (let i = 1; i <= levels; i++) lines.push(`a${i}: &a${i} [${Array(9).fill(`*a${i - 1}`).join(', ')}]`);
  lines.push(`rules: [{verbs: *a${levels}, nonResourceURLs: ["/x"]}]`);
  return lines.join('\n') + '\n';
}

test('an alias bomb returns quickly with a finding at an alias', () => {
  const text = billionLaughs(9);
  let r = parseRbacFile('');
  const ms = cpuMs(() => (r = parseRbacFile(text)));
  assert.ok(ms < 1000, `took ${ms.toFixed(1)} ms of CPU`);
  assert.equal(r.objects.length, 0);
  const f = r.findings.find((x) => /alias/i.test(x.message));
  assert.ok(f, JSON.stringify(r.findings));
  assert.equal(f.ruleId, 'yaml-syntax');
  assert.equal(f.severity, 'error');
  assert.match(text.slice(f.span.start, f.span.end), /^\*a\d$/);
  console.log(`alias bomb (9 levels): ${ms.toFixed(1)} ms CPU`);
});

test('a wide alias fan-out that stays under the alias count is stopped by the node budget', () => {
  // 100 aliases, each to a 500-item list: 50,000 nodes from 600 written.
  const big = `[${Array.from({ length: 500 }, (_, i) => `v${i}`).join(', ')}]`;
  const text = `${HEADER}x: &big ${big}\ny: [${Array(100).fill('*big').join(', ')}]\n`;
  const r = parseRbacFile(text);
  assert.equal(r.objects.length, 0);
  assert.match(r.findings[0]!.message, /more than 10000 nodes/);
  // With a larger node budget the same document is fine.
  assert.equal(parseRbacFile(text, { maxAliasNodes: 100_000 }).objects.length, 1);
});

test('modest alias use is expanded; the alias count limit is configurable', () => {
  const text = `${HEADER}rules:\n- &r {apiGroups: [""], resources: [pods], verbs: [get]}\n- *r\n- *r\n`;
  const ok = parseRbacFile(text);
  assert.deepEqual(ok.findings, []);
  assert.equal(ok.objects[0]!.rules.length, 3);
  const limited = parseRbacFile(text, { maxAliasCount: 1 });
  assert.match(limited.findings[0]!.message, /More than 1 alias expansions/);
});

test('a recursive alias is a finding, not a stack overflow', () => {
  const r = parseRbacFile(`${HEADER}rules: &r [*r]\n`);
  assert.equal(r.objects.length, 0);
  assert.ok(r.findings.some((f) => f.ruleId === 'yaml-syntax'), JSON.stringify(r.findings));
});

test('deep nesting ends in a finding', () => {
  const depth = 5000;
  const r = parseRbacFile(`${HEADER}rules: ${'['.repeat(depth)}${']'.repeat(depth)}\n`);
  assert.equal(r.objects.length, 0);
  assert.ok(r.findings.length >= 1);
});

test('a 6 MB input gives a single limit finding at the start', () => {
  const doc = `${HEADER}rules:\n- {apiGroups: [""], resources: [pods], verbs: [get, list, watch]}\n---\n`;
  const text = doc.repeat(Math.ceil((6 * 1024 * 1024) / doc.length));
  assert.ok(text.length >= 6 * 1024 * 1024);
  let r = parseRbacFile('');
  const ms = cpuMs(() => (r = parseRbacFile(text)));
  assert.equal(r.findings.length, 1);
  assert.equal(r.objects.length, 0);
  const f = r.findings[0]!;
  assert.equal(f.span.start, 0);
  assert.match(f.message, /larger than 5 MB/);
  // A guard, not a benchmark: parsing 6 MB takes seconds, answering from the size check takes milliseconds.
  assert.ok(ms < 2000, `limit check took ${ms} ms: did it parse the text?`);
  // Multi-byte text counts in UTF-8 bytes: 2M characters of 3 bytes each is over 5 MB.
  assert.equal(parseRbacFile(`# ${'€'.repeat(2_000_000)}`).findings.length, 1);
  assert.equal(parseRbacFile(`# ${'€'.repeat(1_000_000)}`).findings.length, 0);
});

test('too many documents gives a single limit finding', () => {
  const text = 'a: 1\n---\n'.repeat(30);
  const r = parseRbacFile(text, { maxDocuments: 10 });
  assert.equal(r.findings.length, 1);
  assert.match(r.findings[0]!.message, /more than 10 YAML documents/);
  assert.equal(parseRbacFile(text, { maxDocuments: 100 }).findings.length, 0);
});

test('a file just under the limits with many RBAC documents parses in reasonable time', () => {
  const doc = (i: number) =>
    `apiVersion: rbac.authorization.k8s.io/v1\nkind: Role\nmetadata: {name: r${i}, namespace: ci}\nrules:\n- apiGroups: ["", apps]\n  resources: [pods, deployments]\n  verbs: [get, list, watch, create]\n`;
  const text = Array.from({ length: 10_000 }, (_, i) => doc(i)).join('---\n');
  let r = parseRbacFile('');
  const ms = cpuMs(() => (r = parseRbacFile(text)));
  assert.equal(r.objects.length, 10_000);
  assert.equal(r.findings.length, 0);
  console.log(`10,000 Role documents (${(text.length / 1024 / 1024).toFixed(2)} MB): ${ms.toFixed(0)} ms CPU`);
  // Generous: catches super-linear behaviour, not a slow machine.
  assert.ok(ms < 20_000, `${ms} ms CPU`);
});


const SEEDS = [
  `${HEADER}rules:\n- apiGroups: [""]\n  resources: [pods, "pods/exec"]\n  verbs: [get, create]\n  resourceNames: [a]\n---\nkind: List\napiVersion: v1\nitems:\n- {kind: Role, apiVersion: rbac.authorization.k8s.io/v1, metadata: {name: x}, rules: [{verbs: ['*'], apiGroups: ['*'], resources: ['*']}]}\n`,
  `kind: RoleBinding\napiVersion: rbac.authorization.k8s.io/v1\nmetadata: {name: b}\nroleRef: {kind: Role, name: r, apiGroup: rbac.authorization.k8s.io}\nsubjects:\n- &s {kind: ServiceAccount, name: ci}\n- <<: *s\n  namespace: x\n`,
  billionLaughs(3),
];
const TOKENS = ['&a ', '*a', '<<: ', '- ', ': ', '[', ']', '{', '}', ',', '"', "'", '\n', '  ', '#', '---\n', '...\n', '|\n', '>-\n', '!!binary ', '%YAML 1.2\n', '? ', '\t', '\\', '\u2028', '\ud83d', 'é', 'kind: Role\n', 'rules:', 'verbs:'];

test('fuzz: random and mutated YAML never throws and spans stay inside the text', () => {
  const rand = mulberry32(20260501) /* deterministic, so a failing fuzz case can be replayed */;
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;
  const t0 = performance.now();
  let withObjects = 0;
  for (let i = 0; i < 2000; i++) {
    let text = pick(SEEDS);
    const edits = 1 + Math.floor(rand() * 8);
    for (let e = 0; e < edits; e++) {
      const at = Math.floor(rand() * (text.length + 1));
      const op = rand();
      if (op < 0.4) text = text.slice(0, at) + pick(TOKENS) + text.slice(at);
      else if (op < 0.7) text = text.slice(0, at) + text.slice(at + 1 + Math.floor(rand() * 10));
      else if (op < 0.85) text = text.slice(0, at) + String.fromCharCode(Math.floor(rand() * 0x3000)) + text.slice(at);
      else {
        const from = Math.floor(rand() * text.length);
        text = text.slice(0, at) + text.slice(from, from + Math.floor(rand() * 40)) + text.slice(at);
      }
    }
    if (i % 10 === 0) text = Array.from({ length: Math.floor(rand() * 200) }, () => pick(TOKENS)).join('');
    let r;
    try {
      r = parseRbacFile(text);
    } catch (err) {
      assert.fail(`threw on case ${i}: ${String(err)}\n${JSON.stringify(text)}`);
    }
    if (r.objects.length) withObjects++;
    for (const f of r.findings) assert.ok(f.span.start >= 0 && f.span.start <= f.span.end && f.span.end <= text.length, `case ${i}`);
    for (const o of r.objects) {
      for (const s of o.pointerSpans.values()) assert.ok(s.start >= 0 && s.start <= s.end && s.end <= text.length, `case ${i}`);
      for (const rule of o.rules) {
        for (const [field, loc] of Object.entries(rule.fields)) {
          assert.equal(loc!.items.length, rule.rule[field as keyof typeof rule.rule]!.length, `case ${i}: items align with values`);
        }
      }
    }
  }
  console.log(`fuzz: 2000 cases in ${(performance.now() - t0).toFixed(0)} ms, ${withObjects} yielded RBAC objects`);
  assert.ok(withObjects > 60, 'mutations still produce objects, so the extraction path is exercised');
});

test('a limit hit inside a List drops the whole document, not just the item', () => {
  const text = `apiVersion: v1
kind: List
items:
- {apiVersion: v1, kind: ServiceAccount, metadata: {name: fine}}
- apiVersion: rbac.authorization.k8s.io/v1
  kind: Role
  metadata: {name: bomb}
  rules: &r [*r]
---
apiVersion: v1
kind: ServiceAccount
metadata: {name: next-doc}
`;
  const r = parseRbacFile(text);
  assert.deepEqual(r.objects.map((o) => o.name), ['next-doc']);
  assert.equal(r.findings.length, 1);
  assert.equal(r.findings[0]!.documentIndex, 0);
});

test('nesting is refused while reading: one finding where the limit was crossed, earlier documents kept', () => {
  const before = `${HEADER}rules: []\n---\n`;
  const text = `${before}${HEADER}rules: ${'['.repeat(2 * 1024 * 1024)}\n`;
  let r = parseRbacFile('');
  const ms = cpuMs(() => (r = parseRbacFile(text)));
  assert.deepEqual(r.objects.map((o) => o.name), ['bomb']);
  assert.equal(r.findings.length, 1, JSON.stringify(r.findings));
  const f = r.findings[0]!;
  assert.match(f.message, /^YAML nested deeper than 500 levels here \(the limit for RBAC analysis\); the rest of the file was not analysed\.$/);
  assert.equal(f.documentIndex, 1);
  // The limit is crossed at the 501st open bracket (the parser also counts the mapping the rules are in).
  const rulesAt = text.lastIndexOf('rules: ') + 'rules: '.length;
  assert.ok(f.span.start > rulesAt + 400 && f.span.end < rulesAt + 600, `at ${f.span.start - rulesAt} brackets`);
  // A guard, not a benchmark: reading 2 MB of brackets into a tree took 22 s of CPU and 2.9 GB.
  assert.ok(ms < 2000, `${ms} ms of CPU`);
  // The limit is configurable; nesting within it is read as before.
  assert.equal(parseRbacFile(`${HEADER}rules: [[[[]]]]\n`, { maxDepth: 3 }).findings.length, 1);
  assert.deepEqual(parseRbacFile(`${HEADER}rules: [[[[]]]]\n`, { maxDepth: 6 }).findings.filter((x) => /nested/.test(x.message)), []);
});
