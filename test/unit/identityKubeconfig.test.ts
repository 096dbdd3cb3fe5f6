import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { KubeConfig } from '@kubernetes/client-node';
import { parse } from 'yaml';
import { buildKubeconfig, checkEndpointSecurity, clusterEndpoint, endpointWarnings, KubeconfigBuildError } from '../../server/src/core/lifecycle/kubeconfig';
import { fakeLoaded } from './identityFakes';

const TOKEN = `eyJhbGciOiJSUzI1NiJ9.${'x'.repeat(900)}.${'y'.repeat(342)}`;

describe('identity kubeconfig', () => {
  test('holds server, CA data, namespace and token, and loads in @kubernetes/client-node', () => {
    const endpoint = clusterEndpoint(fakeLoaded());
    const text = buildKubeconfig({ cluster: endpoint, namespace: 'team-a', serviceAccount: 'ci-deploy', token: TOKEN });
    const kc = new KubeConfig();
    kc.loadFromString(text);
    assert.equal(kc.getCurrentContext(), 'ci-deploy@test');
    assert.equal(kc.getCurrentCluster()?.server, 'https://k8s.example.com:6443');
    assert.equal(kc.getCurrentCluster()?.caData, endpoint.caData);
    assert.equal(kc.getCurrentUser()?.token, TOKEN);
    assert.equal(kc.getContextObject('ci-deploy@test')?.namespace, 'team-a');
    assert.equal(kc.getCurrentUser()?.name, 'ci-deploy');
  });

  test("never copies the operator's user entry (exec plugin, its arguments)", () => {
    const loaded = fakeLoaded();
    assert.ok(loaded.kc.getCurrentUser()?.exec, 'the fixture has an exec user');
    const text = buildKubeconfig({ cluster: clusterEndpoint(loaded), namespace: 'team-a', serviceAccount: 'ci', token: TOKEN });
    assert.doesNotMatch(text, /exec|get-credentials|--secret|dev@test|client-certificate|auth-provider/);
    const doc = parse(text) as { users: { name: string; user: Record<string, unknown> }[] };
    assert.equal(doc.users.length, 1);
    assert.deepEqual(Object.keys(doc.users[0]!.user), ['token']);
  });

  test('the token and the CA stay on one line (no folding)', () => {
    const text = buildKubeconfig({ cluster: clusterEndpoint(fakeLoaded()), namespace: 'team-a', serviceAccount: 'ci', token: TOKEN });
    assert.ok(text.split('\n').some((l) => l.trim() === `token: ${TOKEN}`));
  });

  test('a CA file is read into certificate-authority-data; --server replaces the URL', () => {
    const dir = mkdtempSync(join(tmpdir(), 'idkc-'));
    const caPath = join(dir, 'ca.crt');
    writeFileSync(caPath, '-----BEGIN CERTIFICATE-----\nFROMFILE\n-----END CERTIFICATE-----\n');
    const kc = new KubeConfig();
    kc.loadFromOptions({
      clusters: [{ name: 'c', server: 'https://127.0.0.1:6443', caFile: caPath, skipTLSVerify: false, tlsServerName: 'api.internal' }],
      users: [{ name: 'u', token: 'operator-token-value' }],
      contexts: [{ name: 'x', cluster: 'c', user: 'u' }],
      currentContext: 'x',
    });
    const ep = clusterEndpoint(kc, 'https://api.example.com');
    assert.equal(Buffer.from(ep.caData ?? '', 'base64').toString(), '-----BEGIN CERTIFICATE-----\nFROMFILE\n-----END CERTIFICATE-----\n');
    assert.equal(ep.server, 'https://api.example.com');
    const text = buildKubeconfig({ cluster: ep, namespace: 'ns', serviceAccount: 'sa', token: TOKEN });
    assert.match(text, /tls-server-name: api\.internal/);
    assert.doesNotMatch(text, /operator-token-value/);
    assert.deepEqual(endpointWarnings(ep), []);
  });

  test('an http:// server or insecure-skip-tls-verify is refused unless allowed, then carried with a warning', () => {
    const skip = { name: 'c', server: 'https://x', insecureSkipTlsVerify: true };
    const http = { name: 'c', server: 'http://x:8080', caData: 'Q0E=' };
    assert.throws(() => checkEndpointSecurity(skip), /Refusing to export a kubeconfig: your context sets insecure-skip-tls-verify.*--allow-insecure-server/);
    assert.throws(() => checkEndpointSecurity(http), /Refusing to export a kubeconfig: the API server http:\/\/x:8080 is plain http/);
    assert.doesNotThrow(() => checkEndpointSecurity(skip, true));
    assert.doesNotThrow(() => checkEndpointSecurity({ name: 'c', server: 'https://x', caData: 'Q0E=' }));
    assert.match(endpointWarnings(skip)[0] ?? '', /insecure, as you allowed: your context sets insecure-skip-tls-verify/);
    assert.match(endpointWarnings({ name: 'c', server: 'https://x' })[0] ?? '', /no CA data/);
  });

  test('a token with whitespace or control characters is refused', () => {
    const ep = clusterEndpoint(fakeLoaded());
    assert.throws(() => buildKubeconfig({ cluster: ep, namespace: 'n', serviceAccount: 's', token: 'abc\ndef' }), KubeconfigBuildError);
    assert.throws(() => buildKubeconfig({ cluster: ep, namespace: 'n', serviceAccount: 's', token: '' }), KubeconfigBuildError);
  });
});
