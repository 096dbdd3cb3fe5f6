/**
 * Charts in the real VS Code workbench (code-server + Chromium), on a scratch copy of examples/, with the real helm:
 *   a) a Helm template shows the rendered chart's findings on its own lines (none about YAML syntax);
 *   b) "Verify Pipeline Identity..." from the identities tree's context menu dry-runs the workspace manifests as the
 *      identity and opens the report.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { CoreV1Api, RbacAuthorizationV1Api } from '@kubernetes/client-node';
import { clusterKubeconfigs, deleteIfExists, kubeConfigFor, TEAM_A, uniqueName } from '../cluster/harness';
import { IDENTITY_LABEL } from '../../server/src/core/lifecycle/types';
import { e2eSession, e2eTools, pollUntil, requireVsix, type ProblemRow } from './harness';
import { copyExamples, waitForAllProblems } from './support/editorScenario';
import { openTreeView, waitForNotification } from './support/tree';

const TEMPLATE = 'charts/web/templates/role.yaml';
const scratch = copyExamples();
const name = uniqueName('e2e-verify');
const admin = kubeConfigFor('admin');
const core = admin.makeApiClient(CoreV1Api);
const rbac = admin.makeApiClient(RbacAuthorizationV1Api);

after(async () => {
  scratch.remove();
  await deleteIfExists(() => rbac.deleteNamespacedRoleBinding({ name, namespace: TEAM_A }));
  await deleteIfExists(() => rbac.deleteNamespacedRole({ name, namespace: TEAM_A }));
  await deleteIfExists(() => core.deleteNamespacedServiceAccount({ name, namespace: TEAM_A }));
});

const key = (p: ProblemRow) => `${p.severity} ${p.code} ${p.line}:${p.column}`;

test('charts: template findings on template lines; verify an identity from the tree', async (t) => {
  e2eTools();
  requireVsix();
  // A pipeline identity (labelled like the extension labels them) whose Role covers what app/*.yaml deploys.
  await core.createNamespacedServiceAccount({ namespace: TEAM_A, body: { metadata: { name, labels: { [IDENTITY_LABEL]: 'true' } } } });
  const verbs = ['get', 'create', 'patch'];
  await rbac.createNamespacedRole({
    namespace: TEAM_A,
    body: {
      metadata: { name },
      rules: [
        { apiGroups: [''], resources: ['configmaps', 'services'], verbs },
        { apiGroups: ['apps'], resources: ['deployments'], verbs },
        { apiGroups: ['networking.k8s.io'], resources: ['ingresses'], verbs },
        { apiGroups: ['autoscaling'], resources: ['horizontalpodautoscalers'], verbs },
      ],
    },
  });
  await rbac.createNamespacedRoleBinding({
    namespace: TEAM_A,
    body: { metadata: { name }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name }, subjects: [{ kind: 'ServiceAccount', name, namespace: TEAM_A }] },
  });

  await e2eSession('charts', { workspace: scratch.root, env: { KUBECONFIG: clusterKubeconfigs().developer } }, async (wb) => {
    await t.test('a) the template shows the rendered chart\'s finding on the line that printed it', async () => {
      const opened = Date.now();
      await wb.openFile(TEMPLATE);
      // The rendered chart is checked like any open file (issue 23): the developer's live permissions (not-held, once
      // the cluster has answered) and the workspace's manifests (app/**: missing-permission, unused-permission).
      const inTemplate = (r: ProblemRow[]) => r.filter((p) => p.resource === join(scratch.root, TEMPLATE));
      const rows = await waitForAllProblems(wb, (r) => inTemplate(r).some((p) => p.code === 'not-held'), `the live findings of ${TEMPLATE}`);
      t.diagnostic(`template findings shown ${Date.now() - opened} ms after opening`);
      const mine = inTemplate(rows).map(key);
      assert.equal(mine.filter((k) => k === 'warning secrets-read 12:16').length, 1, mine.join(', '));
      assert.equal(mine.filter((k) => k === 'error not-held 11:16').length, 1, mine.join(', '));
      // Every finding sits on a line of the template that produced it (the Role's kind, its rules), none elsewhere.
      assert.ok(mine.every((k) => /^(error|warning|info) [\w-]+ (6:1|11:16|12:16)$/.test(k)), mine.join(', '));
      await wb.screenshot('charts-a-template');
    });

    await t.test('b) Verify Pipeline Identity... from the tree opens the report', async () => {
      const tree = await openTreeView(wb, 'Pipeline RBAC', 'Pipeline Identities');
      await tree.waitForRow('team-a', (r) => r.label === TEAM_A, 60_000);
      await tree.expand(TEAM_A);
      await tree.waitForRow(`identity ${name}`, (r) => r.label === name, 60_000);
      await tree.runContextMenu(name, 'Verify Pipeline Identity...');
      await waitForNotification(wb, new RegExp(`team-a/${name} may deploy every manifest \\(5 object\\(s\\)\\)`), 90_000);
      // A read-only document named after the identity, not an Untitled buffer that asks to be saved.
      const tab = await pollUntil('the report tab', async () => (await wb.page.locator('.editor-group-container.active .tab.active').first().getAttribute('aria-label')) ?? undefined);
      assert.match(tab, new RegExp(`^${name} verification\\.txt`));
      assert.doesNotMatch(tab, /Untitled/);
      const report = await wb.editorText();
      assert.match(report, new RegExp(`^Verified as system:serviceaccount:team-a:${name} `));
      assert.match(report, /5 of 5 objects allowed; 0 other requests denied\./);
      // The tree tells when it was last verified and the result.
      await tree.waitForRow('the identity, verified', (r) => r.label === name && /verified .*: all allowed/.test(r.description), 30_000);
      await wb.screenshot('charts-b-verified');
    });
  });
});
