/**
 * Real-VS-Code end-to-end harness: the packaged .vsix installed into code-server (the VS Code
 * workbench served on loopback) and driven through Debian's Chromium with playwright-core.
 *
 * Typical scenario (smoke.test.ts has working ones):
 *   await e2eSession('risky-role', { workspace, settings: { 'pipelineRbac.live.enable': false } }, async (wb, server) => {
 *     await wb.openFile('deploy/ci-role.yaml');
 *     await wb.waitForSquiggle({ severity: 'warning' });
 *     const rows = await wb.waitForProblems((r) => r.some((p) => p.source === 'pipeline-rbac'));
 *     await wb.quickFix(positionOf(text, '"*"'), 'Replace ...');
 *     await wb.screenshot('risky-role-fixed');
 *   });
 * Live-cluster scenarios hand a kubeconfig to the extension host through the environment:
 *   { workspace, env: { KUBECONFIG: clusterKubeconfigs().developer } }  (test/cluster/harness.ts)
 * e2eSession takes a screenshot and appends the code-server / extension-host log tails to the
 * error when the scenario fails, and always stops the browser and the code-server process group.
 * Each session gets a fresh user-data-dir and extensions-dir under .e2e/runs/ (last 8 kept).
 *
 * Prerequisites (scripts/install-e2e-deps.sh): /usr/bin/chromium and code-server 4.100.3 in
 * ~/.cache/pipeline-rbac; the .vsix from `npm run package`. Missing ones throw with the fix.
 */
import { startCodeServer, type CodeServer, type StartOptions } from './support/codeServer';
import { tailLines } from './support/util';
import { openWorkbench, type Workbench } from './support/workbench';

export * from './support/codeServer';
export * from './support/prerequisites';
export { PollAbort, pollUntil, positionOf } from './support/util';
export * from './support/workbench';

/**
 * Starts code-server with the extension, opens the workbench, runs `scenario`, and always stops
 * everything. On failure the error gains a screenshot (.e2e/screenshots/<name>-FAILED.png), the
 * code-server and extension-host log tails and the browser console errors.
 */
export async function e2eSession<T>(
  name: string,
  options: StartOptions,
  scenario: (wb: Workbench, server: CodeServer) => Promise<T>,
): Promise<T> {
  const server = await startCodeServer({ name, ...options });
  let wb: Workbench | undefined;
  try {
    wb = await openWorkbench(server.url, { server });
    return await scenario(wb, server);
  } catch (e) {
    const err = e as Error;
    let shot = '(no screenshot)';
    if (wb) shot = await wb.screenshot(`${name}-FAILED`).catch((se: Error) => `(screenshot failed: ${se.message})`);
    err.message = [
      err.message,
      `--- screenshot: ${shot}`,
      `--- run dir: ${server.runDir}`,
      `--- code-server log (last lines) ---\n${server.logTail(25)}`,
      `--- extension host log (last lines) ---\n${tailLines(server.extensionHostLog(), 25) || '(empty)'}`,
      `--- browser console errors ---\n${wb?.consoleErrors().slice(-10).join('\n') || '(none)'}`,
    ].join('\n');
    throw err;
  } finally {
    await wb?.close();
    await server.stop();
  }
}
