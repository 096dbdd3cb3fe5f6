// The cluster's PKI (CA, serving cert, service-account keys), static tokens and per-user kubeconfigs.
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PKI, readFileOr, STATE_DIR } from './clusterBase.mjs';
import { USERS } from './seed.mjs';

export const CLUSTER_USERS = USERS.map((u) => u.name);

export function openssl(args) {
  execFileSync('openssl', args, { cwd: PKI, stdio: ['ignore', 'ignore', 'pipe'] });
}

export function generatePki() {
  mkdirSync(PKI, { recursive: true, mode: 0o700 });
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  openssl(['req', '-x509', ...ec, '-keyout', 'ca.key', '-out', 'ca.crt', '-days', '3650',
    '-subj', '/CN=pipeline-rbac-test-ca',
    '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign']);
  const sans = [
    'IP:127.0.0.1', 'IP:10.0.0.1', 'DNS:localhost', 'DNS:kubernetes', 'DNS:kubernetes.default',
    'DNS:kubernetes.default.svc', 'DNS:kubernetes.default.svc.cluster.local',
  ].join(',');
  openssl(['req', '-x509', '-CA', 'ca.crt', '-CAkey', 'ca.key', ...ec, '-keyout', 'apiserver.key',
    '-out', 'apiserver.crt', '-days', '3650', '-subj', '/CN=kube-apiserver',
    '-addext', `subjectAltName=${sans}`, '-addext', 'basicConstraints=critical,CA:FALSE',
    '-addext', 'keyUsage=critical,digitalSignature', '-addext', 'extendedKeyUsage=serverAuth']);
  openssl(['genpkey', '-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:2048', '-out', 'sa.key']);
  openssl(['pkey', '-in', 'sa.key', '-pubout', '-out', 'sa.pub']);
  for (const f of ['ca.key', 'apiserver.key', 'sa.key']) chmodSync(join(PKI, f), 0o600);

  const tokens = {};
  const lines = [];
  const users = [...USERS, { name: 'system:kube-controller-manager', groups: ['system:masters'] }];
  for (const [i, u] of users.entries()) {
    tokens[u.name] = randomBytes(32).toString('hex');
    lines.push(`${tokens[u.name]},${u.name},uid-${i + 1}${u.groups.length ? `,"${u.groups.join(',')}"` : ''}`);
  }
  writeFileSync(join(PKI, 'tokens.csv'), `${lines.join('\n')}\n`, { mode: 0o600 });
  return tokens;
}

export function readTokens() {
  const tokens = {};
  for (const line of readFileOr(join(PKI, 'tokens.csv'), '').split('\n')) {
    const [token, user] = line.split(',');
    if (token && user) tokens[user] = token;
  }
  return tokens;
}

export function kubeconfigYaml({ server, caPem, user, token, namespace }) {
  const ctx = `${user}@pipeline-rbac-test`;
  return [
    'apiVersion: v1',
    'kind: Config',
    'clusters:',
    '- name: pipeline-rbac-test',
    '  cluster:',
    `    server: ${server}`,
    `    certificate-authority-data: ${Buffer.from(caPem).toString('base64')}`,
    'users:',
    `- name: ${JSON.stringify(user)}`,
    '  user:',
    `    token: ${token}`,
    'contexts:',
    `- name: ${JSON.stringify(ctx)}`,
    '  context:',
    '    cluster: pipeline-rbac-test',
    `    user: ${JSON.stringify(user)}`,
    ...(namespace ? [`    namespace: ${namespace}`] : []),
    `current-context: ${JSON.stringify(ctx)}`,
    '',
  ].join('\n');
}

export const kubeconfigPath = (user) => join(STATE_DIR, `${user}.kubeconfig`);

export function writeKubeconfigs(state, tokens) {
  const caPem = readFileSync(join(PKI, 'ca.crt'), 'utf8');
  const server = `https://127.0.0.1:${state.ports.apiserver}`;
  const write = (path, user, namespace) =>
    writeFileSync(path, kubeconfigYaml({ server, caPem, user, token: tokens[user], namespace }), { mode: 0o600 });
  write(join(PKI, 'controller-manager.kubeconfig'), 'system:kube-controller-manager');
  for (const user of CLUSTER_USERS) write(kubeconfigPath(user), user, user === 'admin' ? undefined : 'team-a');
}
