/** ClusterRole aggregation: label selector semantics and the controller's union of rules. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { aggregationOf, knownClusterRole, resolveAggregation, selectorMatches, type KnownClusterRole } from '../../server/src/core/engine';
import { objectsFromYaml } from './helpers/objects';

const role = (name: string, labels: Record<string, string>, resources: string[]): KnownClusterRole => ({
  name,
  labels,
  rules: [{ verbs: ['get'], apiGroups: [''], resources }],
});

describe('label selectors', () => {
  const labels = { tier: 'ci', team: 'a' };
  test('matchLabels: every key equal', () => {
    assert.equal(selectorMatches({ matchLabels: { tier: 'ci' } }, labels), true);
    assert.equal(selectorMatches({ matchLabels: { tier: 'ci', team: 'b' } }, labels), false);
  });
  test('In, NotIn, Exists, DoesNotExist', () => {
    assert.equal(selectorMatches({ matchExpressions: [{ key: 'tier', operator: 'In', values: ['ci', 'x'] }] }, labels), true);
    assert.equal(selectorMatches({ matchExpressions: [{ key: 'tier', operator: 'In', values: ['x'] }] }, labels), false);
    assert.equal(selectorMatches({ matchExpressions: [{ key: 'tier', operator: 'NotIn', values: ['ci'] }] }, labels), false);
    // NotIn matches an object without the label at all.
    assert.equal(selectorMatches({ matchExpressions: [{ key: 'zone', operator: 'NotIn', values: ['ci'] }] }, labels), true);
    assert.equal(selectorMatches({ matchExpressions: [{ key: 'team', operator: 'Exists' }] }, labels), true);
    assert.equal(selectorMatches({ matchExpressions: [{ key: 'team', operator: 'DoesNotExist' }] }, labels), false);
  });
  test('an empty selector matches everything', () => {
    assert.equal(selectorMatches({}, {}), true);
  });
  test('invalid selectors are reported, never evaluated', () => {
    const agg = aggregationOf({ aggregationRule: { clusterRoleSelectors: [{ matchExpressions: [{ key: 'a', operator: 'In' }] }] } });
    assert.match(agg?.invalid ?? '', /needs values/);
    assert.match(aggregationOf({ aggregationRule: { clusterRoleSelectors: [] } })?.invalid ?? '', /no clusterRoleSelectors/);
    assert.equal(aggregationOf({ rules: [] }), undefined);
  });
});

describe('resolveAggregation', () => {
  const agg: KnownClusterRole = {
    name: 'monitoring',
    labels: { 'example.com/aggregate-to-monitoring': 'true' },
    rules: [],
    aggregation: {
      selectors: [
        { matchLabels: { 'example.com/aggregate-to-monitoring': 'true' } },
        { matchExpressions: [{ key: 'extra', operator: 'Exists' }] },
      ],
    },
  };
  test('OR across selectors, the role itself skipped, rules deduplicated, incomplete unless every role is known', () => {
    const known = [
      agg,
      role('b-nodes', { 'example.com/aggregate-to-monitoring': 'true' }, ['nodes']),
      role('a-pods', { extra: '' }, ['pods']),
      role('c-dup', { extra: 'y' }, ['nodes']),
      role('other', {}, ['secrets']),
    ];
    const r = resolveAggregation(agg, known);
    assert.deepEqual(r.from, ['b-nodes', 'a-pods', 'c-dup']);
    assert.deepEqual(r.rules.map((x) => x.resources), [['nodes'], ['pods']]);
    assert.equal(r.complete, false);
    assert.equal(resolveAggregation(agg, known, true).complete, true);
  });
  test('a matched role that aggregates contributes its resolved rules; a cycle ends', () => {
    const inner: KnownClusterRole = {
      name: 'inner',
      labels: { 'example.com/aggregate-to-monitoring': 'true' },
      rules: [],
      aggregation: { selectors: [{ matchLabels: { leaf: 'true' } }] },
    };
    const cyclic: KnownClusterRole = { ...agg, labels: { leaf: 'true' } };
    const r = resolveAggregation(cyclic, [cyclic, inner, role('leaf', { leaf: 'true' }, ['persistentvolumes'])], true);
    assert.deepEqual(r.rules.map((x) => x.resources), [['persistentvolumes']]);
    assert.equal(r.complete, true);
  });
  test('an invalid selector resolves to nothing known', () => {
    const bad: KnownClusterRole = { ...agg, aggregation: { selectors: [], invalid: 'x' } };
    assert.deepEqual(resolveAggregation(bad, [bad], true), { rules: [], from: [], complete: false, invalid: 'x' });
  });
  test('from parsed ClusterRoles', () => {
    const objs = objectsFromYaml(
      'apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata:\n  name: agg\naggregationRule:\n  clusterRoleSelectors:\n  - matchLabels:\n      agg: "yes"\nrules: []\n---\n' +
        'apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata:\n  name: part\n  labels:\n    agg: "yes"\nrules:\n- apiGroups: [""]\n  resources: [nodes]\n  verbs: [get]\n',
    );
    const known = objs.map(knownClusterRole).filter((k) => k !== undefined);
    const r = resolveAggregation(known[0]!, known);
    assert.deepEqual(r.from, ['part']);
    assert.deepEqual(r.rules, [{ verbs: ['get'], apiGroups: [''], resources: ['nodes'] }]);
  });
});
