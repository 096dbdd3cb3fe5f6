/**
 * Covers: the cases of Kubernetes' policy_comparator_test.go and policy_compact_test.go (written anew, same cases),
 * plus the message format of ConfirmNoEscalation.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { PolicyRule } from '../../server/src/core/engine/model';
import {
  breakdownRule,
  compactRules,
  covers,
  describeMissing,
  escalationErrorText,
  formatRule,
  nonResourceURLCovers,
  ruleCovers,
} from '../../server/src/core/engine/rbac/covers';
import { goQuote } from '../../server/src/core/engine/rbac/goFormat';

const r = (verbs: string[], apiGroups: string[], resources: string[], resourceNames?: string[]): PolicyRule =>
  resourceNames ? { verbs, apiGroups, resources, resourceNames } : { verbs, apiGroups, resources };
const url = (verbs: string[], nonResourceURLs: string[]): PolicyRule => ({ verbs, nonResourceURLs });

/** Order-insensitive comparison, like upstream's rulesMatch. */
function sameRules(actual: PolicyRule[], expected: PolicyRule[]): void {
  const key = (x: PolicyRule) => JSON.stringify([x.apiGroups ?? [], x.resources ?? [], x.resourceNames ?? [], x.nonResourceURLs ?? [], x.verbs]);
  assert.deepEqual(actual.map(key).sort(), expected.map(key).sort());
}

function check(owner: PolicyRule[], servant: PolicyRule[], expectedCovered: boolean, expectedMissing: PolicyRule[]): void {
  const got = covers(owner, servant);
  assert.equal(got.covered, expectedCovered);
  sameRules(got.missing.flatMap(breakdownRule), expectedMissing);
}

describe('covers (upstream comparator cases)', () => {
  test('exact match', () => check([r(['get'], ['v1'], ['builds'])], [r(['get'], ['v1'], ['builds'])], true, []));
  test('subresource wildcard */scale covers foo/scale', () =>
    check([r(['get'], ['v1'], ['*/scale'])], [r(['get'], ['v1'], ['foo/scale'])], true, []));
  test('multiple rules cover a single rule', () =>
    check(
      [r(['delete'], ['v1'], ['deployments']), r(['delete'], ['v1'], ['builds']), r(['update'], ['v1'], ['builds', 'deployments'])],
      [r(['delete', 'update'], ['v1'], ['builds', 'deployments'])],
      true,
      [],
    ));
  const perGroup = (g: string) => [r(['delete'], [g], ['deployments']), r(['delete'], [g], ['builds']), r(['update'], [g], ['builds', 'deployments'])];
  test('multiple API groups covering a single rule', () =>
    check([...perGroup('group1'), ...perGroup('group2')], [r(['delete', 'update'], ['group1', 'group2'], ['builds', 'deployments'])], true, []));
  test('a single rule covering multiple groups', () =>
    check([r(['delete', 'update'], ['group1', 'group2'], ['builds', 'deployments'])], [...perGroup('group1'), ...perGroup('group2')], true, []));
  test('multiple rules missing a single verb/resource combination', () =>
    check(
      [r(['delete', 'update'], ['v1'], ['builds', 'deployments']), r(['delete'], ['v1'], ['pods'])],
      [r(['delete', 'update'], ['v1'], ['builds', 'deployments', 'pods'])],
      false,
      [r(['update'], ['v1'], ['pods'])],
    ));
  test('apiGroup * covers multiple groups', () => check([r(['get'], ['*'], ['roles'])], [r(['get'], ['group1', 'group2'], ['roles'])], true, []));
  test('an enumeration does not cover apiGroup *', () =>
    check([r(['get'], ['dummy-group'], ['roles'])], [r(['get'], ['*'], ['roles'])], false, [r(['get'], ['*'], ['roles'])]));
  test('apiGroup * covers *', () => check([r(['get'], ['*'], ['roles'])], [r(['get'], ['*'], ['roles'])], true, []));
  test('verb * covers multiple verbs', () => check([r(['*'], ['v1'], ['roles'])], [r(['watch', 'list'], ['v1'], ['roles'])], true, []));
  test('an enumeration does not cover verb *', () =>
    check(
      [r(['get', 'list', 'watch', 'create', 'update', 'delete', 'exec'], ['v1'], ['roles'])],
      [r(['*'], ['v1'], ['roles'])],
      false,
      [r(['*'], ['v1'], ['roles'])],
    ));
  test('verb * covers *', () => check([r(['*'], ['v1'], ['roles'])], [r(['*'], ['v1'], ['roles'])], true, []));
  test('resource * covers any resource', () =>
    check([r(['get'], ['v1'], ['*'])], [r(['get'], ['v1'], ['resourcegroup:deployments'])], true, []));
  test('an enumeration does not cover resource *', () =>
    check([r(['get'], ['v1'], ['roles', 'resourcegroup:deployments'])], [r(['get'], ['v1'], ['*'])], false, [r(['get'], ['v1'], ['*'])]));
  test('resource * covers *', () => check([r(['get'], ['v1'], ['*'])], [r(['get'], ['v1'], ['*'])], true, []));
  test('no resourceNames covers named ones', () =>
    check([r(['get'], ['v1'], ['pods'], [])], [r(['get'], ['v1'], ['pods'], ['foo', 'bar'])], true, []));
  test('named ones do not cover no resourceNames', () =>
    check([r(['get'], ['v1'], ['pods'], ['foo', 'bar'])], [r(['get'], ['v1'], ['pods'], [])], false, [r(['get'], ['v1'], ['pods'])]));
  test('nonResourceURLs exact', () => check([url(['*'], ['/apis'])], [url(['*'], ['/apis'])], true, []));
  test('nonResourceURLs *', () => check([url(['*'], ['*'])], [url(['*'], ['/apis', '/apis/v1', '/'])], true, []));
  test('a star after a prefix does not cover the prefix itself', () =>
    check([url(['*'], ['/apis/*'])], [url(['get'], ['/apis', '/apis/v1'])], false, [url(['get'], ['/apis'])]));
  test('a star after a prefix covers paths below it', () => check([url(['*'], ['/apis/*'])], [url(['get'], ['/apis/v1/foo', '/apis/v1'])], true, []));
  test('nonResourceURLs with other fields', () =>
    check(
      [{ ...r(['get'], ['v1'], ['builds']), nonResourceURLs: ['/apis'] }],
      [{ ...r(['get'], ['v1'], ['builds']), nonResourceURLs: ['/apis'] }],
      true,
      [],
    ));
  test('nonResourceURLs with other fields, failure', () =>
    check([r(['get'], ['v1'], ['builds'])], [{ ...r(['get'], ['v1'], ['builds']), nonResourceURLs: ['/apis'] }], false, [url(['get'], ['/apis'])]));

  test('nonResourceURLCovers table', () => {
    const cases: [string, string, boolean][] = [
      ['*', '', true],
      ['*', '/', true],
      ['*', '/api', true],
      ['/*', '', false],
      ['/*', '/', true],
      ['/*', '/foo', true],
      ['/api', '/api', true],
      ['/apis', '/api', false],
      ['/api/v1', '/api', false],
      ['/api/v1', '/api/v1', true],
      ['/api/*', '/api/v1', true],
      ['/api/*', '/api', false],
      ['/api/*/*', '/api/v1', false],
      ['/*/v1/*', '/api/v1', false],
    ];
    for (const [owner, requested, want] of cases) assert.equal(nonResourceURLCovers(owner, requested), want, `${owner} vs ${requested}`);
  });
});

describe('covers (semantics from the reference notes)', () => {
  test('pods does not cover pods/log, */log does, and */* is no wildcard', () => {
    assert.equal(covers([r(['get'], [''], ['pods'])], [r(['get'], [''], ['pods/log'])]).covered, false);
    assert.equal(covers([r(['get'], [''], ['*/log'])], [r(['get'], [''], ['pods/log'])]).covered, true);
    assert.equal(covers([r(['get'], [''], ['*/*'])], [r(['get'], [''], ['pods/log'])]).covered, false);
    assert.equal(covers([r(['get'], [''], ['*/scale'])], [r(['get'], [''], ['*/scale'])]).covered, true);
    assert.equal(covers([r(['get'], [''], ['deployments/scale'])], [r(['get'], [''], ['*/scale'])]).covered, false);
  });
  test('empty apiGroups or resources produce no resource atoms (trivially covered)', () => {
    assert.deepEqual(breakdownRule({ verbs: ['get'], resources: ['pods'] }), []);
    assert.deepEqual(breakdownRule({ verbs: ['get'], apiGroups: [''] }), []);
    assert.equal(covers([], [{ verbs: ['get'], apiGroups: [''], resources: [] }]).covered, true);
  });
  test('breakdown order: group x resource x verb x name, then URLs x verbs', () => {
    const atoms = breakdownRule({ verbs: ['get', 'list'], apiGroups: ['', 'apps'], resources: ['a'], resourceNames: ['n'], nonResourceURLs: ['/x'] });
    assert.deepEqual(atoms.map(formatRule), [
      '{APIGroups:[""], Resources:["a"], ResourceNames:["n"], Verbs:["get"]}',
      '{APIGroups:[""], Resources:["a"], ResourceNames:["n"], Verbs:["list"]}',
      '{APIGroups:["apps"], Resources:["a"], ResourceNames:["n"], Verbs:["get"]}',
      '{APIGroups:["apps"], Resources:["a"], ResourceNames:["n"], Verbs:["list"]}',
      '{NonResourceURLs:["/x"], Verbs:["get"]}',
      '{NonResourceURLs:["/x"], Verbs:["list"]}',
    ]);
  });
  test('resource atoms and URL atoms never cover each other', () => {
    assert.equal(ruleCovers(url(['*'], ['*']), r(['get'], [''], ['pods'])), false);
    assert.equal(ruleCovers(r(['*'], ['*'], ['*']), url(['get'], ['/healthz'])), false);
  });
  test('a named atom is covered by an owner listing that name', () => {
    assert.equal(ruleCovers(r(['get'], [''], ['cm'], ['a', 'b']), r(['get'], [''], ['cm'], ['b'])), true);
    assert.equal(ruleCovers(r(['get'], [''], ['cm'], ['a']), r(['get'], [''], ['cm'], ['b'])), false);
  });
});

describe('compactRules (upstream compaction cases)', () => {
  test('simple rules merge by group/resource/name; others pass through', () => {
    const rules: PolicyRule[] = [
      r(['get'], [''], ['builds']),
      r(['list'], [''], ['builds']),
      r(['update', 'patch'], [''], ['builds']),
      r(['create'], ['extensions'], ['daemonsets']),
      r(['delete'], ['extensions'], ['daemonsets']),
      r(['patch'], ['extensions'], ['daemonsets'], ['']),
      r(['get'], ['extensions'], ['daemonsets'], ['foo']),
      r(['list'], ['extensions'], ['daemonsets'], ['foo']),
      r(['educate'], [''], ['dolphins']),
      r([], [''], ['pirates']),
      r([], [''], ['pods']),
      r(['create'], [''], ['pods']),
    ];
    const before = JSON.stringify(rules);
    const compacted = compactRules(rules);
    assert.equal(JSON.stringify(rules), before, 'input not mutated');
    sameRules(compacted, [
      r(['create', 'delete'], ['extensions'], ['daemonsets']),
      r(['patch'], ['extensions'], ['daemonsets'], ['']),
      r(['get', 'list'], ['extensions'], ['daemonsets'], ['foo']),
      r(['get', 'list', 'update', 'patch'], [''], ['builds']),
      r(['educate'], [''], ['dolphins']),
      r([], [''], ['pirates']),
      r(['create'], [''], ['pods']),
    ]);
    assert.equal(covers(compacted, rules).covered, true);
    assert.equal(covers(rules, compacted).covered, true);
  });
  test('multi-group, multi-resource, different names and URL rules are not merged', () => {
    for (const rules of [
      [r(['get'], ['', 'builds.openshift.io'], ['builds']), r(['list'], ['', 'builds.openshift.io'], ['builds'])],
      [r(['get'], [''], ['builds', 'images']), r(['list'], [''], ['builds', 'images'])],
      [r(['get'], [''], ['builds'], ['mybuild']), r(['list'], [''], ['builds'], ['mybuild2'])],
      [{ ...r(['get'], [''], ['builds']), nonResourceURLs: ['/'] }, { ...r(['get'], [''], ['builds']), nonResourceURLs: ['/foo'] }],
    ]) {
      sameRules(compactRules(rules), rules);
    }
  });
});

describe('messages as the apiserver prints them', () => {
  test('CompactString format and Go quoting', () => {
    assert.equal(formatRule(r(['get', 'list', 'watch'], [''], ['endpoints'])), '{APIGroups:[""], Resources:["endpoints"], Verbs:["get" "list" "watch"]}');
    assert.equal(formatRule(url(['get'], ['/healthz'])), '{NonResourceURLs:["/healthz"], Verbs:["get"]}');
    assert.equal(goQuote('a"b\\c\n\u0001é'), '"a\\"b\\\\c\\n\\x01é"');
  });
  test('missing atoms are compacted, de-duplicated and sorted', () => {
    const { missing } = covers([r(['get'], [''], ['pods'])], [r(['get', 'create', 'delete'], ['', 'apps'], ['pods', 'deployments'])]);
    assert.deepEqual(describeMissing(missing), [
      '{APIGroups:[""], Resources:["deployments"], Verbs:["get" "create" "delete"]}',
      '{APIGroups:[""], Resources:["pods"], Verbs:["create" "delete"]}',
      '{APIGroups:["apps"], Resources:["deployments"], Verbs:["get" "create" "delete"]}',
      '{APIGroups:["apps"], Resources:["pods"], Verbs:["get" "create" "delete"]}',
    ]);
  });
  test('the ConfirmNoEscalation sentence', () => {
    const text = escalationErrorText({ username: 'system:serviceaccount:rbac:privesc', groups: ['system:serviceaccounts', 'system:authenticated'] }, [
      r(['delete'], [''], ['pods']),
    ]);
    assert.equal(
      text,
      'user "system:serviceaccount:rbac:privesc" (groups=["system:serviceaccounts" "system:authenticated"]) is attempting to grant RBAC permissions not currently held:\n{APIGroups:[""], Resources:["pods"], Verbs:["delete"]}',
    );
  });
});

/** A literal transliteration of upstream's Covers (arrays, no indexing), to check the optimised one against. */
function referenceCovers(owner: PolicyRule[], servant: PolicyRule[]): PolicyRule[] {
  const has = (set: string[] = [], e: string) => set.includes(e);
  const hasAll = (set: string[] = [], c: string[] = []) => c.every((e) => set.includes(e));
  const resourceCoversAll = (set: string[] = [], c: string[] = []) => {
    if (has(set, '*') || hasAll(set, c)) return true;
    for (const path of c) {
      if (has(set, path)) continue;
      if (!path.includes('/')) return false;
      if (!has(set, `*/${path.split('/').slice(1).join('/')}`)) return false;
    }
    return true;
  };
  const urlCovers = (o: string, p: string) => o === p || (o.endsWith('*') && p.startsWith(o.replace(/\*+$/, '')));
  const rc = (o: PolicyRule, s: PolicyRule) =>
    (has(o.verbs, '*') || hasAll(o.verbs, s.verbs)) &&
    (has(o.apiGroups, '*') || hasAll(o.apiGroups, s.apiGroups)) &&
    resourceCoversAll(o.resources, s.resources) &&
    (s.nonResourceURLs ?? []).every((p) => (o.nonResourceURLs ?? []).some((u) => urlCovers(u, p))) &&
    ((s.resourceNames ?? []).length === 0 ? (o.resourceNames ?? []).length === 0 : (o.resourceNames ?? []).length === 0 || hasAll(o.resourceNames, s.resourceNames));
  return servant.flatMap(breakdownRule).filter((a) => !owner.some((o) => rc(o, a)));
}

/** Upstream's message lines from atoms: CompactRules, CompactString, a sorted set. */
function referenceLines(atoms: PolicyRule[]): string[] {
  return [...new Set(compactRules(atoms).map(formatRule))].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

describe('covers agrees with a literal transliteration on random rules', () => {
  test('5,000 random owner/servant pairs (seeded)', () => {
    let seed = 20240611;
    // mulberry32
    const rand = (n: number): number => {
      seed = (seed + 0x6d2b79f5) | 0;
      let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
      t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
      return (((t ^ (t >>> 14)) >>> 0) / 4294967296) * n | 0;
    };
    const pick = (pool: string[], max: number) => Array.from({ length: rand(max + 1) }, () => pool[rand(pool.length)]!);
    const verbs = ['get', 'list', 'create', 'delete', '*', 'escalate'];
    const groups = ['', 'apps', 'batch', '*'];
    const resources = ['pods', 'pods/log', 'deployments', 'deployments/scale', '*', '*/scale', '*/log', 'pods/*', '*/*'];
    const names = ['a', 'b', ''];
    const urls = ['/healthz', '/healthz/ready', '/api', '/api/*', '*', '/a**'];
    const randomRule = (): PolicyRule => {
      const r: PolicyRule = { verbs: pick(verbs, 3) };
      if (rand(4) > 0) r.apiGroups = pick(groups, 2);
      if (rand(4) > 0) r.resources = pick(resources, 3);
      if (rand(3) === 0) r.resourceNames = pick(names, 2);
      if (rand(4) === 0) r.nonResourceURLs = pick(urls, 2);
      return r;
    };
    let denied = 0;
    for (let i = 0; i < 5000; i++) {
      const owner = Array.from({ length: rand(5) }, randomRule);
      const servant = Array.from({ length: 1 + rand(3) }, randomRule);
      const expected = referenceCovers(owner, servant);
      const got = covers(owner, servant);
      const where = JSON.stringify({ owner, servant });
      // The same atoms (duplicates included), and the apiserver's message computed from the atoms as upstream does.
      sameRules(got.missing.flatMap(breakdownRule), expected);
      assert.deepEqual(describeMissing(got.missing, Infinity), referenceLines(expected), where);
      // Cut after 3 lines: the first 3 in the apiserver's order, then the exact count of the rest.
      const all = referenceLines(expected);
      assert.deepEqual(describeMissing(got.missing, 3), all.length > 3 ? [...all.slice(0, 3), `...and ${all.length - 3} more`] : all, where);
      assert.equal(got.covered, expected.length === 0);
      if (!got.covered) denied++;
    }
    // Both outcomes are exercised.
    assert.ok(denied > 500 && denied < 4500, `denied ${denied}`);
  });
});
