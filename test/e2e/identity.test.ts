/**
 * "Create Pipeline Identity..." and "Revoke Identity" in the real VS Code workbench (code-server + Chromium) against
 * the real test cluster, as the `developer` user (KUBECONFIG in the extension host's environment):
 *  1. a Role the developer cannot grant is refused in the flow (the reasons are listed) and Escape ends it with nothing
 *     created;
 *  2. the whole flow from the command palette by keyboard (pre-verification, name, workspace Role file, TokenRequest,
 *     file export through the save dialog, confirm) creates the identity: the notification and summary, a 0600
 *     kubeconfig that authenticates as the ServiceAccount, the identity in the Pipeline Identities tree with its token;
 *  3. "Revoke Identity" from the tree's context menu (modal confirmation listing what goes) removes everything: the
 *     apiserver (asked as admin) has none of the objects, the file is gone, the token stops authenticating.
 * The token never appears in the output channel, the extension host log or the notifications.
 * One more session covers a CI store through a local fake that follows its documented API (test/fakes/): a GitHub
 * Enterprise environment secret with a personal access token kept in SecretStorage, rotated from the tree (the old
 * token stops working) and revoked from the palette. GitLab and Vault: identityStores.test.ts.
 * Screenshots of every step go to .e2e/screenshots/identity-*.png. Needs `npm run package` first.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { CoreV1Api } from '@kubernetes/client-node';
import { parse } from 'yaml';
import { clusterKubeconfigs, kubeConfigFor, TEAM_A, uniqueName } from '../cluster/harness';
import { GitHubFake } from '../fakes/github';
import { e2eSession, e2eTools, pollUntil, requireVsix } from './harness';
import { adminView, cleanUp, makeWorkspace as makeWorkspaceIn, NOTHING, whoIs } from './support/identityCluster';
import { answerFileDialog, clickDialogButton, openTreeView, pickByKeyboard, waitForDialog, waitForNotification } from './support/tree';

const name = uniqueName('e2e-id');
const roleName = `${name}-deployer`;
const exportDir = mkdtempSync(join(tmpdir(), 'pipeline-rbac-e2e-export-'));
const exportPath = join(exportDir, `${name}.kubeconfig`);

// What the pipeline deploys: the developer holds all of it in team-a (test/cluster/seed.mjs).
const ROLE = `apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata:
  name: ${roleName}
  namespace: ${TEAM_A}
rules:
  - apiGroups: ["apps"]
    resources: ["deployments"]
    verbs: ["get", "list", "patch"]
  - apiGroups: [""]
    resources: ["configmaps"]
    verbs: ["get", "list"]
`;
// Reading Secrets: the developer may only create and delete them, so it cannot grant this (not-held).
const TOO_BROAD = `apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata:
  name: ${name}-too-broad
  namespace: ${TEAM_A}
rules:
  - apiGroups: [""]
    resources: ["secrets"]
    verbs: ["get", "list"]
`;

const workspaces: string[] = [exportDir];
const ghName = uniqueName('e2e-gh');
const ghRole = `${ghName}-deployer`;
after(async () => {
  await cleanUp(name, roleName);
  await cleanUp(ghName, ghRole);
  for (const w of workspaces) rmSync(w, { recursive: true, force: true });
});

const makeWorkspace = (files: Record<string, string>) => makeWorkspaceIn(files, workspaces);

test('Create Pipeline Identity from the palette, see it in the tree, revoke it from the tree', { timeout: 420_000 }, async (t) => {
  e2eTools();
  requireVsix();
  const kubeconfigs = clusterKubeconfigs();
  await cleanUp(name, roleName);
  const workspace = makeWorkspace({ 'ci/deployer-role.yaml': ROLE, 'ci/too-broad-role.yaml': TOO_BROAD, 'README.md': '# shop\n' });
  const timings: Record<string, number> = {};
  const mark = (what: string, since: number) => (timings[what] = Date.now() - since);

  // files.simpleDialog.enable: the save dialog is a quick input everywhere (desktop VS Code too), so the keyboard drives it.
  await e2eSession('identity', { workspace, env: { KUBECONFIG: kubeconfigs.developer }, settings: { 'files.simpleDialog.enable': true } }, async (wb, server) => {
    const qi = wb.quickInput;
    // Every quick input answer is typed: the item's label as the filter + Enter, or the text + Enter.
    const shot = (step: string) => wb.page.mouse.move(5, 600).then(() => wb.screenshot(`identity-${step}`));
    const waitStep = (n: number) => pollUntil(`step ${n}/6 of the flow`, async () => ((await qi.waitOpen()) === `Create Pipeline Identity (${n}/6)` ? true : undefined), { timeoutMs: 30_000 });
    const waitItems = (what: string, pred: (items: string[]) => boolean, timeoutMs = 30_000) =>
      pollUntil(what, async () => {
        const items = await qi.items();
        return pred(items) ? items : undefined;
      }, { timeoutMs, intervalMs: 200 });

    await wb.openFile('ci/deployer-role.yaml');
    const activation = await server.waitForActivation();
    t.diagnostic(`activated by ${activation}`);

    // --- 1. A Role the developer cannot grant: listed reasons, no way forward; Escape ends the flow.
    let t0 = Date.now();
    await wb.runCommand('Pipeline RBAC: Create Pipeline Identity...');
    await waitStep(1);
    const preflight = await waitItems('the pre-verification result', (i) => i.includes('Continue in namespace team-a'));
    mark('preflight shown', t0);
    assert.ok(preflight.includes('Acting as developer'), preflight.join('\n'));
    assert.ok(preflight.includes('May create serviceaccounts/token'), preflight.join('\n'));
    assert.ok(preflight.includes('May create roles'), preflight.join('\n'));
    await shot('01-preflight');
    await pickByKeyboard(wb, 'Continue in namespace team-a');
    await waitStep(2);
    await qi.type(name);
    await waitStep(3);
    await pickByKeyboard(wb, 'Role file from the workspace');
    await waitItems('the workspace Role files', (i) => i.includes('ci/too-broad-role.yaml') && i.includes('ci/deployer-role.yaml'));
    await pickByKeyboard(wb, 'ci/too-broad-role.yaml');
    const refused = await waitItems('the refusal of the too broad Role', (i) => i.includes('Choose another Role'));
    assert.ok(refused.some((i) => /ci\/too-broad-role\.yaml:\d+: .*secrets.*\[not-held\]/.test(i)), refused.join('\n'));
    assert.equal(refused.includes('Continue'), false, 'a refused Role offers no way forward');
    await shot('02-role-refused');
    await wb.page.keyboard.press('Escape');
    await qi.waitClosed();
    await pollUntil('the cancellation in the output channel', () => /Create Pipeline Identity cancelled; nothing was created/.test(server.outputChannelLog('Pipeline RBAC') ?? ''));
    assert.deepEqual(await adminView(name, roleName), NOTHING, 'nothing exists after Escape');

    // --- 2. The whole flow, by keyboard and clicks on the quick input, with a file export.
    t0 = Date.now();
    await wb.runCommand('Pipeline RBAC: Create Pipeline Identity...');
    await waitStep(1);
    await waitItems('the pre-verification result', (i) => i.includes('Continue in namespace team-a'));
    await pickByKeyboard(wb, 'Continue in namespace team-a');
    await waitStep(2);
    await qi.type(name);
    await waitStep(3);
    await pickByKeyboard(wb, 'Role file from the workspace');
    await waitItems('the workspace Role files', (i) => i.includes('ci/deployer-role.yaml'));
    await pickByKeyboard(wb, 'ci/deployer-role.yaml');
    // The check passes; its non-blocking findings (patch on deployments runs pods) are shown with Continue.
    const checked = await pollUntil('the Role check to pass', async () => {
      const title = await qi.waitOpen();
      if (title === 'Create Pipeline Identity (4/6)') return ['(clean)'];
      const items = await qi.items();
      return items.includes('Continue') ? items : undefined;
    });
    await shot('03-role-checked');
    if (checked.includes('Continue')) {
      assert.ok(checked.some((i) => /\[workload-create\]/.test(i)), checked.join('\n'));
      await pickByKeyboard(wb, 'Continue');
    }
    await waitStep(4);
    assert.deepEqual(await qi.items(), ['TokenRequest token (recommended)', 'Legacy token Secret (weaker)']);
    await pickByKeyboard(wb, 'TokenRequest token (recommended)');
    await pollUntil('the lifetime input', async () => (await wb.page.locator('.quick-input-widget .quick-input-box input').inputValue()) === '30d');
    await shot('04-token-lifetime');
    await qi.type('30d');
    await waitStep(5);
    await waitItems('the export targets', (i) => i.includes('File') && i.includes('GitHub Actions secret'));
    await shot('05-export');
    await pickByKeyboard(wb, 'File');
    // The save dialog: in code-server (and with files.simpleDialog.enable) a quick input holding the path.
    await pollUntil('the save dialog', async () => ((await qi.waitOpen()).startsWith('Export the kubeconfig to a file') ? true : undefined));
    await shot('06-save-dialog');
    await answerFileDialog(wb, exportPath, /^Export the kubeconfig to a file/);
    await waitStep(6);
    const confirm = await waitItems('the confirmation', (i) => i.includes('Create'));
    assert.ok(confirm.includes(`ServiceAccount team-a/${name}`), confirm.join('\n'));
    assert.ok(confirm.includes('Role from ci/deployer-role.yaml'), confirm.join('\n'));
    assert.ok(confirm.includes(`file ${exportPath} (mode 0600)`), confirm.join('\n'));
    assert.ok(confirm.some((i) => i.startsWith(`The kubeconfig is written in plain text to ${exportPath}`)), 'the plain-text file warning is shown before export');
    assert.deepEqual(await adminView(name, roleName), NOTHING, 'nothing exists before Create');
    await shot('07-confirm');
    // Review before create: the Role row opens the exact objects as a read-only YAML preview beside the wizard.
    await pickByKeyboard(wb, 'Role from ci/deployer-role.yaml');
    const previewText = await pollUntil('the read-only preview of what Create applies', async () => {
      const editors = await wb.page.locator('.editor-group-container .monaco-editor .view-lines').allTextContents();
      return editors.map((e) => e.replace(/\u00a0/g, ' ')).find((e) => e.includes('kind: RoleBinding'));
    });
    for (const want of ['kind: ServiceAccount', `name: ${name}`, 'kind: Role', `name: ${roleName}`, 'resources:', 'deployments']) assert.ok(previewText.includes(want), `${want} in the preview: ${previewText}`);
    const tabs = await wb.page.locator('.editor-group-container .tab').evaluateAll((ts) => ts.map((x) => x.getAttribute('aria-label') ?? ''));
    assert.ok(tabs.some((x) => x.startsWith(`${name}.yaml`)), `a tab named after the identity: ${tabs.join(' | ')}`);
    assert.deepEqual(await adminView(name, roleName), NOTHING, 'the preview creates nothing');
    await waitItems('the confirmation again', (i) => i.includes('Create'));
    await shot('07b-preview');
    mark('flow answered', t0);
    const created = Date.now();
    await pickByKeyboard(wb, 'Create');
    const note = await waitForNotification(wb, new RegExp(`pipeline identity team-a/${name} created`));
    mark('create run', created);
    assert.match(note, new RegExp(`kubeconfig exported to file ${exportPath.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} \\(mode 0600\\)\\. Token expires \\d{4}-`));
    // The summary with the pipeline snippet opens rendered (a Markdown preview, not its source).
    const preview = await wb.markdownPreview(new RegExp(`Pipeline identity team-a/${name}`));
    const summary = preview.text;
    assert.match(preview.tab, /^Preview /, `the active tab is the preview: ${preview.tab}`);
    assert.match(summary, new RegExp(`^Pipeline identity team-a/${name}$`, 'm'));
    assert.doesNotMatch(summary, /^#/m, 'headings are rendered, not shown as Markdown source');
    assert.match(summary, /^Use it in your pipeline$/m);
    assert.match(summary, /azure\/k8s-set-context/);
    await shot('08-created');

    // The exported kubeconfig: mode 0600, the ServiceAccount's own identity, namespace team-a.
    assert.equal(statSync(exportPath).mode & 0o777, 0o600);
    const kubeconfigText = readFileSync(exportPath, 'utf8');
    const exported = parse(kubeconfigText) as { contexts: { context: { namespace: string } }[]; users: { user: { token: string } }[] };
    assert.equal(exported.contexts[0]?.context.namespace, TEAM_A);
    const token = exported.users[0]?.user.token ?? '';
    assert.ok(token.length > 100, 'a bearer token is in the exported kubeconfig');
    assert.equal(await whoIs(kubeconfigText), `system:serviceaccount:${TEAM_A}:${name}`);
    assert.deepEqual(await adminView(name, roleName), { ServiceAccount: true, Role: true, RoleBinding: true, Secret: true });
    const sa = await kubeConfigFor('admin').makeApiClient(CoreV1Api).readNamespacedServiceAccount({ namespace: TEAM_A, name });
    assert.equal(sa.metadata?.labels?.['pipeline-rbac.io/identity'], 'true');
    assert.equal(sa.metadata?.annotations?.['pipeline-rbac.io/export-target'], `file:${exportPath}`);
    assert.equal(sa.metadata?.annotations?.['pipeline-rbac.io/created-by'], 'developer');

    // --- 3. The tree shows it with its token state.
    t0 = Date.now();
    const tree = await openTreeView(wb, 'Pipeline RBAC', 'Pipeline Identities');
    await tree.waitForRow('the current context', (r) => r.level === 1 && /current/.test(r.description));
    await tree.expand('team-a');
    const row = await tree.waitForRow(`identity ${name}`, (r) => r.label === name);
    assert.match(row.description, /pipeline · token/);
    await tree.expand(name);
    const tokenRow = await tree.waitForRow('its token', (r) => /^TokenRequest token/.test(r.label));
    assert.match(`${tokenRow.label} ${tokenRow.description}`, /expires in 29d|expires in 30d/);
    await tree.waitForRow('its RoleBinding', (r) => r.label === `RoleBinding team-a/${name}` && r.description === `-> Role ${roleName}`);
    mark('tree shows identity', t0);
    await shot('09-tree');

    // --- 4. Revoke from the tree's context menu.
    const menu = await tree.contextMenu(name);
    assert.deepEqual(menu, ['Verify Pipeline Identity...', 'Rotate Token', 'Export Again...', 'Save as Manifests...', 'Revoke Identity']);
    await shot('10-context-menu');
    await wb.page.keyboard.press('Escape');
    await tree.runContextMenu(name, 'Revoke Identity');
    const dialog = await waitForDialog(wb.page);
    assert.equal(dialog.message, `Revoke pipeline identity team-a/${name}?`);
    for (const what of [`RoleBinding team-a/${name}`, `Role team-a/${roleName}`, `ServiceAccount team-a/${name}`]) assert.ok(dialog.detail.includes(what), dialog.detail);
    // The annotation only claims which Secret holds the token: the dialog never names it, revoke checks it first.
    assert.match(dialog.detail, /the identity's token Secrets \(each checked to be its token first; revokes the token\)/);
    assert.match(dialog.detail, new RegExp(`This machine exported its kubeconfig to exactly: file ${exportPath.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} \\(mode 0600\\)`));
    assert.ok(dialog.buttons.includes('Revoke and Delete the Stored Kubeconfig'), dialog.buttons.join(', '));
    await shot('11-revoke-dialog');
    t0 = Date.now();
    await clickDialogButton(wb.page, 'Revoke and Delete the Stored Kubeconfig');
    await waitForNotification(wb, new RegExp(`revoked team-a/${name} \\(4 object\\(s\\) deleted, stored kubeconfig deleted; old token refused after \\d+(\\.\\d)? s\\)`));
    mark('revoke run', t0);
    await tree.waitForNoRow(`identity ${name} to leave the tree`, (r) => r.label === name);
    await shot('12-revoked');
    assert.deepEqual(await adminView(name, roleName), NOTHING, 'the apiserver has nothing of the identity');
    assert.equal(existsSync(exportPath), false, 'the exported kubeconfig file is deleted');
    // The token stops authenticating (the apiserver may accept it from its cache for up to ~10 s).
    await pollUntil('the revoked token to be refused', async () => ((await whoIs(kubeconfigText)) === 401 ? true : undefined), { timeoutMs: 30_000, intervalMs: 1_000 });

    // The token never reached the output channel, the extension host log or a notification.
    const channel = server.outputChannelLog('Pipeline RBAC') ?? '';
    assert.match(channel, new RegExp(`audit: action="create" identity="team-a/${name}" by="developer"`));
    assert.match(channel, new RegExp(`audit: action="revoke" identity="team-a/${name}" by="developer"`));
    for (const [where, text] of [
      ['output channel', channel],
      ['extension host log', server.extensionHostLog()],
      ['notifications', (await wb.notifications()).join('\n')],
      ['summary', summary],
    ] as const) {
      assert.equal(text.includes(token), false, `the token is not in the ${where}`);
      assert.equal(text.includes(token.slice(0, 40)), false, `no piece of the token is in the ${where}`);
    }
    t.diagnostic(`timings (ms): ${JSON.stringify(timings)}`);
  });
});

test('Export to a GitHub environment secret with a token kept in SecretStorage, rotate from the tree, revoke from the palette', { timeout: 420_000 }, async (t) => {
  e2eTools();
  requireVsix();
  const kubeconfigs = clusterKubeconfigs();
  await cleanUp(ghName, ghRole);
  // GitHub Enterprise Server at a loopback fake that opens the sealed boxes (test/fakes/github.ts).
  const pat = `ghp_${uniqueName('pat').replace(/-/g, '')}${'x'.repeat(20)}`;
  const github = await GitHubFake.start({ token: pat, repos: { 'acme/shop': ['production'] }, prefix: '/api/v3' });
  t.after(() => github.close());
  const workspace = makeWorkspace({ 'ci/deployer-role.yaml': ROLE.replaceAll(roleName, ghRole) });
  const settings = { 'files.simpleDialog.enable': true, 'pipelineRbac.github.apiUrl': github.baseUrl };

  await e2eSession('identity-github', { workspace, env: { KUBECONFIG: kubeconfigs.developer }, settings }, async (wb, server) => {
    const qi = wb.quickInput;
    const page = wb.page;
    const shot = (step: string) => page.mouse.move(5, 600).then(() => wb.screenshot(`identity-github-${step}`));
    const waitStep = (n: number) => pollUntil(`step ${n}/6 of the flow`, async () => ((await qi.waitOpen()) === `Create Pipeline Identity (${n}/6)` ? true : undefined), { timeoutMs: 30_000 });
    const prompt = (re: RegExp) =>
      pollUntil(`an input asking ${re}`, async () => re.test(await page.locator('.quick-input-widget .quick-input-message').innerText().catch(() => '')) && (await page.locator('.quick-input-widget .quick-input-box input').isVisible()));

    await wb.openFile('ci/deployer-role.yaml');
    await server.waitForActivation();
    await wb.runCommand('Pipeline RBAC: Create Pipeline Identity...');
    await waitStep(1);
    await pickByKeyboard(wb, 'Continue in namespace team-a');
    await waitStep(2);
    await qi.type(ghName);
    await waitStep(3);
    await pickByKeyboard(wb, 'Role file from the workspace');
    await pickByKeyboard(wb, 'ci/deployer-role.yaml');
    await pollUntil('the Role check to pass', async () => {
      if ((await qi.waitOpen()) === 'Create Pipeline Identity (4/6)') return true;
      if ((await qi.items()).includes('Continue')) await pickByKeyboard(wb, 'Continue');
      return undefined;
    });
    await pickByKeyboard(wb, 'TokenRequest token (recommended)');
    await prompt(/Token lifetime/);
    await qi.type('1d');
    await waitStep(5);
    await pickByKeyboard(wb, 'GitHub Actions secret');
    await prompt(/GitHub repository/);
    await qi.type('acme/shop');
    await prompt(/GitHub environment/);
    await qi.type('production');
    await prompt(/Secret name/);
    assert.equal(await page.locator('.quick-input-widget .quick-input-box input').inputValue(), 'KUBECONFIG');
    await qi.type('KUBECONFIG');
    // No VS Code account for this GitHub Enterprise server: a personal access token, kept in SecretStorage.
    await pickByKeyboard(wb, 'Enter a personal access token');
    await prompt(/GitHub personal access token for/);
    assert.equal(await page.locator('.quick-input-widget .quick-input-box input').getAttribute('type'), 'password');
    await shot('01-token');
    await qi.type(pat);
    await waitStep(6);
    const confirm = await pollUntil('the confirmation', async () => {
      const items = await qi.items();
      return items.includes('Create') ? items : undefined;
    });
    assert.ok(confirm.includes('GitHub Actions secret KUBECONFIG of acme/shop (environment production)'), confirm.join('\n'));
    await shot('02-confirm');
    await pickByKeyboard(wb, 'Create');
    await waitForNotification(wb, new RegExp(`pipeline identity team-a/${ghName} created; kubeconfig exported to GitHub Actions secret KUBECONFIG of acme/shop \\(environment "production"\\) on 127\\.0\\.0\\.1:\\d+`));
    await shot('03-created');

    // The fake decrypts the sealed box: a kubeconfig that authenticates as the ServiceAccount.
    const first = github.secret('acme/shop', 'KUBECONFIG', 'production') ?? assert.fail('no secret was written');
    assert.equal(await whoIs(first), `system:serviceaccount:${TEAM_A}:${ghName}`);
    const sa = await kubeConfigFor('admin').makeApiClient(CoreV1Api).readNamespacedServiceAccount({ namespace: TEAM_A, name: ghName });
    assert.equal(sa.metadata?.annotations?.['pipeline-rbac.io/export-target'], 'github:acme/shop@production:KUBECONFIG');
    assert.equal(sa.metadata?.annotations?.['pipeline-rbac.io/pipeline'], 'acme/shop (environment production)');

    // Rotate from the tree: same secret, the stored token is used without asking, the old token is revoked.
    const tree = await openTreeView(wb, 'Pipeline RBAC', 'Pipeline Identities');
    await tree.expand('team-a');
    await tree.waitForRow(`identity ${ghName}`, (r) => r.label === ghName && /acme\/shop \(environment production\)/.test(r.description));
    await tree.runContextMenu(ghName, 'Rotate Token');
    const dialog = await waitForDialog(page);
    assert.equal(dialog.message, `Rotate Token: team-a/${ghName}?`);
    assert.match(dialog.detail, /exported to exactly: GitHub Actions secret KUBECONFIG of acme\/shop \(environment production\) \(where this machine exported it last time\)/);
    await shot('04-rotate-dialog');
    await clickDialogButton(page, 'Rotate');
    await waitForNotification(wb, new RegExp(`new token for team-a/${ghName} exported to GitHub Actions secret KUBECONFIG.*the old token is revoked`));
    const second = github.secret('acme/shop', 'KUBECONFIG', 'production') ?? assert.fail('no secret after rotation');
    assert.notEqual(second, first, 'the secret holds a new kubeconfig');
    assert.equal(await whoIs(second), `system:serviceaccount:${TEAM_A}:${ghName}`);
    await pollUntil('the old token to be refused', async () => ((await whoIs(first)) === 401 ? true : undefined), { timeoutMs: 30_000, intervalMs: 1_000 });
    await shot('05-rotated');

    // Revoke from the palette: it asks which identity; the GitHub secret is kept ("Revoke").
    await wb.runCommand('Pipeline RBAC: Revoke Identity');
    await pickByKeyboard(wb, `team-a/${ghName}`);
    const revoke = await waitForDialog(page);
    assert.ok(revoke.buttons.includes('Revoke and Delete the Stored Kubeconfig'));
    await clickDialogButton(page, 'Revoke');
    await waitForNotification(wb, new RegExp(`revoked team-a/${ghName} \\(4 object\\(s\\) deleted; old token not checked`));
    assert.deepEqual(await adminView(ghName, ghRole), NOTHING);
    assert.equal(github.secret('acme/shop', 'KUBECONFIG', 'production'), second, 'the GitHub secret is kept (its token stops working; the first test waits for that)');

    // Neither the personal access token nor a kubeconfig token reached a log or a notification.
    const tokens = [pat, ...[first, second].map((k) => (parse(k) as { users: { user: { token: string } }[] }).users[0]?.user.token ?? '')];
    const texts = { channel: server.outputChannelLog('Pipeline RBAC') ?? '', exthost: server.extensionHostLog(), notifications: (await wb.notifications()).join('\n') };
    for (const [where, text] of Object.entries(texts)) for (const secret of tokens) assert.equal(text.includes(secret.slice(0, 32)), false, `a secret is in the ${where}`);
    assert.equal(github.requests.filter((r) => r.method === 'PUT').length, 2, 'one PUT per export');
  });
});
