import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, realpathSync, rmSync, symlinkSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { MIGHT_HOLD_A_ROLE } from '../../server/src/lsp/indexJob';
import { forEachWorkspaceFile, insideGlobs, readRegularFile, SCAN_LIMITS } from '../../server/src/core/shared/workspaceFiles';

describe('workspace files: only regular files inside the folder, bounded before reading', () => {
  let dir: string;
  let ws: string;
  before(() => {
    dir = realpathSync(mkdtempSync(join(tmpdir(), 'prb-wsfiles-')));
    ws = join(dir, 'ws');
    mkdirSync(join(ws, 'a', 'b'), { recursive: true });
    mkdirSync(join(dir, 'outside'));
    writeFileSync(join(ws, 'a', 'b', 'ok.yaml'), 'kind: Role\n');
    writeFileSync(join(dir, 'outside', 'secret.yaml'), 'kind: Secret\n');
    symlinkSync('/dev/zero', join(ws, 'zero.yaml'));
    symlinkSync(join(dir, 'outside'), join(ws, 'out'));
    symlinkSync(join(ws, 'a', 'b', 'ok.yaml'), join(ws, 'inner-link.yaml'));
    writeFileSync(join(ws, 'big.yaml'), 'kind: Role\n');
    truncateSync(join(ws, 'big.yaml'), 5 * 1024 * 1024 * 1024);
    assert.equal(spawnSync('mkfifo', [join(ws, 'pipe.yaml')]).status, 0);
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('refuses globs that can match outside the folder', () => {
    const globs = ['deploy/**/*.yaml', '!deploy/skip.yaml', '../x/*.yaml', 'a/../../x.yaml', '/etc/*.conf', '~/x.yaml', 'C:/x.yaml', '{..,a}/*.yaml', 'a..b.yaml', '!../x'];
    assert.deepEqual(insideGlobs(globs), {
      safe: ['deploy/**/*.yaml', '!deploy/skip.yaml', 'a..b.yaml'],
      refused: ['../x/*.yaml', 'a/../../x.yaml', '/etc/*.conf', '~/x.yaml', 'C:/x.yaml', '{..,a}/*.yaml', '!../x'],
    });
  });

  it('reads the regular file and nothing else, the links, pipe and 5 GB file not even opened', async () => {
    const seen: string[] = [];
    const report = await forEachWorkspaceFile([ws], ['**/*.yaml', '../outside/*.yaml'], (text, rel) => void seen.push(`${rel}: ${text.trim()}`));
    assert.deepEqual(seen, ['a/b/ok.yaml: kind: Role']);
    assert.deepEqual(report.refusedGlobs, ['../outside/*.yaml']);
    assert.deepEqual(report.skipped, [{ path: 'big.yaml', reason: `larger than ${SCAN_LIMITS.maxFileBytes} bytes (5368709120)` }]);
  });

  it('checks each file again when it reads it: a link, a pipe, a device, a file outside or too large is refused', async () => {
    const max = SCAN_LIMITS.maxFileBytes;
    assert.deepEqual(await readRegularFile(ws, join(ws, 'zero.yaml'), max), { skip: 'a symbolic link (not followed)' });
    assert.deepEqual(await readRegularFile(ws, join(ws, 'pipe.yaml'), max), { skip: 'not a regular file' });
    assert.deepEqual(await readRegularFile(ws, '/dev/zero', max), { skip: 'not a regular file' });
    assert.deepEqual(await readRegularFile(ws, join(ws, 'out', 'secret.yaml'), max), { skip: 'outside the workspace folder' });
    assert.deepEqual(await readRegularFile(ws, join(ws, 'a', 'b', 'ok.yaml'), 4), { skip: 'larger than 4 bytes (11)' });
    assert.equal(await readRegularFile(ws, join(ws, 'a', 'b', 'ok.yaml'), max), 'kind: Role\n');
  });

  it('stops at the file limit and says so', async () => {
    for (let i = 0; i < 5; i++) writeFileSync(join(ws, 'a', `f${i}.yaml`), 'x: 1\n');
    let n = 0;
    const report = await forEachWorkspaceFile([ws], ['a/*.yaml'], () => void n++, { ...SCAN_LIMITS, maxFiles: 3 });
    assert.equal(n, 3);
    assert.equal(report.stoppedBecause, 'more than 3 files match');
  });
});

describe('the role prefilter of workspace indexing', () => {
  it('finds kind: Role / ClusterRole lines, and costs linear time on a file of blank lines', () => {
    for (const t of ['kind: Role\n', '  kind: "ClusterRole"  \r\n', "a: 1\nkind: 'Role'"]) assert.ok(MIGHT_HOLD_A_ROLE.test(t), t);
    for (const t of ['kind: RoleBinding\n', 'kind:\nRole\n', '# kind: Role\n']) assert.ok(!MIGHT_HOLD_A_ROLE.test(t), t);
    // `^\s*...$/m` took 12.5 s for 80,000 newlines (quadratic); 2 MB of them would take hours.
    const start = process.cpuUsage();
    assert.equal(MIGHT_HOLD_A_ROLE.test('\n'.repeat(2 * 1024 * 1024)), false);
    const used = process.cpuUsage(start);
    const ms = (used.user + used.system) / 1000;
    assert.ok(ms < 2000, `${ms} ms of CPU`);
  });
});
