/**
 * The extension in the real VS Code workbench (code-server + Chromium), against the real test
 * cluster as the `developer` user (KUBECONFIG handed to the extension host), on a scratch copy of
 * examples/ (whose .vscode/settings.json names app/**\/*.yaml as the pipeline's manifests).
 * Each step asserts what a person sees and saves a screenshot under .e2e/screenshots/editor-*.png:
 *   a) the too-broad CI Role: exactly its findings in the Problems panel, not-held errors for what
 *      developer lacks, squiggles;
 *   b) the hover on a rule: the grant table with "you hold it" yes / **no**;
 *   c) quick fixes edit the file and their diagnostics disappear;
 *   d) the status bar shows the kubeconfig context and the user;
 *   e) the least-privilege Role: no errors, every permission held.
 * PIPELINE_RBAC_DOC_IMAGES=1 also writes the cropped README images to docs/images/.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, test, type TestContext } from 'node:test';
import { KubeConfig } from '@kubernetes/client-node';
import { clusterKubeconfigs } from '../cluster/harness';
import { e2eSession, e2eTools, positionOf, requireVsix, type ProblemRow } from './harness';
import { copyExamples, hoverTable, screenshotOf, waitForAllProblems, waitForStatusItem } from './support/editorScenario';
import { E2E_DIR, REPO_ROOT } from './support/prerequisites';
import { safeName } from './support/util';

const BROAD = 'ci/too-broad-role.yaml';
const LEAST = 'ci/least-privilege-role.yaml';

/** What the too-broad Role shows for developer (held rules from the cluster, manifests from app/). */
const BROAD_PROBLEMS = [
  // The Role as a whole: `kubectl apply` of app/hpa.yaml needs autoscaling, which no rule grants
  'error missing-permission 8:1',
  // Rule 1: "", apps, networking.k8s.io x "*" x "*"
  'error not-held 10:5',
  'warning namespace-modify 11:17',
  'warning network-policy-modify 11:17',
  // (no nodes-proxy, no pv-create: a Role cannot grant cluster-scoped nodes or persistentvolumes, issue 23)
  'warning pods-exec 11:17',
  'warning secrets-read 11:17',
  'warning secrets-write 11:17',
  'warning status-modify 11:17',
  'warning token-create 11:17',
  'warning wildcard 11:17',
  'info unused-permission 11:17',
  'info workload-create 11:17',
  'error impersonate 12:13',
  'warning wildcard 12:13',
  'info unused-permission 12:13',
  // Rule 2: get/list/watch on configmaps (held) and secrets (not held)
  'error not-held 15:31',
  'warning secrets-read 15:31',
  'info unused-permission 15:31',
  // Rule 3: create pods/exec, pods/portforward
  'error not-held 18:5',
  'warning pods-exec 19:17',
  'warning pods-exec 19:30',
  'info unused-permission 19:17',
  'info unused-permission 19:30',
  // Rule 4: "*" on roles, rolebindings
  'error not-held 22:5',
  'info unused-permission 23:17',
  'info unused-permission 23:26',
  'warning binding-write 23:26',
  'error escalate-verb 24:13',
  'warning bind-verb 24:13',
  'warning wildcard 24:13',
  'info unused-permission 24:13',
].sort();

const key = (p: ProblemRow) => `${p.severity} ${p.code} ${p.line}:${p.column}`;
const docImages = process.env.PIPELINE_RBAC_DOC_IMAGES === '1';
const docImage = (name: string) => join(docImages ? join(REPO_ROOT, 'docs', 'images') : join(E2E_DIR, 'screenshots', 'docs'), `${name}.png`);

const scratch = copyExamples();
after(() => scratch.remove());

function inFile(rows: ProblemRow[], rel: string): ProblemRow[] {
  return rows.filter((p) => p.resource === join(scratch.root, rel));
}

test('editor: findings, hover, quick fixes, status bar and a clean least-privilege Role, live as developer', async (t) => {
  e2eTools();
  requireVsix();
  const kubeconfig = clusterKubeconfigs().developer;
  const kc = new KubeConfig();
  kc.loadFromFile(kubeconfig);
  const context = kc.getCurrentContext();
  const user = kc.getCurrentUser()?.name;
  assert.equal(user, 'developer');
  const broadText = scratch.read(BROAD);

  await e2eSession('editor', { workspace: scratch.root, env: { KUBECONFIG: kubeconfig } }, async (wb, server) => {
    t.diagnostic(`workbench visible after ${wb.loadMs} ms`);
    const step = (name: string, fn: (st: TestContext) => Promise<void>) =>
      t.test(name, async (st) => {
        try {
          await fn(st);
        } catch (e) {
          await wb.screenshot(`editor-${safeName(name).slice(0, 40)}-FAILED`).catch(() => undefined);
          throw e;
        }
      });

    await step('a) the too-broad Role shows its findings in Problems and as squiggles', async (st) => {
      const opened = Date.now();
      await wb.openFile(BROAD);
      assert.equal(await server.waitForActivation(), 'onLanguage:yaml');
      await wb.waitForSquiggle();
      st.diagnostic(`first squiggle ${Date.now() - opened} ms after opening the file`);
      // The live check is in once the not-held errors are there; wait for the whole set.
      const rows = await waitForAllProblems(
        wb,
        (r) => inFile(r, BROAD).length === BROAD_PROBLEMS.length && inFile(r, BROAD).filter((p) => p.code === 'not-held').length === 4,
        `the ${BROAD_PROBLEMS.length} findings of ${BROAD}`,
      );
      st.diagnostic(`all ${BROAD_PROBLEMS.length} findings shown ${Date.now() - opened} ms after opening the file`);
      const mine = inFile(rows, BROAD);
      assert.deepEqual(mine.map(key).sort(), BROAD_PROBLEMS);
      assert.ok(mine.every((p) => p.source === 'pipeline-rbac'), 'every finding comes from pipeline-rbac');
      // The not-held errors name what developer lacks, in the apiserver's own words.
      const secrets = mine.find((p) => key(p) === 'error not-held 15:31');
      assert.match(secrets?.message ?? '', /user "developer" .* is attempting to grant RBAC permissions not currently held: \{APIGroups:\[""\], Resources:\["secrets"\], Verbs:\["get" "list" "watch"\]\}/);
      assert.match(mine.find((p) => key(p) === 'error not-held 18:5')?.message ?? '', /Resources:\["pods\/exec"\], Verbs:\["create"\]/);
      assert.match(secrets?.message ?? '', new RegExp(`live: context ${context.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));

      assert.ok((await wb.waitForSquiggle({ severity: 'error' })) >= 1, 'error squiggles in the editor');
      assert.ok((await wb.waitForSquiggle({ severity: 'warning' })) >= 1, 'warning squiggles in the editor');
      // As a person sees it: focus back in the editor, the pointer away from the list.
      const page = wb.page;
      await page.mouse.move(5, 5);
      await page.keyboard.press('Control+1');
      await wb.screenshot('editor-a-problems');
      await screenshotOf(wb, docImage('problems'), [page.locator('.part.editor'), page.locator('.part.panel')], 0);
    });

    await step('d) the status bar shows the context and the user', async () => {
      const item = await waitForStatusItem(wb, (i) => i.text.includes(context) && /live permissions/i.test(i.tooltip));
      assert.equal(item.text, `${context} \u00b7 ${user}`);
      assert.match(item.tooltip, new RegExp(`live permissions of ${user} in context ${context.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
      await wb.screenshot('editor-d-status-bar');
    });

    await step('b) the hover on a rule shows what it grants and whether you hold it', async (st) => {
      // On rule 2's apiGroups key: the rule's hover alone (on "secrets" the diagnostics come first).
      const shown = Date.now();
      const hover = await hoverTable(wb, { line: 14, column: 7 });
      st.diagnostic(`hover with the grant table after ${Date.now() - shown} ms`);
      assert.deepEqual(hover.header, ['verb', 'resource', 'API group', 'names', 'you hold it']);
      assert.deepEqual(hover.rows, [
        ['get', 'configmaps', 'core', 'all', 'yes'],
        ['list', 'configmaps', 'core', 'all', 'yes'],
        ['watch', 'configmaps', 'core', 'all', 'yes'],
        ['get', 'secrets', 'core', 'all', 'no'],
        ['list', 'secrets', 'core', 'all', 'no'],
        ['watch', 'secrets', 'core', 'all', 'no'],
      ]);
      // "no" is bold (**no**), "yes" is not.
      assert.deepEqual(hover.bold, [[], [], [], ['no'], ['no'], ['no']]);
      assert.match(hover.text, /Rule 2 of Role ci-deployer-too-broad grants 6 permissions in namespace team-a/);
      assert.match(hover.text, new RegExp(`Checked against live: context ${context.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} as developer`));
      await wb.screenshot('editor-b-hover');
      const page = wb.page;
      const hoverWidget = page.locator('.monaco-editor .monaco-hover:not(.hidden)').first();
      const editor = page.locator('.editor-group-container.active .monaco-editor').first();
      const gutterLine = editor.locator('.margin-view-overlays .current-line').first();
      await screenshotOf(wb, docImage('hover'), [hoverWidget, gutterLine], 16);
      await page.keyboard.press('Escape');
    });

    await step('c) quick fixes edit the file and their diagnostics disappear', async (st) => {
      // Rule 2: drop "secrets" (the not-held error, secrets-read and unused-permission go with it).
      const at = positionOf(broadText, 'secrets');
      const actions = await wb.codeActions(at);
      assert.ok(actions.includes('Remove "secrets" from resources'), `code actions: ${actions.join(' | ')}`);
      await wb.quickFix(at, 'Remove "secrets" from resources');
      let expected = broadText.replace('resources: ["configmaps", "secrets"]', 'resources: ["configmaps"]');
      assert.equal(await wb.editorText(), expected);
      const fixed = Date.now();
      let rows = await waitForAllProblems(wb, (r) => !inFile(r, BROAD).some((p) => p.line === 15), 'the line-15 findings to disappear');
      st.diagnostic(`diagnostics updated ${Date.now() - fixed} ms after the edit`);
      assert.deepEqual(inFile(rows, BROAD).map(key).sort(), BROAD_PROBLEMS.filter((k) => !k.endsWith(' 15:31')));
      await wb.screenshot('editor-c1-removed-secrets');

      // Rule 1: verbs "*" -> the deploy verbs (pipelineRbac.deployVerbs).
      const star = positionOf(broadText, '"*"', 2);
      assert.equal(star.line, 12);
      const title = 'Replace "*" with get, list, watch, create, update, patch, delete';
      await wb.quickFix(star, title);
      expected = expected.replace('    verbs: ["*"]\n  # Config', '    verbs: ["get", "list", "watch", "create", "update", "patch", "delete"]\n  # Config');
      assert.notEqual(expected, broadText);
      assert.equal(await wb.editorText(), expected);
      rows = await waitForAllProblems(
        wb,
        (r) => !inFile(r, BROAD).some((p) => p.line === 12 || p.line === 15) && inFile(r, BROAD).length > 0,
        'the wildcard and impersonate findings of line 12 to disappear',
      );
      const now = inFile(rows, BROAD).map(key);
      for (const gone of ['warning wildcard 12:13', 'error impersonate 12:13']) assert.ok(!now.includes(gone), `${gone} is gone`);
      // Still not held: rule 1 grants core/apps/networking "*" resources.
      assert.ok(now.includes('error not-held 10:5'));
      await wb.save();
      assert.equal(scratch.read(BROAD), expected, 'the fixes are saved to disk');
      await wb.screenshot('editor-c2-explicit-verbs');
    });

    await step('e) the least-privilege Role has no errors: developer holds all of it', async () => {
      await wb.openFile(LEAST);
      const rows = await waitForAllProblems(wb, (r) => inFile(r, LEAST).length > 0, `the findings of ${LEAST}`);
      assert.deepEqual(inFile(rows, LEAST).map(key), ['info workload-create 14:17']);
      // Every permission of every rule is held, per the live cluster.
      const text = scratch.read(LEAST);
      for (const [needle, resources] of [
        ['"configmaps", "services"', ['configmaps', 'services']],
        ['"deployments"', ['deployments']],
        ['"ingresses"', ['ingresses']],
        ['"horizontalpodautoscalers"', ['horizontalpodautoscalers']],
      ] as const) {
        const hover = await hoverTable(wb, positionOf(text, needle));
        assert.equal(hover.rows.length, 7 * resources.length, `${needle}: one row per verb and resource`);
        assert.deepEqual([...new Set(hover.rows.map((r) => r[1]))].sort(), [...resources].sort());
        assert.ok(hover.rows.every((r) => r[4] === 'yes'), `${needle}: held: ${JSON.stringify(hover.rows)}`);
        assert.match(hover.text, /Checked against live: context .* as developer/);
        await wb.page.keyboard.press('Escape');
      }
      const after = await waitForAllProblems(wb, (r) => inFile(r, LEAST).length > 0, `the findings of ${LEAST}`);
      assert.equal(inFile(after, LEAST).filter((p) => p.severity === 'error').length, 0);
      await wb.screenshot('editor-e-least-privilege');
    });
  });
});
