// The early fork of the language server (client/src/serverPrestart.ts) with a real child process: the first take()
// hands over the process forked at load, later ones (a restart after a crash) fork anew, and a process nobody took is
// ended on dispose.
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { ServerPrestart } from '../../client/src/serverPrestart';

/** A stand-in server: answers one IPC message with its argv, then idles until killed. */
function fakeServer(): string {
  const dir = mkdtempSync(join(tmpdir(), 'prestart-'));
  const file = join(dir, 'server.js');
  writeFileSync(file, "process.on('message', () => process.send({ argv: process.argv.slice(2), execArgv: process.execArgv })); setInterval(() => {}, 1000);\n");
  return file;
}

async function argvOf(child: import('node:child_process').ChildProcess): Promise<{ argv: string[]; execArgv: string[] }> {
  child.send('hello');
  const [reply] = (await once(child, 'message')) as [{ argv: string[]; execArgv: string[] }];
  return reply;
}

test('take() hands over the process forked by start(), with the arguments vscode-languageclient gives an IPC server', { timeout: 15_000 }, async () => {
  const prestart = new ServerPrestart(fakeServer());
  prestart.start();
  const first = prestart.take();
  try {
    const { argv, execArgv } = await argvOf(first.process);
    assert.deepEqual(argv, ['--node-ipc', `--clientProcessId=${process.pid}`]);
    assert.ok(execArgv.includes('--max-semi-space-size=4'), execArgv.join(' '));
    const second = prestart.take();
    try {
      assert.notEqual(second.process.pid, first.process.pid, 'a second take() (a restart) forks a new process');
      assert.deepEqual((await argvOf(second.process)).argv, ['--node-ipc', `--clientProcessId=${process.pid}`]);
    } finally {
      second.process.kill();
    }
  } finally {
    first.process.kill();
  }
});

/** The process start() forked and nobody has taken yet (private: this is what take() decides about). */
function spareOf(p: ServerPrestart): import('node:child_process').ChildProcess {
  return (p as unknown as { spare: { process: import('node:child_process').ChildProcess } }).spare.process;
}

test('a prestarted process that died before take() is not handed over: take() forks a new one', { timeout: 15_000 }, async () => {
  const prestart = new ServerPrestart(fakeServer());
  prestart.start();
  const spare = spareOf(prestart);
  spare.kill();
  await once(spare, 'exit');
  const taken = prestart.take();
  try {
    assert.notEqual(taken.process.pid, spare.pid);
    assert.deepEqual((await argvOf(taken.process)).argv, ['--node-ipc', `--clientProcessId=${process.pid}`]);
  } finally {
    taken.process.kill();
  }
});

test('a prestarted process nobody took is ended on dispose', { timeout: 15_000 }, async () => {
  const prestart = new ServerPrestart(fakeServer());
  prestart.start();
  const spare = spareOf(prestart);
  prestart.dispose();
  const [code, signal] = (await once(spare, 'exit')) as [number | null, string | null];
  assert.equal(code, null);
  assert.equal(signal, 'SIGTERM');
});
