/**
 * "Create Pipeline Identity..." exporting to the GitLab and Vault stores in the real VS Code workbench (code-server +
 * Chromium) against the real test cluster as `developer`, the stores being local fakes that follow their documented
 * APIs (test/fakes/): a GitLab masked base64 variable and a Vault KV v2 secret (tokens kept in SecretStorage), each
 * revoked with "delete the stored kubeconfig". No store token reaches the output channel or the extension host log.
 * Screenshots go to .e2e/screenshots/identity-stores-*.png. Needs `npm run package` first.
 */
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { after, test } from 'node:test';
import { clusterKubeconfigs, TEAM_A, uniqueName } from '../cluster/harness';
import { GitLabFake } from '../fakes/gitlab';
import { VaultFake } from '../fakes/vault';
import { e2eSession, e2eTools, pollUntil, requireVsix } from './harness';
import { adminView, cleanUp, makeWorkspace as makeWorkspaceIn, NOTHING, whoIs } from './support/identityCluster';
import { clickDialogButton, pickByKeyboard, waitForDialog, waitForNotification } from './support/tree';

const workspaces: string[] = [];
after(() => {
  for (const w of workspaces) rmSync(w, { recursive: true, force: true });
});

const makeWorkspace = (files: Record<string, string>) => makeWorkspaceIn(files, workspaces);

test('Export to a GitLab masked base64 variable and to Vault KV v2 (tokens kept in SecretStorage), revoke deleting them', { timeout: 420_000 }, async (t) => {
  e2eTools();
  requireVsix();
  const kubeconfigs = clusterKubeconfigs();
  const glName = uniqueName('e2e-gl');
  const vaultName = uniqueName('e2e-vault');
  const glToken = `glpat-${uniqueName('t')}`;
  const vaultToken = `hvs.${uniqueName('t')}`;
  const gitlab = await GitLabFake.start({ token: glToken, projects: { 'acme/shop': { id: 7, role: 'maintainer' } } });
  const vault = await VaultFake.start({ token: vaultToken, mounts: ['secret'] });
  t.after(async () => {
    await gitlab.close();
    await vault.close();
    // Bound to the existing Role "developer": no Role of ours to clean up.
    await cleanUp(glName, 'developer-not-ours');
    await cleanUp(vaultName, 'developer-not-ours');
  });
  const workspace = makeWorkspace({ 'README.md': '# shop\n' });
  // GitLab's URL comes from the (user) setting; Vault's address is asked and then remembered.
  const settings = { 'pipelineRbac.gitlab.url': gitlab.url };

  await e2eSession('identity-stores', { workspace, env: { KUBECONFIG: kubeconfigs.developer }, settings }, async (wb, server) => {
    const qi = wb.quickInput;
    const page = wb.page;
    const box = page.locator('.quick-input-widget .quick-input-box input');
    const waitStep = (n: number) => pollUntil(`step ${n}/6 of the flow`, async () => ((await qi.waitOpen()) === `Create Pipeline Identity (${n}/6)` ? true : undefined), { timeoutMs: 30_000 });
    const prompt = (re: RegExp) =>
      pollUntil(`an input asking ${re}`, async () => re.test(await page.locator('.quick-input-widget .quick-input-message').innerText().catch(() => '')) && (await box.isVisible()));
    await pollUntil('the extensions to be registered', () => /Eager extensions activated/.test(server.extensionHostLog()));

    for (const store of ['gitlab', 'vault'] as const) {
      const name = store === 'gitlab' ? glName : vaultName;
      await wb.runCommand('Pipeline RBAC: Create Pipeline Identity...');
      await waitStep(1);
      await pickByKeyboard(wb, 'Continue in namespace team-a');
      await waitStep(2);
      await qi.type(name);
      await waitStep(3);
      // An existing Role: listed from the cluster, checked as a binding (the developer holds it, so no extra step).
      await pickByKeyboard(wb, 'Existing Role in team-a');
      await pickByKeyboard(wb, 'developer');
      await waitStep(4);
      await pickByKeyboard(wb, 'TokenRequest token (recommended)');
      await prompt(/Token lifetime/);
      await qi.type('1h');
      await waitStep(5);
      if (store === 'gitlab') {
        await pickByKeyboard(wb, 'GitLab CI/CD variable');
        await prompt(/GitLab project/);
        await qi.type('acme/shop');
        await pickByKeyboard(wb, 'Masked and hidden base64 variable');
        await prompt(/Variable key \(not KUBECONFIG/);
        assert.equal(await box.inputValue(), 'KUBECONFIG_B64');
        await qi.type('KUBECONFIG_B64');
        await prompt(/Environment scope/);
        await qi.type('production');
        await prompt(/GitLab access token for http:\/\/127\.0\.0\.1/);
        await qi.type(glToken);
      } else {
        await pickByKeyboard(wb, 'HashiCorp Vault / OpenBao');
        await prompt(/KV v2 mount and secret path/);
        assert.equal(await box.inputValue(), `secret/ci/team-a/${name}`);
        await qi.type(`secret/ci/team-a/${name}`);
        await prompt(/Vault \(or OpenBao\) address/);
        await qi.type(vault.url);
        await prompt(/Vault token for/);
        await qi.type(vaultToken);
      }
      await waitStep(6);
      await pickByKeyboard(wb, 'Create');
      await waitForNotification(wb, new RegExp(`pipeline identity team-a/${name} created`));
      await page.mouse.move(5, 600);
      await wb.screenshot(`identity-stores-${store}-created`);

      let stored: string;
      if (store === 'gitlab') {
        const v = gitlab.variable('acme/shop', 'KUBECONFIG_B64', 'production') ?? assert.fail('no GitLab variable');
        assert.deepEqual([v.variable_type, v.protected, v.masked, v.raw], ['env_var', true, true, true]);
        stored = Buffer.from(String(v.value), 'base64').toString('utf8');
      } else {
        stored = String(vault.secret('secret', `ci/team-a/${name}`)?.kubeconfig ?? assert.fail('no Vault secret'));
      }
      assert.equal(await whoIs(stored), `system:serviceaccount:${TEAM_A}:${name}`);

      // Revoke from the palette and delete the stored kubeconfig; Vault's address is offered as last typed.
      await wb.runCommand('Pipeline RBAC: Revoke Identity');
      await pickByKeyboard(wb, `team-a/${name}`);
      const dialog = await waitForDialog(page);
      assert.match(dialog.detail, /Kept:\n- Role team-a\/developer \(existing, not created by Pipeline RBAC\)/);
      await clickDialogButton(page, 'Revoke and Delete the Stored Kubeconfig');
      if (store === 'vault') {
        await prompt(/Vault \(or OpenBao\) address/);
        assert.equal(await box.inputValue(), vault.url);
        await box.press('Enter');
      }
      await waitForNotification(wb, new RegExp(`revoked team-a/${name} \\(3 object\\(s\\) deleted, stored kubeconfig deleted; old token not checked`));
      if (store === 'gitlab') assert.equal(gitlab.variable('acme/shop', 'KUBECONFIG_B64', 'production'), undefined);
      else assert.equal(vault.secret('secret', `ci/team-a/${name}`), undefined);
      assert.deepEqual(await adminView(name, 'developer-not-ours'), NOTHING);
    }
    const channel = server.outputChannelLog('Pipeline RBAC') ?? '';
    for (const secret of [glToken, vaultToken]) {
      assert.equal(channel.includes(secret), false, 'a store token is in the output channel');
      assert.equal(server.extensionHostLog().includes(secret), false, 'a store token is in the extension host log');
    }
  });
});
