/** A throwaway repository for CLI tests (its own `.git`, so the config search stops there) and the built CLI. */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';

export const ROOT = resolve(__dirname, '../../..');
export const CLI = join(ROOT, 'dist/cli.js');

export function cli(args: string[], cwd: string, env: Record<string, string | undefined> = {}) {
  const base: NodeJS.ProcessEnv = { ...process.env, KUBECONFIG: '/nonexistent' };
  delete base.GITHUB_ACTIONS;
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd, encoding: 'utf8', env: { ...base, ...env } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** A new folder with `.git` and the given files (path -> text). */
export function repo(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'prb-repo-'));
  mkdirSync(join(dir, '.git'));
  for (const [path, text] of Object.entries(files)) write(dir, path, text);
  return dir;
}

export function write(dir: string, path: string, text: string): void {
  mkdirSync(dirname(join(dir, path)), { recursive: true });
  writeFileSync(join(dir, path), text);
}

export const role = (rules: string, name = 'ci', ns = 'team-a') => `apiVersion: rbac.authorization.k8s.io/v1\nkind: Role\nmetadata:\n  name: ${name}\n  namespace: ${ns}\nrules:\n${rules}`;
export const rule = (groups: string, resources: string, verbs: string) => `  - apiGroups: [${groups}]\n    resources: [${resources}]\n    verbs: [${verbs}]\n`;
export const RISKY = role(rule('"apps"', '"deployments"', '"*"') + rule('""', '"secrets"', '"get", "list"'));

export interface JsonReport {
  files: { path: string; findings: { ruleId: string; severity: string; line: number; column: number; message: string }[] }[];
  baselined?: number;
}
export const findingsOf = (stdout: string) => (JSON.parse(stdout) as JsonReport).files.flatMap((f) => f.findings);
