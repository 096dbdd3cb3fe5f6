import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { describe, it } from 'node:test';
import { MAX_INPUT_BYTES, readStdin } from '../../server/src/cli/files';

describe('check - (standard input)', () => {
  it('stops reading at the size limit: the rest of the stream is never buffered', async () => {
    let pulled = 0;
    const endless = new Readable({
      read() {
        pulled++;
        this.push(Buffer.alloc(4096, 0x61));
      },
    });
    await assert.rejects(readStdin(endless, 64 * 1024), /standard input holds more than 65536 bytes, the limit for one input/);
    assert.ok(pulled <= 64 / 4 + 2, `read ${pulled} chunks of 4 KiB for a 64 KiB limit`);
    assert.ok(endless.destroyed);
    assert.equal(MAX_INPUT_BYTES, 32 * 1024 * 1024, 'the same limit as a file');
  });

  it('decodes UTF-8 split across chunks, and refuses an empty or blank input', async () => {
    const bytes = Buffer.from('kind: Role # ünïcödé\n');
    assert.equal(await readStdin(Readable.from([bytes.subarray(0, 14), bytes.subarray(14)])), 'kind: Role # ünïcödé\n');
    await assert.rejects(readStdin(Readable.from([])), /standard input is empty/);
    await assert.rejects(readStdin(Readable.from([Buffer.from(' \n\t\n')])), /standard input is empty/);
  });
});
