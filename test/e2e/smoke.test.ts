/**
 * Smoke test of the real-VS-Code harness: the packaged .vsix (from `npm run package`, not built
 * here) installed into code-server, activated by opening a YAML file, visible in the Extensions
 * view and the Running Extensions editor, its "Pipeline RBAC" output channel logging the activation,
 * and (live checks off) the exact offline findings of a wildcard Role, and a command loaded from its own bundle; plus a check that the harness's Problems / squiggle /
 * hover / quick-fix helpers work on what VS Code's built-in CSS language service produces.
 * Missing prerequisites fail the test with the command that installs them; nothing is skipped.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, test } from 'node:test';
import { DEFAULT_VSIX, e2eSession, e2eTools, EXTENSION_ID, pollUntil, positionOf, requireVsix } from './harness';
import { waitForAllProblems } from './support/editorScenario';

const DISPLAY_NAME = 'Pipeline RBAC for Kubernetes';

const RISKY_ROLE = `apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata:
  name: ci-deployer
  namespace: team-a
rules:
  - apiGroups: ["*"]
    resources: ["*"]
    verbs: ["*"]
`;

/** Offline findings of RISKY_ROLE ("*" x "*" x "*"): one error that includes every other risk, as the Problems panel shows it. */
const RISKY_ROLE_FINDINGS = ['error wildcard 7:5'];

const workspaces: string[] = [];
after(() => {
  for (const w of workspaces) rmSync(w, { recursive: true, force: true });
});

function makeWorkspace(files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), 'pipeline-rbac-e2e-'));
  workspaces.push(root);
  for (const [rel, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, rel)), { recursive: true });
    writeFileSync(join(root, rel), text);
  }
  return root;
}

test('the packaged extension installs into code-server and activates on a YAML file', async (t) => {
  e2eTools(); // throws "run scripts/install-e2e-deps.sh" when code-server or Chromium is missing
  requireVsix(); // throws "run npm run package" when the .vsix is missing
  t.diagnostic(`vsix: ${DEFAULT_VSIX} (${(statSync(DEFAULT_VSIX).size / 1024).toFixed(1)} KiB)`);
  const workspace = makeWorkspace({ 'deploy/ci-role.yaml': RISKY_ROLE, 'README.md': '# demo\n' });

  // No cluster here: the findings must not depend on whatever kubeconfig the machine has.
  const settings = { 'pipelineRbac.live.enable': false };
  await e2eSession('smoke', { workspace, settings }, async (wb, server) => {
    t.diagnostic(`install-extension: ${server.installMs} ms; workbench visible after ${wb.loadMs} ms`);
    assert.ok(server.installedExtensions().includes(EXTENSION_ID), `extensions.json lists ${EXTENSION_ID}`);

    // activationEvents hold no startup event: nothing activates it until a YAML file opens.
    await pollUntil('eager extensions to be activated', () => /Eager extensions activated/.test(server.extensionHostLog()));
    assert.doesNotMatch(server.extensionHostLog(), new RegExp(`_doActivateExtension ${EXTENSION_ID.replaceAll('.', '\\.')}`));

    const opened = Date.now();
    await wb.openFile('deploy/ci-role.yaml');
    assert.equal(await server.waitForActivation(), 'onLanguage:yaml');
    t.diagnostic(`activated ${Date.now() - opened} ms after Quick Open picked the YAML file`);

    // The Extensions view lists it as installed and, once active, shows its activation time.
    const listed = await pollUntil(`${DISPLAY_NAME} with an activation time in the Extensions view`, async () =>
      (await wb.extensionsView()).find((e) => e.id === EXTENSION_ID && /\d+\s*ms/.test(e.activationTime)),
    );
    assert.equal(listed.name, DISPLAY_NAME);
    await wb.screenshot('smoke-extensions-view');

    const running = await pollUntil(`${DISPLAY_NAME} in Running Extensions`, async () =>
      (await wb.runningExtensions()).find((e) => e.name === DISPLAY_NAME),
    );
    assert.equal(typeof running.activationMs, 'number', `activation time shown: "${running.activation}"`);
    t.diagnostic(`activate() took ${running.activationMs} ms (Running Extensions: "${running.activation}")`);
    await wb.screenshot('smoke-running-extensions');

    // The extension's own output channel is listed, and its log holds the activation line.
    const channels = await wb.outputChannels();
    assert.ok(channels.includes('Extension Host (Remote)'), `output channels: ${channels.join(', ')}`);
    assert.ok(channels.includes('Pipeline RBAC'), `output channels: ${channels.join(', ')}`);
    const activationLine = await pollUntil('the activation line in the Pipeline RBAC output channel', () =>
      /^.*\[info\] Pipeline RBAC activated in (\d+) ms$/m.exec(server.outputChannelLog('Pipeline RBAC') ?? '')?.[0],
    );
    t.diagnostic(`output channel: ${activationLine}`);

    // Offline (live checks off): the risky Role's findings, each with its rule id, and squiggles.
    await wb.openFile('deploy/ci-role.yaml');
    const rows = await waitForAllProblems(
      wb,
      (r) => r.filter((p) => p.source === 'pipeline-rbac').length >= RISKY_ROLE_FINDINGS.length,
      `the ${RISKY_ROLE_FINDINGS.length} findings of the risky Role`,
    );
    assert.deepEqual(rows.map((p) => `${p.severity} ${p.code} ${p.line}:${p.column}`).sort(), RISKY_ROLE_FINDINGS);
    assert.ok(rows.every((p) => p.source === 'pipeline-rbac' && p.resource === join(workspace, 'deploy', 'ci-role.yaml')));
    assert.ok((await wb.waitForSquiggle({ severity: 'error' })) >= 1);
    await wb.screenshot('smoke-workbench');

    // A command whose code is not in the activation bundle (dist/least-privilege.js, loaded on first use) runs:
    // the workspace deploys a Role, so the generated Role may manage roles.
    await wb.runCommand('Pipeline RBAC: Generate Least-Privilege Role from Manifests');
    assert.equal(await wb.quickInput.waitOpen(), 'Which manifests does the pipeline deploy?');
    await wb.quickInput.type('deploy/**/*.yaml');
    assert.equal(await wb.quickInput.waitOpen(), 'Name of the Role');
    await wb.quickInput.type('smoke-deployer');
    // The new editor's lines as rendered (all fit on screen; the DOM uses no-break spaces).
    const generated = await pollUntil('the generated Role in an editor', async () => {
      const lines = await wb.page.locator('.editor-group-container.active .monaco-editor .view-lines .view-line').allTextContents();
      const text = lines.map((l) => l.replace(/\u00a0/g, ' ')).join('\n');
      return /name: smoke-deployer/.test(text) ? text : undefined;
    });
    assert.match(generated, /kind: Role/);
    assert.match(generated, /resources: \[roles\]/);
  });
});

test('the harness reads Problems, squiggles, hovers and applies a quick fix (built-in CSS service)', async () => {
  e2eTools();
  // VS Code's own CSS language service flags an unknown property with a warning (source "css",
  // code "unknownProperties") and offers "Rename to 'color'"; the property names have hovers.
  const css = '.banner {\n  colr: red;\n  margin: 0;\n}\n';
  const workspace = makeWorkspace({ 'web/style.css': css });

  await e2eSession('harness-selftest', { workspace, vsix: null }, async (wb) => {
    await wb.openFile('web/style.css');
    assert.equal(await wb.waitForSquiggle({ severity: 'warning' }), 1);

    const rows = await wb.waitForProblems((r) => r.length > 0);
    const at = positionOf(css, 'colr');
    assert.deepEqual(rows, [
      {
        resource: join(workspace, 'web', 'style.css'),
        severity: 'warning',
        message: "Unknown property: 'colr'",
        source: 'css',
        code: 'unknownProperties',
        line: at.line,
        column: at.column,
        text: "Unknown property: 'colr'cssunknownProperties[Ln 2, Col 3]",
      },
    ]);
    await wb.screenshot('harness-selftest-problems');

    const hover = await wb.hoverAt(positionOf(css, 'margin'));
    assert.match(hover, /margin/i);
    assert.match(hover, /thickness of the margin area/);
    await wb.screenshot('harness-selftest-hover');

    assert.ok((await wb.codeActions(at)).includes("Rename to 'color'"));
    await wb.quickFix(at, "Rename to 'color'");
    assert.equal(await wb.editorText(), css.replace('colr', 'color'));
    await wb.save();
    assert.equal(readFileSync(join(workspace, 'web', 'style.css'), 'utf8'), css.replace('colr', 'color'));
    await wb.waitForProblems((r) => r.length === 0);
    await wb.screenshot('harness-selftest-fixed');
  });
});
