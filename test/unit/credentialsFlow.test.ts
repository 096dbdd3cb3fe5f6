// The extension's credential step (client/src/lifecycle/credentials.ts) with VS Code's API replaced by a small fake:
// a token kept in SecretStorage is sent only to the server it was entered for, a new server asks again, tokens stored
// before keys named a server are deleted unread, and an untrusted workspace cannot name the server.
import assert from 'node:assert/strict';
import Module from 'node:module';
import { after, beforeEach, describe, it } from 'node:test';

type Layer = Record<string, unknown>;
const config = { user: {} as Layer, workspace: {} as Layer, trusted: true, enterpriseUri: '' };
const secrets = new Map<string, string>();
const asked: string[] = [];
let typed = 'token-typed-1';
let sessionsAsked = 0;
let offered: string[] = [];

const fakeVscode = {
  workspace: {
    get isTrusted() {
      return config.trusted;
    },
    getConfiguration(section: string) {
      if (section === 'github-enterprise') return { get: (_k: string, d: string) => config.enterpriseUri || d };
      const get = (k: string, d?: unknown) => (k in config.workspace ? config.workspace[k] : k in config.user ? config.user[k] : d);
      return { get, inspect: (k: string) => ({ defaultValue: '', globalValue: config.user[k], workspaceValue: config.workspace[k] }) };
    },
  },
  authentication: {
    getSession: () => {
      sessionsAsked++;
      return Promise.resolve(undefined);
    },
  },
  Uri: { parse: (s: string) => s },
};
const fakeWizard = {
  input: (o: { prompt: string }) => {
    asked.push(o.prompt);
    return Promise.resolve(typed);
  },
  pick: (o: { items: { label: string; value: unknown }[] }) => {
    offered = o.items.map((i) => i.label);
    return Promise.resolve(o.items[o.items.length - 1]!.value);
  },
};

// Served instead of the real modules while credentials.ts loads (CommonJS under tsx).
type Load = (request: string, parent: unknown, isMain: boolean) => unknown;
const loader = Module as unknown as { _load: Load };
const realLoad = loader._load;
loader._load = function (request, parent, isMain) {
  if (request === 'vscode') return fakeVscode;
  if (request === './wizard') return fakeWizard;
  return realLoad.call(this, request, parent, isMain);
};
after(() => {
  loader._load = realLoad;
});

const { credentialsFor } = require('../../client/src/lifecycle/credentials') as typeof import('../../client/src/lifecycle/credentials');
const state = {
  secrets: {
    get: (k: string) => Promise.resolve(secrets.get(k)),
    store: (k: string, v: string) => Promise.resolve(void secrets.set(k, v)),
    delete: (k: string) => Promise.resolve(void secrets.delete(k)),
  },
  globalState: { get: () => undefined, update: () => Promise.resolve() },
} as unknown as Parameters<typeof credentialsFor>[1];
const at = { title: 'test', step: 1, totalSteps: 1 };

describe('store credentials in VS Code', () => {
  beforeEach(() => {
    Object.assign(config, { user: {}, workspace: {}, trusted: true, enterpriseUri: '' });
    secrets.clear();
    asked.length = 0;
    sessionsAsked = 0;
    offered = [];
  });

  it('GitLab: a changed gitlab.url asks again; the stored token never goes to the new server', async () => {
    config.user['gitlab.url'] = 'https://gitlab.a.example';
    typed = 'glpat-for-a';
    const first = await credentialsFor('gitlab', state, at);
    assert.deepEqual([first.credentials.gitlabToken, first.credentials.gitlabHost, asked.length], ['glpat-for-a', 'https://gitlab.a.example', 1]);
    assert.equal((await credentialsFor('gitlab', state, at)).credentials.gitlabToken, 'glpat-for-a');
    assert.equal(asked.length, 1, 'the same server: no question');

    config.user['gitlab.url'] = 'https://gitlab.b.example';
    typed = 'glpat-for-b';
    const moved = await credentialsFor('gitlab', state, at);
    assert.equal(asked.length, 2, 'another server: asked again');
    assert.match(asked[1]!, /gitlab\.b\.example/);
    assert.deepEqual([moved.credentials.gitlabToken, moved.credentials.gitlabHost], ['glpat-for-b', 'https://gitlab.b.example']);

    config.user['gitlab.url'] = 'https://GITLAB.a.example:443/';
    assert.equal((await credentialsFor('gitlab', state, at)).credentials.gitlabToken, 'glpat-for-a', 'the first server, written differently');
    assert.equal(asked.length, 2);
  });

  it('Vault: the token follows the address; a token stored before keys named a server is deleted unread', async () => {
    secrets.set('pipelineRbac.credentials.vaultToken', 'hvs.legacy-token');
    config.user['vault.address'] = 'https://vault.a.example:8200';
    typed = 'hvs.for-a';
    const got = await credentialsFor('vault', state, at);
    assert.equal(got.credentials.vaultToken, 'hvs.for-a');
    assert.equal(secrets.has('pipelineRbac.credentials.vaultToken'), false);
    assert.ok(![...secrets.values()].includes('hvs.legacy-token'));
    config.user['vault.address'] = 'http://vault.a.example:8200';
    typed = 'hvs.for-http';
    assert.equal((await credentialsFor('vault', state, at)).credentials.vaultToken, 'hvs.for-http', 'another scheme is another server');
    assert.equal(asked.length, 2);
  });

  it('an untrusted workspace cannot name the server or the Vault namespace', async () => {
    config.trusted = false;
    config.workspace['gitlab.url'] = 'https://attacker.example';
    config.workspace['vault.address'] = 'https://attacker.example:8200';
    config.workspace['vault.namespace'] = 'attacker';
    config.user['vault.address'] = 'https://vault.a.example:8200';
    typed = 'tok';
    const gitlab = await credentialsFor('gitlab', state, at);
    assert.equal(gitlab.credentials.gitlabHost, undefined, 'gitlab.com, the default');
    assert.match(asked[0]!, /https:\/\/gitlab\.com/);
    const vault = await credentialsFor('vault', state, at);
    assert.deepEqual([vault.credentials.vaultAddr, vault.credentials.vaultNamespace], ['https://vault.a.example:8200', undefined]);
  });

  it("GitHub Enterprise: VS Code's sign-in for another server is neither asked nor offered", async () => {
    config.user['github.apiUrl'] = 'https://ghe.attacker.example/api/v3';
    config.enterpriseUri = 'https://ghe.example.com';
    typed = 'ghp_for_attacker_host';
    const got = await credentialsFor('github', state, at);
    assert.equal(sessionsAsked, 0);
    assert.deepEqual(offered, ['$(key) Enter a personal access token']);
    assert.equal(got.credentials.githubToken, 'ghp_for_attacker_host');
    config.user['github.apiUrl'] = 'https://ghe.example.com/api/v3';
    await credentialsFor('github', state, at);
    assert.equal(sessionsAsked, 1, 'its own server: the sign-in is tried');
    assert.equal(offered.length, 2);
  });
});
