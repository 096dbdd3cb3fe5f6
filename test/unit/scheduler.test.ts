// The language server's debounce: an edit after a pause is analysed at once, keystrokes of a burst wait for the delay.
// The clock is injected and the delays are long, so nothing here depends on how fast the machine is.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Debouncer } from '../../server/src/lsp/scheduler';

const tick = () => new Promise<void>((resolve) => setImmediate(resolve));
const DELAY = 60_000;

function setup() {
  let now = 1_000_000;
  const runs: string[] = [];
  const d = new Debouncer(() => now);
  return { d, runs, advance: (ms: number) => (now += ms), job: (name: string) => () => runs.push(name) };
}

describe('Debouncer', () => {
  it('runs the first request for a key at once, whatever the delay', async () => {
    const { d, runs, job } = setup();
    d.schedule('a', DELAY, job('first'));
    await tick();
    assert.deepEqual(runs, ['first']);
  });

  it('runs a request after a quiet spell of the delay at once', async () => {
    const { d, runs, job, advance } = setup();
    d.schedule('a', DELAY, job('open'));
    await tick();
    advance(DELAY);
    d.schedule('a', DELAY, job('edit after a pause'));
    await tick();
    assert.deepEqual(runs, ['open', 'edit after a pause']);
  });

  it('holds a request that comes within the delay of the last run, and the ones after it, until the delay', async () => {
    const { d, runs, job, advance } = setup();
    d.schedule('a', DELAY, job('open'));
    await tick();
    advance(100);
    d.schedule('a', DELAY, job('keystroke 1'));
    await tick();
    // A burst: even once the last run is long ago, the pending keystroke keeps the next one waiting.
    advance(DELAY);
    d.schedule('a', DELAY, job('keystroke 2'));
    await tick();
    assert.deepEqual(runs, ['open']);
    d.cancel('a');
  });

  it('collapses requests of one tick into one run of the latest', async () => {
    const { d, runs, job } = setup();
    d.schedule('a', DELAY, job('1'));
    d.schedule('a', DELAY, job('2'));
    d.schedule('a', 0, job('3'));
    await tick();
    await tick();
    assert.deepEqual(runs, ['3']);
  });

  it('keeps keys apart, and forgets a key entirely', async () => {
    const { d, runs, job, advance } = setup();
    d.schedule('a', DELAY, job('a open'));
    d.schedule('b', DELAY, job('b open'));
    await tick();
    advance(10);
    d.schedule('a', DELAY, job('a edit'));
    d.forget('b');
    d.schedule('b', DELAY, job('b reopened'));
    await tick();
    assert.deepEqual(runs, ['a open', 'b open', 'b reopened']);
    d.cancel('a');
  });
});
