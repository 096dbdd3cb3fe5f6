// A realistic service-account kubeconfig for store tests: unique random token and CA data per call,
// so leak checks can search for exactly these bytes.
import { randomBytes } from 'node:crypto';

export interface SampleKubeconfig {
  readonly text: string;
  /** The bearer token inside it. */
  readonly token: string;
}

export function sampleKubeconfig(name = 'ci-deployer'): SampleKubeconfig {
  const b64url = (n: number) => randomBytes(n).toString('base64url');
  const token = `eyJhbGciOiJSUzI1NiIsImtpZCI6IjEyMyJ9.${b64url(180)}.${b64url(256)}`;
  const ca = randomBytes(800).toString('base64');
  const text = [
    'apiVersion: v1',
    'kind: Config',
    'clusters:',
    '- name: test',
    '  cluster:',
    '    server: https://127.0.0.1:6443',
    `    certificate-authority-data: ${ca}`,
    'users:',
    `- name: ${name}`,
    '  user:',
    `    token: ${token}`,
    'contexts:',
    `- name: ${name}@test`,
    '  context:',
    '    cluster: test',
    '    namespace: team-a',
    `    user: ${name}`,
    `current-context: ${name}@test`,
    '',
  ].join('\n');
  return { text, token };
}
