// In an untrusted workspace the workspace's values of restricted settings are never used, by the extension's own code
// (client settings, store settings, and what the language server pulls), whatever the editor does.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { normalizeSettings } from '../../server/src/core/shared/settings';
import {
  effectiveSetting,
  rawSettings,
  RESTRICTED_KEYS,
  withoutWorkspaceValues,
  type ConfigurationReader,
  type Inspected,
} from '../../server/src/core/shared/settingsTrust';

type Values = Record<string, unknown>;

/** VS Code's layering for one section: default < user (global) < workspace < folder; inspect() shows each layer. */
class FakeConfiguration implements ConfigurationReader {
  constructor(
    private readonly defaults: Values,
    private readonly user: Values,
    private readonly workspace: Values,
  ) {}
  get(key: string): unknown {
    for (const layer of [this.workspace, this.user, this.defaults]) if (key in layer) return layer[key];
    return undefined;
  }
  inspect(key: string): Inspected & { workspaceValue?: unknown } {
    return { defaultValue: this.defaults[key], globalValue: this.user[key], workspaceValue: this.workspace[key] };
  }
}

const pkg = JSON.parse(readFileSync(join(__dirname, '../../package.json'), 'utf8')) as {
  capabilities: { untrustedWorkspaces: { restrictedConfigurations: string[] } };
  contributes: { configuration: { properties: Record<string, { default?: unknown }> } };
};
const DEFAULTS: Values = Object.fromEntries(Object.entries(pkg.contributes.configuration.properties).map(([k, v]) => [k.replace(/^pipelineRbac\./, ''), v.default]));

/** What a hostile repository's .vscode/settings.json says. */
const HOSTILE: Values = {
  kubeconfig: '/tmp/attacker-kubeconfig',
  context: 'prod-admin',
  'live.enable': true,
  'live.dryRunOnSave': true,
  'live.cacheTtlSeconds': 0,
  manifests: ['../../etc/*.conf', '/etc/*.yaml'],
  deployVerbs: ['*', 'escalate', 'bind'],
  'github.apiUrl': 'https://attacker.example/api/v3',
  'gitlab.url': 'https://attacker.example',
  'vault.address': 'https://attacker.example:8200',
  'vault.namespace': 'attacker',
  namespace: 'team-b',
  rules: { 'secrets-read': 'off' },
  validateDelay: 500,
};

describe('untrusted workspaces and settings', () => {
  it('package.json restricts exactly the keys the code restricts', () => {
    assert.deepEqual([...pkg.capabilities.untrustedWorkspaces.restrictedConfigurations].sort(), RESTRICTED_KEYS.map((k) => `pipelineRbac.${k}`).sort());
    for (const k of RESTRICTED_KEYS) assert.ok(`pipelineRbac.${k}` in pkg.contributes.configuration.properties, `${k} is a contributed setting`);
    for (const k of ['live.dryRunOnSave', 'manifests', 'vault.namespace', 'live.enable', 'rules']) assert.ok(RESTRICTED_KEYS.includes(k as never), k);
  });

  it('untrusted: restricted settings take the user value, else the default; the others keep the workspace value', () => {
    const c = new FakeConfiguration(DEFAULTS, { 'live.enable': false, 'vault.namespace': 'team-ns' }, HOSTILE);
    const s = normalizeSettings(rawSettings(c, false));
    assert.equal(s.trusted, false);
    assert.equal(s.kubeconfig, '');
    assert.equal(s.context, '');
    assert.equal(s.live.enable, false, "the user's choice, not the workspace's");
    assert.equal(s.live.dryRunOnSave, false);
    assert.equal(s.live.cacheTtlSeconds, 60);
    assert.deepEqual(s.manifests, []);
    assert.deepEqual(s.deployVerbs, ['get', 'list', 'watch', 'create', 'update', 'patch', 'delete']);
    assert.equal(s.namespace, 'team-b', 'not restricted: it only picks which of your own permissions are read');
    assert.deepEqual(s.rules, {}, 'a workspace cannot turn findings off');
    assert.equal(s.validateDelay, 500);
    for (const key of ['github.apiUrl', 'gitlab.url', 'vault.address']) assert.equal(effectiveSetting(c, key, false), '', key);
    assert.equal(effectiveSetting(c, 'vault.namespace', false), 'team-ns');
  });

  it('trusted: the workspace value wins as usual', () => {
    const c = new FakeConfiguration(DEFAULTS, { 'live.enable': false }, HOSTILE);
    const s = normalizeSettings(rawSettings(c, true));
    assert.equal(s.live.dryRunOnSave, true);
    assert.deepEqual(s.manifests, HOSTILE.manifests);
    assert.equal(effectiveSetting(c, 'vault.namespace', true), 'attacker');
  });

  it('the section the language server pulls loses the workspace values of restricted keys, nested or not', () => {
    const c = new FakeConfiguration(DEFAULTS, { manifests: ['deploy/**/*.yaml'] }, HOSTILE);
    // As getConfiguration('pipelineRbac') hands it to the language client: nested by dots.
    const section = {
      kubeconfig: HOSTILE.kubeconfig,
      context: HOSTILE.context,
      namespace: 'team-b',
      live: { enable: true, dryRunOnSave: true, cacheTtlSeconds: 0 },
      manifests: HOSTILE.manifests,
      deployVerbs: HOSTILE.deployVerbs,
      rules: HOSTILE.rules,
      validateDelay: 500,
      github: { apiUrl: HOSTILE['github.apiUrl'] },
      gitlab: { url: HOSTILE['gitlab.url'] },
      vault: { address: HOSTILE['vault.address'], namespace: HOSTILE['vault.namespace'] },
    };
    const out = withoutWorkspaceValues(Object.freeze(section), (k) => c.inspect(k));
    const s = normalizeSettings(out);
    assert.equal(s.kubeconfig, '');
    assert.equal(s.context, '');
    assert.deepEqual(s.live, { enable: true, dryRunOnSave: false, cacheTtlSeconds: 60 });
    assert.deepEqual(s.manifests, ['deploy/**/*.yaml'], 'the user setting');
    assert.deepEqual(s.deployVerbs, DEFAULTS.deployVerbs);
    assert.equal(s.namespace, 'team-b');
    assert.deepEqual(s.rules, {});
    assert.deepEqual(out.vault, { address: '', namespace: '' });
    assert.deepEqual(section.live, { enable: true, dryRunOnSave: true, cacheTtlSeconds: 0 }, 'the input is not modified');
  });
});
