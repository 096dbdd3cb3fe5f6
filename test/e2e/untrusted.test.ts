/**
 * Restricted Mode in real VS Code: a repository's .vscode/settings.json cannot change what the extension reports when
 * the folder is not trusted. The same workspace, trusted, shows that its settings would otherwise apply.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, test } from 'node:test';
import { e2eSession, e2eTools, requireVsix } from './harness';
import { waitForAllProblems } from './support/editorScenario';

const ROLE = `apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata:
  name: ci-deployer
  namespace: team-a
rules:
  - apiGroups: [""]
    resources: ["secrets", "pods/exec"]
    verbs: ["get", "create"]
  - apiGroups: ["apps"]
    resources: ["deployments"]
    verbs: ["*"]
`;

/** What a hostile repository commits: the findings a reviewer looks for, turned off (and a dry run on every save). */
const WORKSPACE_SETTINGS = {
  'pipelineRbac.rules': { 'secrets-read': 'off', 'pods-exec': 'off' },
  'pipelineRbac.live.dryRunOnSave': true,
};

const root = mkdtempSync(join(tmpdir(), 'pipeline-rbac-e2e-untrusted-'));
after(() => rmSync(root, { recursive: true, force: true }));
for (const [rel, text] of Object.entries({ 'deploy/ci-role.yaml': ROLE, '.vscode/settings.json': JSON.stringify(WORKSPACE_SETTINGS, null, 2) })) {
  mkdirSync(dirname(join(root, rel)), { recursive: true });
  writeFileSync(join(root, rel), text);
}

async function ruleIds(untrusted: boolean): Promise<string[]> {
  // User settings apply in Restricted Mode too: no cluster, whatever kubeconfig the machine has.
  const settings = { 'pipelineRbac.live.enable': false };
  return e2eSession(untrusted ? 'untrusted-settings' : 'trusted-settings', { workspace: root, settings, untrusted }, async (wb) => {
    await wb.openFile('deploy/ci-role.yaml');
    const rows = await waitForAllProblems(wb, (r) => r.some((p) => p.source === 'pipeline-rbac'), 'the Role findings');
    await wb.screenshot(untrusted ? 'untrusted-settings' : 'trusted-settings');
    return [...new Set(rows.filter((p) => p.source === 'pipeline-rbac').map((p) => String(p.code)))].sort();
  });
}

test('in Restricted Mode the workspace cannot turn findings off; trusted, it can', async () => {
  e2eTools();
  requireVsix();
  const untrusted = await ruleIds(true);
  assert.ok(untrusted.includes('secrets-read') && untrusted.includes('pods-exec'), `untrusted: ${untrusted.join(', ')}`);
  const trusted = await ruleIds(false);
  assert.ok(!trusted.includes('secrets-read') && !trusted.includes('pods-exec'), `trusted: ${trusted.join(', ')}`);
  assert.ok(trusted.length > 0, 'the Role still has other findings when trusted');
});
