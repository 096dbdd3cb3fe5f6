// A stored store token belongs to the server it was entered for: another server (a changed setting) has another key,
// so nothing stored is sent there; tokens stored before keys named a server are never read.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { credentialKey, enterpriseSessionFits, LEGACY_CREDENTIAL_KEYS, serverOrigin } from '../../client/src/lifecycle/credentialKeys';

describe('store credentials are keyed by server', () => {
  it('normalises scheme, host and port: case, default ports and a trailing dot fold; path, query and user info do not count', () => {
    const same = ['https://GitLab.Example.com', 'https://gitlab.example.com:443/', 'HTTPS://gitlab.example.com./api/v4?x=1', ' https://gitlab.example.com '];
    for (const u of same) assert.equal(serverOrigin(u), 'https://gitlab.example.com', u);
    assert.equal(serverOrigin('http://gitlab.example.com:80'), 'http://gitlab.example.com');
    assert.equal(serverOrigin('http://gitlab.example.com:443'), 'http://gitlab.example.com:443');
    assert.equal(serverOrigin('https://vault.example.com:8200/'), 'https://vault.example.com:8200');
    assert.equal(serverOrigin('https://bücher.example'), 'https://xn--bcher-kva.example');
    assert.equal(serverOrigin('https://[::1]:8200'), 'https://[::1]:8200');
    for (const bad of ['gitlab.example.com', 'file:///etc/passwd', 'javascript:alert(1)', '']) assert.equal(serverOrigin(bad), undefined, bad);
  });

  it('a different server is a different key; the same server written differently is the same key', () => {
    const a = credentialKey('gitlab', 'https://gitlab.example.com');
    assert.equal(credentialKey('gitlab', 'https://GITLAB.example.com:443/'), a);
    for (const other of ['https://gitlab.attacker.example', 'http://gitlab.example.com', 'https://gitlab.example.com:8443', 'https://gitlab.example.com.attacker.example']) {
      assert.notEqual(credentialKey('gitlab', other), a, other);
    }
    assert.notEqual(credentialKey('vault', 'https://gitlab.example.com'), a, 'per service too');
    assert.equal(credentialKey('gitlab', ''), credentialKey('gitlab', 'https://gitlab.com'), 'empty setting: the default server');
    assert.equal(credentialKey('github', ''), credentialKey('github', 'https://api.github.com/'));
    assert.throws(() => credentialKey('vault', ''), /not an http\(s\) URL/);
    assert.throws(() => credentialKey('gitlab', 'gitlab.example.com'), /not an http\(s\) URL/);
  });

  it('no new key is one of the keys used before tokens were tied to a server', () => {
    const legacy = new Set(Object.values(LEGACY_CREDENTIAL_KEYS));
    for (const service of ['github', 'gitlab', 'vault'] as const) {
      assert.ok(!legacy.has(credentialKey(service, 'https://gitlab.com')));
      assert.match(credentialKey(service, 'https://x.example'), /@https:\/\/x\.example$/);
    }
  });

  it("VS Code's GitHub Enterprise sign-in is used only for its own server", () => {
    assert.equal(enterpriseSessionFits('https://ghe.example.com/api/v3', 'https://ghe.example.com'), true);
    assert.equal(enterpriseSessionFits('https://api.acme.ghe.com', 'https://acme.ghe.com'), true, 'GHE.com data residency');
    assert.equal(enterpriseSessionFits('https://attacker.example/api/v3', 'https://ghe.example.com'), false);
    assert.equal(enterpriseSessionFits('http://ghe.example.com/api/v3', 'https://ghe.example.com'), false);
    assert.equal(enterpriseSessionFits('https://ghe.example.com/api/v3', ''), false);
  });
});
