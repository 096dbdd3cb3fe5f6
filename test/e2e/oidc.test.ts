/**
 * "Create OIDC Binding..." in the real VS Code workbench (code-server + Chromium) against the test cluster, as the
 * `developer` user, with pipelineRbac.gitlab.url naming the test cluster's self-managed GitLab-shaped issuer:
 * the issuer step is prefilled with that host's issuer (not gitlab.com), the flow applies the workspace Role and the
 * RoleBinding, and the Pipeline Identities tree lists the keyless identity with its issuer and binding. A GitLab-shaped
 * ID token for the bound subject then holds exactly that Role on the apiserver.
 * Screenshots go to .e2e/screenshots/oidc-*.png. Needs `npm run package` first.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, test } from 'node:test';
import { AuthorizationV1Api, RbacAuthorizationV1Api } from '@kubernetes/client-node';
import { clusterKubeconfigs, deleteIfExists, kubeConfigFor, kubeConfigWithToken, mintOidcToken, oidcIssuers, TEAM_A, uniqueName } from '../cluster/harness';
import { e2eSession, e2eTools, pollUntil, requireVsix } from './harness';
import { openTreeView, pickByKeyboard, waitForNotification } from './support/tree';

const roleName = uniqueName('e2e-oidc');
const bindingName = `oidc-gitlab-${roleName}`;
const user = 'gitlab:project_path:acme/shop:ref_type:branch:ref:main';
const workspaces: string[] = [];

after(async () => {
  const rbac = kubeConfigFor('admin').makeApiClient(RbacAuthorizationV1Api);
  await deleteIfExists(() => rbac.deleteNamespacedRoleBinding({ namespace: TEAM_A, name: bindingName }));
  await deleteIfExists(() => rbac.deleteNamespacedRole({ namespace: TEAM_A, name: roleName }));
  for (const w of workspaces) rmSync(w, { recursive: true, force: true });
});

function makeWorkspace(files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), 'pipeline-rbac-e2e-oidc-'));
  workspaces.push(root);
  for (const [rel, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, rel)), { recursive: true });
    writeFileSync(join(root, rel), text);
  }
  return root;
}

test('Create OIDC Binding: the issuer follows gitlab.url, the binding is applied and listed in the tree', { timeout: 300_000 }, async () => {
  e2eTools();
  requireVsix();
  const kubeconfigs = clusterKubeconfigs();
  const issuer = oidcIssuers().gitlab;
  const role = `apiVersion: rbac.authorization.k8s.io/v1\nkind: Role\nmetadata:\n  name: ${roleName}\n  namespace: ${TEAM_A}\nrules:\n  - apiGroups: [""]\n    resources: ["configmaps"]\n    resourceNames: ["${roleName}"]\n    verbs: ["get"]\n`;
  const workspace = makeWorkspace({ 'ci/shop-role.yaml': role, 'README.md': '# shop\n' });

  await e2eSession('oidc', { workspace, env: { KUBECONFIG: kubeconfigs.developer }, settings: { 'pipelineRbac.gitlab.url': issuer } }, async (wb) => {
    const qi = wb.quickInput;
    const shot = (step: string) => wb.page.mouse.move(5, 600).then(() => wb.screenshot(`oidc-${step}`));
    const waitStep = (n: number) => pollUntil(`step ${n}/6`, async () => ((await qi.waitOpen()) === `Create OIDC Binding (${n}/6)` ? true : undefined), { timeoutMs: 30_000 });
    const inputValue = () => wb.page.locator('.quick-input-widget .quick-input-box input').inputValue();

    await wb.openFile('README.md');
    await wb.runCommand('Pipeline RBAC: Create OIDC Binding...');
    await waitStep(1);
    await pickByKeyboard(wb, 'GitLab CI');
    await waitStep(2);
    // The configured self-managed GitLab issues the tokens: prefilled with its issuer, never https://gitlab.com.
    await pollUntil('the issuer prefilled from pipelineRbac.gitlab.url', async () => ((await inputValue()) === issuer ? true : undefined));
    await shot('01-issuer');
    await qi.type(issuer);
    await waitStep(3);
    await qi.type('acme/shop');
    await waitStep(4);
    await pickByKeyboard(wb, 'Branch');
    await pollUntil('the branch name', async () => ((await inputValue()) === 'main' ? true : undefined));
    await qi.type('main');
    await waitStep(5);
    await qi.type(TEAM_A);
    await waitStep(6);
    await pickByKeyboard(wb, 'ci/shop-role.yaml');
    await pollUntil('the apply-or-save choice', async () => ((await qi.items()).some((i) => i.startsWith('Apply to ')) ? true : undefined));
    await shot('02-apply-choice');
    await pickByKeyboard(wb, 'Apply to developer@pipeline-rbac-test');
    await waitForNotification(wb, new RegExp(`applied RoleBinding ${TEAM_A}/${bindingName} for ${user.replace(/[/.]/g, '\\$&')} to developer@pipeline-rbac-test`));
    await shot('03-applied');

    // On the apiserver: the Role from the workspace and the RoleBinding for the OIDC user, with the issuer recorded.
    const rbac = kubeConfigFor('admin').makeApiClient(RbacAuthorizationV1Api);
    const binding = await rbac.readNamespacedRoleBinding({ namespace: TEAM_A, name: bindingName });
    assert.deepEqual(binding.subjects?.map((s) => [s.kind, s.name]), [['User', user]]);
    assert.equal(binding.metadata?.annotations?.['pipeline-rbac.io/oidc-issuer'], issuer);
    assert.equal((await rbac.readNamespacedRole({ namespace: TEAM_A, name: roleName })).rules?.[0]?.resourceNames?.[0], roleName);

    // The tree lists the keyless identity with its issuer and its binding.
    const tree = await openTreeView(wb, 'Pipeline RBAC', 'Pipeline Identities');
    await tree.waitForRow('the current context', (r) => r.level === 1 && /current/.test(r.description));
    await tree.expand('team-a');
    const row = await tree.waitForRow('the keyless identity', (r) => r.label === `User ${user}`);
    assert.equal(row.description, `keyless, issuer ${new URL(issuer).host}`);
    await tree.expand(`User ${user}`);
    await tree.waitForRow('its RoleBinding', (r) => r.label === `RoleBinding ${TEAM_A}/${bindingName}` && r.description === `-> Role ${roleName}`);
    await shot('04-tree');
  });

  // A GitLab-shaped ID token for the bound subject holds exactly the applied Role.
  const t = Math.floor(Date.now() / 1000);
  const token = await mintOidcToken({
    iss: issuer, aud: 'kubernetes', sub: user.slice('gitlab:'.length), namespace_path: 'acme', project_path: 'acme/shop',
    ref: 'main', ref_type: 'branch', jti: randomUUID(), iat: t, nbf: t - 5, exp: t + 300,
  });
  const may = async (name: string) =>
    (await kubeConfigWithToken(token).makeApiClient(AuthorizationV1Api).createSelfSubjectAccessReview({ body: { spec: { resourceAttributes: { namespace: TEAM_A, verb: 'get', resource: 'configmaps', name } } } })).status?.allowed;
  assert.equal(await may(roleName), true);
  assert.equal(await may('another'), false);
});
