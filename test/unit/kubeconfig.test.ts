import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { describe, it } from 'node:test';
import { KubeconfigError, kubeconfigPaths, loadKubeconfig } from '../../server/src/core/live/kubeconfig';

const dir = mkdtempSync(join(tmpdir(), 'prb-kc-'));
const MARKER = join(dir, 'exec-ran');

function kubeconfig(name: string, user: string): string {
  const path = join(dir, name);
  writeFileSync(
    path,
    `apiVersion: v1
kind: Config
clusters: [{name: c, cluster: {server: "https://127.0.0.1:6443"}}]
contexts:
  - {name: ctx, context: {cluster: c, user: u, namespace: team-a}}
  - {name: other, context: {cluster: c, user: u}}
current-context: ctx
users: [{name: u, user: ${user}}]
`,
  );
  return path;
}

describe('kubeconfig resolution', () => {
  it('follows kubectl: explicit path, else $KUBECONFIG (list), else ~/.kube/config', () => {
    assert.deepEqual(kubeconfigPaths('/a'), ['/a']);
    assert.deepEqual(kubeconfigPaths(undefined, { KUBECONFIG: `/x${delimiter}/y` }), ['/x', '/y']);
    assert.match(kubeconfigPaths(undefined, {})[0]!, /\.kube\/config$/);
  });

  it('loads the chosen context and its namespace', () => {
    const path = kubeconfig('token.yaml', '{token: abc}');
    const loaded = loadKubeconfig({ kubeconfig: path, trusted: true });
    assert.equal(loaded.context, 'ctx');
    assert.equal(loaded.namespace, 'team-a');
    assert.equal(loadKubeconfig({ kubeconfig: path, context: 'other', trusted: true }).namespace, 'default');
  });

  it('refuses an exec plugin in an untrusted workspace, without running it', () => {
    const path = kubeconfig('exec.yaml', `{exec: {apiVersion: client.authentication.k8s.io/v1, command: /bin/sh, args: ["-c", "touch ${MARKER}"]}}`);
    assert.throws(
      () => loadKubeconfig({ kubeconfig: path, trusted: false }),
      (e: unknown) => e instanceof KubeconfigError && e.reason === 'untrusted-exec' && /trust this workspace/.test(e.message),
    );
    assert.equal(existsSync(MARKER), false, 'the plugin did not run');
    // Trusted: the kubeconfig loads (the plugin runs only when a request needs credentials).
    assert.equal(loadKubeconfig({ kubeconfig: path, trusted: true }).context, 'ctx');
  });

  it('merges several $KUBECONFIG files like kubectl: the first to name a cluster, user or context wins', () => {
    const a = kubeconfig('a.yaml', '{token: first}');
    const b = join(dir, 'b.yaml');
    writeFileSync(
      b,
      `apiVersion: v1
kind: Config
clusters: [{name: c, cluster: {server: "https://10.9.9.9:6443"}}, {name: d, cluster: {server: "https://127.0.0.2:6443"}}]
contexts: [{name: ctx, context: {cluster: d, user: v}}, {name: second, context: {cluster: d, user: v, namespace: ns2}}]
current-context: second
users: [{name: u, user: {token: second}}, {name: v, user: {token: v}}]
`,
    );
    const loaded = loadKubeconfig({ trusted: true }, { KUBECONFIG: `${a}${delimiter}${b}` });
    assert.equal(loaded.context, 'ctx', "the first file's current context");
    assert.equal(loaded.server, 'https://127.0.0.1:6443', "the first file's cluster c");
    assert.equal(loaded.kc.getUser('u')?.token, 'first');
    const second = loadKubeconfig({ context: 'second', trusted: true }, { KUBECONFIG: `${a}${delimiter}${b}` });
    assert.equal(second.server, 'https://127.0.0.2:6443');
    assert.equal(second.namespace, 'ns2');
  });

  it('says what is wrong, and where, for missing files and unknown contexts', () => {
    assert.throws(() => loadKubeconfig({ kubeconfig: join(dir, 'nope'), trusted: true }), /no kubeconfig found \(looked at .*nope\)/);
    const path = kubeconfig('ok.yaml', '{token: abc}');
    assert.throws(() => loadKubeconfig({ kubeconfig: path, context: 'prod', trusted: true }), /context "prod" is not in .*ok\.yaml/);
    writeFileSync(join(dir, 'bad.yaml'), 'clusters: [\n');
    assert.throws(() => loadKubeconfig({ kubeconfig: join(dir, 'bad.yaml'), trusted: true }), (e: unknown) => e instanceof KubeconfigError && e.reason === 'invalid');
  });
});
