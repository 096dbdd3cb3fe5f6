/**
 * The getting-started walkthrough as a new user meets it: offered once by a notification on the first start (VS Code's
 * `workbench.welcomePage.walkthroughs.openOnInstall` left on), opened from it, and its first step ("Open a Role")
 * checked off when a Role is shown, not when any YAML file is (the step's completion event is a context key).
 */
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { after, test } from 'node:test';
import { e2eSession, e2eTools, pollUntil, requireVsix } from './harness';
import { makeWorkspace } from './support/identityCluster';
import { waitForNotification } from './support/tree';

const ROLE = `apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata:
  name: ci-deployer
  namespace: team-a
rules:
  - apiGroups: ["apps"]
    resources: ["deployments"]
    verbs: ["get", "create"]
`;

const workspaces: string[] = [];
after(() => {
  for (const w of workspaces) rmSync(w, { recursive: true, force: true });
});

test('the walkthrough is offered on first start and its "Open a Role" step completes when a Role is shown', async () => {
  e2eTools();
  requireVsix();
  const workspace = makeWorkspace({ 'values.yaml': 'replicas: 2\n', 'deploy/ci-role.yaml': ROLE }, workspaces);
  const settings = { 'pipelineRbac.live.enable': false, 'workbench.welcomePage.walkthroughs.openOnInstall': true };
  await e2eSession('walkthrough', { workspace, settings }, async (wb) => {
    const page = wb.page;
    // A YAML file that holds no RBAC activates the extension; the offer comes, the step stays open.
    await wb.openFile('values.yaml');
    await waitForNotification(wb, /walkthrough shows its checks on a Role/);
    await page.locator('.notifications-toasts .notification-list-item .monaco-button', { hasText: 'Open the Walkthrough' }).first().click();
    const step = page.locator('[data-done-step-id$="openRole"]').first();
    await step.waitFor({ state: 'attached', timeout: 30_000 });
    await wb.screenshot('walkthrough-offered');
    assert.notEqual(await step.getAttribute('aria-checked'), 'true', 'the step is not done before a Role is shown');

    await wb.openFile('deploy/ci-role.yaml');
    await wb.runCommand('View: Open Previous Editor');
    await pollUntil('"Open a Role" to be checked off', async () => (await page.locator('[data-done-step-id$="openRole"]').first().getAttribute('aria-checked')) === 'true', {
      timeoutMs: 20_000,
      intervalMs: 200,
    });
    await wb.screenshot('walkthrough-role-opened');
  });
});
