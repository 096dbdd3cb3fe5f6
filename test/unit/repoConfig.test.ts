/** The repository config's parser (core/shared/repoConfig.ts) and its JSON schema say the same, with lines on every problem. */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import Ajv from 'ajv';
import { parse } from 'yaml';
import { RULE_LIST } from '../../server/src/core/engine/rules/catalog';
import { CONFIG_KEYS, parseRepoConfig, withRepoConfig } from '../../server/src/core/shared/repoConfig';
import { DEFAULT_SETTINGS } from '../../server/src/core/shared/settings';

const SCHEMA = JSON.parse(readFileSync(join(__dirname, '../../schemas/pipeline-rbac-config.schema.json'), 'utf8')) as { properties: Record<string, unknown> };

function problems(text: string) {
  const r = parseRepoConfig(text);
  assert.equal(r.ok, false, 'expected problems');
  return r.ok ? [] : r.problems;
}

describe('repository config', () => {
  test('reads every key', () => {
    const r = parseRepoConfig(`rules:
  workload-create: off
  secrets-read: error
manifests: [deploy/**/*.yaml, charts/web]
values: [charts/web/values-prod.yaml]
set: [image.tag=1.2]
release: web
namespace: team-a
deployer: helm
deployVerbs: [get, create, patch]
heldRules: ci/held.yaml
baseline: .pipeline-rbac-baseline.json
`);
    assert.ok(r.ok);
    assert.deepEqual(r.config, {
      rules: { 'workload-create': 'off', 'secrets-read': 'error' },
      manifests: ['deploy/**/*.yaml', 'charts/web'],
      values: ['charts/web/values-prod.yaml'],
      set: ['image.tag=1.2'],
      release: 'web',
      namespace: 'team-a',
      deployer: 'helm',
      deployVerbs: ['get', 'create', 'patch'],
      heldRules: 'ci/held.yaml',
      baseline: '.pipeline-rbac-baseline.json',
    });
  });

  test('an empty file is an empty config', () => {
    assert.deepEqual(parseRepoConfig(''), { ok: true, config: {} });
    assert.deepEqual(parseRepoConfig('# nothing yet\n'), { ok: true, config: {} });
  });

  test('invalid YAML: the line and column of the error', () => {
    const [p] = problems('rules:\n  wildcard: error\n\tdeployer: helm\n');
    assert.equal(p!.line, 3);
    assert.equal(p!.column, 1);
    assert.match(p!.message, /^invalid YAML/);
  });

  test('an unknown key, on its line, naming the keys there are', () => {
    const ps = problems('deployer: helm\nmanifest: [a]\n');
    assert.equal(ps.length, 1);
    assert.equal(ps[0]!.line, 2);
    assert.equal(ps[0]!.column, 1);
    assert.match(ps[0]!.message, /unknown key "manifest"; the keys are rules, manifests/);
  });

  test('wrong types and values, each on its own line', () => {
    const ps = problems('rules:\n  wildcard: loud\n  no-such-rule: off\nmanifests: deploy/\ndeployer: argo\nrelease: 3\nvalues: [a, {b: c}]\n');
    assert.deepEqual(
      ps.map((p) => [p.line, p.message]),
      [
        [2, 'rules.wildcard must be one of error, warning, information, hint, off, not "loud"'],
        [3, 'rules: unknown rule id "no-such-rule" (see docs/rules.md)'],
        [4, '"manifests" must be a list of strings, not "deploy/"'],
        [5, '"deployer" must be one of kubectl, server-side-apply, helm, not "argo"'],
        [6, '"release" must be a non-empty string, not number 3'],
        [7, 'values[1] must be a non-empty string, not a mapping'],
      ],
    );
  });

  test('not a mapping, and duplicate keys', () => {
    assert.match(problems('- a\n- b\n')[0]!.message, /must be a mapping/);
    assert.equal(problems('deployer: helm\ndeployer: kubectl\n')[0]!.line, 2);
  });

  test('the JSON schema has exactly the parser keys, and accepts and refuses what the parser does', () => {
    assert.deepEqual(Object.keys(SCHEMA.properties).sort(), [...CONFIG_KEYS].sort());
    const ruleIds = (SCHEMA.properties.rules as { propertyNames: { enum: string[] } }).propertyNames.enum;
    assert.deepEqual([...ruleIds].sort(), RULE_LIST.map((r) => r.id).sort());
    const validate = new Ajv({ allErrors: true }).compile(SCHEMA);
    const good = 'rules: {wildcard: off}\nmanifests: [a]\ndeployer: helm\nbaseline: b.json\n';
    assert.ok(parseRepoConfig(good).ok && validate(parse(good)), JSON.stringify(validate.errors));
    for (const bad of ['manifest: [a]\n', 'deployer: argo\n', 'rules: {wildcard: loud}\n', 'rules: {nope: off}\n', 'values: a\n']) {
      assert.equal(parseRepoConfig(bad).ok, false, bad);
      assert.equal(validate(parse(bad)), false, bad);
    }
  });
});

describe('withRepoConfig (the editor\'s settings with the config applied)', () => {
  const settings = { ...DEFAULT_SETTINGS, rules: { wildcard: 'hint' as const }, manifests: ['mine/*.yaml'], namespace: '' };
  test('rules: the config first, the setting\'s entries on top per rule id', () => {
    const out = withRepoConfig(settings, { rules: { wildcard: 'error', 'secrets-read': 'off' } }, '');
    assert.deepEqual(out.rules, { wildcard: 'hint', 'secrets-read': 'off' });
  });
  test('manifests, deployer, deployVerbs from the config, relative to its folder; namespace only when the setting is empty', () => {
    const out = withRepoConfig(settings, { manifests: ['deploy/*.yaml', '!deploy/x.yaml'], deployer: 'helm', deployVerbs: ['get'], namespace: 'team-a' }, 'svc');
    assert.deepEqual(out.manifests, ['svc/deploy/*.yaml', '!svc/deploy/x.yaml']);
    assert.equal(out.deployer, 'helm');
    assert.deepEqual(out.deployVerbs, ['get']);
    assert.equal(out.namespace, 'team-a');
    assert.equal(withRepoConfig({ ...settings, namespace: 'mine' }, { namespace: 'team-a' }, '').namespace, 'mine');
    assert.deepEqual(withRepoConfig(settings, {}, '').manifests, ['mine/*.yaml']);
  });
});
