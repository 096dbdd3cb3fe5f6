// code-server with the extension, the --check of the workbench in headless Chromium, and the welcome text
// (scripts/demo.mjs).
import { spawn } from 'node:child_process';
import { closeSync, cpSync, mkdirSync, openSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { CHROMIUM, CLI, DEMO_DIR, Interrupted, poll, ROOT, run, say, state, tail, VSIX } from './common.mjs';
import { IDENTITIES } from './seed.mjs';

/**
 * The scratch copy's app/ manifests deploy to the demo namespace, where the seeded identities live, so "Verify
 * Pipeline Identity..." on web-deployer succeeds (examples/ itself says team-a, the test cluster's namespace).
 */
function retargetAppManifests(workspace, namespace) {
  const dir = join(workspace, 'app');
  for (const f of readdirSync(dir).filter((x) => x.endsWith('.yaml'))) {
    const p = join(dir, f);
    writeFileSync(p, readFileSync(p, 'utf8').replace(/^(\s+namespace:\s*)team-a\s*$/gm, `$1${namespace}`));
  }
}

export async function startCodeServer(bin, { port, kubeconfig, namespace }) {
  const userData = join(DEMO_DIR, 'user-data');
  const extensions = join(DEMO_DIR, 'extensions');
  const workspace = join(DEMO_DIR, 'workspace', 'examples');
  const logFile = join(DEMO_DIR, 'code-server.log');
  // Fresh each time: no state from an earlier demo, and quick fixes never touch the clone's examples/.
  for (const d of [userData, extensions, join(DEMO_DIR, 'workspace'), join(DEMO_DIR, 'xdg-data')]) rmSync(d, { recursive: true, force: true });
  mkdirSync(join(userData, 'User'), { recursive: true });
  mkdirSync(extensions, { recursive: true });
  cpSync(join(ROOT, 'examples'), workspace, { recursive: true });
  retargetAppManifests(workspace, namespace);
  writeFileSync(join(userData, 'User', 'settings.json'), JSON.stringify({
    'workbench.startupEditor': 'none',
    'workbench.tips.enabled': false,
    'telemetry.telemetryLevel': 'off',
    'update.mode': 'none',
    'extensions.autoCheckUpdates': false,
    'extensions.autoUpdate': false,
    'extensions.ignoreRecommendations': true,
    'security.workspace.trust.enabled': false,
    'git.enabled': false,
    'remote.autoForwardPorts': false,
  }, null, 2));

  // code-server acts as the CLI of an enclosing VS Code when these are set (e.g. run from its terminal).
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('VSCODE_') && k !== 'ELECTRON_RUN_AS_NODE'));
  env.KUBECONFIG = kubeconfig;
  env.XDG_DATA_HOME = join(DEMO_DIR, 'xdg-data');
  const common = ['--config', join(DEMO_DIR, 'config.yaml'), '--user-data-dir', userData, '--extensions-dir', extensions];

  say('installing the extension into code-server...');
  const inst = await run(bin, [...common, '--install-extension', VSIX, '--force'], { env });
  if (inst.code !== 0 || !/successfully installed/i.test(inst.output)) throw new Error(`code-server --install-extension failed (exit ${inst.code}):\n${tail(inst.output)}`);

  say('starting code-server...');
  writeFileSync(logFile, '');
  const fd = openSync(logFile, 'a');
  const child = spawn(bin, [
    ...common,
    '--auth', 'none',
    '--bind-addr', `127.0.0.1:${port}`,
    '--disable-telemetry',
    '--disable-update-check',
    '--disable-workspace-trust',
    '--disable-getting-started-override',
    '--ignore-last-opened',
    workspace,
  ], { cwd: ROOT, env, detached: true, stdio: ['ignore', fd, fd] });
  closeSync(fd);
  state.codeServerPid = child.pid;
  let exited;
  child.on('exit', (code, signal) => (exited = `exit ${code ?? signal}`));
  const origin = await poll('code-server to listen', () => {
    if (exited) throw Object.assign(new Error(`code-server ${exited}:\n${tail(readFileSync(logFile, 'utf8'))}`), { fatal: true });
    return /HTTP server listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(readFileSync(logFile, 'utf8'))?.[1];
  }, 60_000).catch((e) => {
    throw e.fatal || e instanceof Interrupted ? e : new Error(`${e.message}\n${tail(readFileSync(logFile, 'utf8'))}`);
  });
  await poll('code-server /healthz', async () => (await fetch(`${origin}/healthz`, { signal: AbortSignal.timeout(2_000) })).ok, 30_000);
  return { url: `${origin}/?folder=${encodeURIComponent(workspace)}`, origin, workspace, logFile, userData };
}

/** --check: the page answers, then headless Chromium shows findings and the live status bar item. */
export async function checkWorkbench(cs, contexts, namespace, docImages) {
  const res = await fetch(cs.url, { signal: AbortSignal.timeout(10_000) });
  const html = await res.text();
  if (!res.ok || !/workbench/i.test(html)) throw new Error(`GET ${cs.url}: HTTP ${res.status}, not the VS Code workbench`);
  say(`GET ${cs.url}: HTTP ${res.status}, the workbench page (${html.length} bytes)`);

  // developer sees the seeded identities (the RoleBinding made for them works).
  const ids = await run(process.execPath, [CLI, 'identities', '--kubeconfig', join(DEMO_DIR, 'kubeconfig'), '--namespace', namespace, '--format', 'json']);
  if (ids.code !== 0) throw new Error(`pipeline-rbac identities as developer failed (exit ${ids.code}):\n${tail(ids.output, 10)}`);
  for (const id of IDENTITIES) {
    if (!ids.output.includes(`"${id.name}"`)) throw new Error(`pipeline-rbac identities as developer does not list ${id.name}:\n${tail(ids.output, 10)}`);
  }
  say(`developer lists the ${IDENTITIES.length} seeded identities of ${namespace}`);
  // What the welcome text suggests: verify web-deployer against app/*.yaml (as the identity, a dry run).
  const verify = await run(process.execPath, [CLI, 'identity', 'verify', '--kubeconfig', join(DEMO_DIR, 'kubeconfig'), '--namespace', namespace, '--name', 'web-deployer', '--manifests', 'app/*.yaml'], { cwd: cs.workspace });
  if (verify.code !== 0) throw new Error(`pipeline-rbac identity verify of web-deployer against app/*.yaml failed (exit ${verify.code}):\n${tail(verify.output, 12)}`);
  say(`web-deployer verifies against app/*.yaml: ${verify.output.trim().split('\n').pop()}`);

  const { chromium } = await import('playwright-core');
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    env: { ...process.env, XDG_CONFIG_HOME: join(DEMO_DIR, 'chromium-config') },
  });
  state.browser = browser;
  const page = await (await browser.newContext({ viewport: { width: 1440, height: 900 } })).newPage();
  const started = Date.now();
  await page.goto(cs.url, { waitUntil: 'domcontentloaded', timeout: 90_000 });
  await page.locator('.monaco-workbench').first().waitFor({ state: 'visible', timeout: 90_000 });
  await page.locator('.part.statusbar').first().waitFor({ state: 'visible', timeout: 30_000 });
  say(`workbench visible after ${((Date.now() - started) / 1000).toFixed(1)} s`);

  // Quick Open the too-broad Role by its absolute path (listed at once, no file search needed).
  const file = join(cs.workspace, 'ci', 'too-broad-role.yaml');
  await page.keyboard.press('Control+P');
  const box = page.locator('.quick-input-widget .quick-input-box input');
  await box.waitFor({ state: 'visible', timeout: 10_000 });
  await box.fill(file);
  await poll('Quick Open to list too-broad-role.yaml', async () => {
    if (!(await box.isVisible())) return true;
    const row = page.locator('.quick-input-widget .quick-input-list .monaco-list-row', { hasText: 'too-broad-role.yaml' }).first();
    if (!(await row.count())) return false;
    await row.click({ timeout: 2_000, force: true }).catch(() => undefined);
    return false;
  }, 20_000, 200);
  await poll('error squiggles in too-broad-role.yaml', async () => (await page.locator('.editor-group-container.active .squiggly-error').count()) > 0, 90_000, 250);
  // Offline, the file has 2 errors (impersonate, escalate-verb); more means the live not-held check ran.
  await poll('the live not-held errors (more than the 2 offline errors)', async () => {
    const tips = await page.locator('.part.statusbar .statusbar-item [aria-label], .part.statusbar .statusbar-item[aria-label]').evaluateAll((els) => els.map((e) => e.getAttribute('aria-label') ?? ''));
    const m = tips.map((t) => /Errors: (\d+)/.exec(t)).find(Boolean);
    return m && Number(m[1]) > 2;
  }, 90_000, 250);
  const want = `${contexts.developerContext} \u00b7 developer`;
  const status = await poll(`the status bar item "${want}"`, async () => {
    const texts = await page.locator('.part.statusbar .statusbar-item').allTextContents();
    return texts.map((t) => t.replace(/\s+/g, ' ').trim()).find((t) => t === want);
  }, 90_000, 250);
  const shot = join(ROOT, '.e2e', 'screenshots', 'demo-check.png');
  mkdirSync(dirname(shot), { recursive: true });
  await page.screenshot({ path: shot });
  say(`the extension is live: status bar "${status}", error squiggles shown (${((Date.now() - started) / 1000).toFixed(1)} s after loading; screenshot ${shot.slice(ROOT.length + 1)})`);
  if (hasIdentitiesView()) await checkIdentitiesView(page, namespace, docImages);
  await browser.close();
  state.browser = undefined;
}

function hasIdentitiesView() {
  const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
  return JSON.stringify(pkg.contributes?.views ?? {}).includes('pipelineRbac.identities');
}

/** The Pipeline RBAC view lists the seeded identities of the namespace (as developer). */
async function checkIdentitiesView(page, namespace, docImages) {
  const started = Date.now();
  await page.locator('.activitybar [aria-label^="Pipeline RBAC"]').first().click();
  const rows = page.locator('.part.sidebar .monaco-list-row');
  const row = (name) => page.locator(`.part.sidebar .monaco-list-row[aria-label^="${name} "]`).first();
  if (docImages) {
    // Wider side bar, hand-made ServiceAccounts shown too: a readable picture of the tree.
    const bar = await page.locator('.part.sidebar').boundingBox();
    await page.mouse.move(bar.x + bar.width + 1, bar.y + 300);
    await page.mouse.down();
    await page.mouse.move(640, bar.y + 300, { steps: 5 });
    await page.mouse.up();
    await page.locator('.part.sidebar .title-actions .action-label[aria-label^="Show All ServiceAccounts"]').first().click({ timeout: 30_000 });
  }
  const nsRow = row(namespace);
  await nsRow.waitFor({ state: 'visible', timeout: 60_000 });
  if ((await nsRow.getAttribute('aria-expanded')) === 'false') await nsRow.click();
  const labels = await poll(`the seeded identities in the ${namespace} node of the identities view`, async () => {
    const all = await rows.evaluateAll((rs) => rs.map((r) => r.getAttribute('aria-label') ?? ''));
    return IDENTITIES.every((id) => all.some((l) => l.startsWith(`${id.name} `))) ? all : undefined;
  }, 60_000, 300);
  const shown = IDENTITIES.map((id) => labels.find((l) => l.startsWith(`${id.name} `)));
  say(`identities view (${((Date.now() - started) / 1000).toFixed(1)} s): ${shown.join('; ')}`);
  if (!docImages) return;
  for (const name of ['jenkins', 'web-deployer']) {
    const r = row(name);
    if ((await r.getAttribute('aria-expanded').catch(() => null)) === 'false') await r.click();
  }
  await poll('the expanded identities', async () => (await rows.filter({ hasText: /TokenRequest token/ }).count()) > 0, 30_000, 300);
  await page.mouse.move(900, 600); // no hover highlight on a row
  await page.keyboard.press('Escape');
  const boxes = await rows.evaluateAll((rs) => rs.map((r) => { const b = r.getBoundingClientRect(); return { x: b.x, y: b.y, w: b.width, h: b.height }; }));
  const bar = await page.locator('.part.sidebar').boundingBox();
  const bottom = Math.max(...boxes.map((b) => b.y + b.h)) + 8;
  mkdirSync(docImages, { recursive: true });
  const file = join(docImages, 'identities.png');
  await page.screenshot({ path: file, clip: { x: bar.x, y: bar.y, width: bar.width, height: bottom - bar.y } });
  say(`saved ${file}`);
}

export function printWelcome(cs, contexts, namespace) {
  const hasView = hasIdentitiesView();
  const lines = [
    '',
    `  Pipeline RBAC demo is running: ${cs.url}`,
    '',
    `  VS Code (code-server) as the cluster user "developer" (context ${contexts.developerContext}), on a scratch`,
    `  copy of examples/ in ${cs.workspace.slice(ROOT.length + 1)}. Namespace "${namespace}" holds the seeded identities.`,
    '',
    '  What to try:',
    '   1. Open ci/too-broad-role.yaml: the Problems panel (Ctrl+Shift+M) lists every finding; the red ones',
    '      (not-held) are what the API server would refuse to let developer create.',
    '   2. Hover over a rule, e.g. resources: ["configmaps", "secrets"]: what it grants and whether you hold it.',
    '   3. Put the cursor on a "*" or on "secrets" and press Ctrl+. for quick fixes.',
    '   4. Open ci/least-privilege-role.yaml: no errors, developer may create it.',
    '   5. F1 > "Pipeline RBAC: Check with the Cluster (Dry Run)": the API server\'s own verdict.',
    `   6. Click the status bar item "${contexts.developerContext} · developer" to switch to ${contexts.adminContext}:`,
    '      the not-held errors disappear (admin holds everything).',
  ];
  if (hasView) {
    lines.push(
      `   7. The Pipeline RBAC view in the activity bar: the identities of "${namespace}" with their token state`,
      '      (web-deployer, docs-publisher, release-bot; "Show All ServiceAccounts" adds the hand-made jenkins).',
      '      F1 > "Pipeline RBAC: Create Pipeline Identity..." makes another one (export to a file).',
      `      Right-click web-deployer > "Verify Pipeline Identity...": as that ServiceAccount, a dry run of app/*.yaml`,
      `      (this copy's app/ deploys to "${namespace}"; examples/app says team-a).`,
    );
  }
  lines.push(
    '   8. Open charts/web/templates/role.yaml: the chart is rendered with helm and secrets-read shows on the',
    '      template line whose range printed it from values.yaml (no YAML errors for the {{ }} syntax).',
  );
  lines.push(
    '',
    `  From a terminal: KUBECONFIG=${join(DEMO_DIR, 'kubeconfig').slice(ROOT.length + 1)} node dist/cli.js check examples/ci --live`,
    '                   node dist/cli.js check examples/charts/web examples/overlays/prod',
    '                   node dist/cli.js check examples/ci/least-privilege-role.yaml --manifests examples/charts/web --deployer helm',
    '',
    '  Press Ctrl-C to stop code-server' + (state.clusterStartedHere ? ' and the test cluster' : ' (the cluster this run reused keeps running)') + ` and delete namespace "${namespace}".`,
    '',
  );
  process.stdout.write(`${lines.join('\n')}\n`);
}
