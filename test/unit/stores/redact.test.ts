import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Redactor, secretVariants } from '../../../server/src/core/stores/redact';
import { StoreError } from '../../../server/src/core/stores/secretStore';
import { sampleKubeconfig } from '../../fakes/kubeconfig';

describe('redaction guard', () => {
  it('scrubs the token, the whole value, its base64 form and its long pieces', () => {
    const kc = sampleKubeconfig();
    const r = new Redactor(['ghp_credential_123456']).add(kc.text, true);
    const b64 = Buffer.from(kc.text).toString('base64');
    const text = `token ghp_credential_123456; body ${kc.text}; b64 ${b64}; echoed line "    token: ${kc.token}"; bare ${kc.token}.`;
    const out = r.scrub(text);
    for (const s of ['ghp_credential_123456', kc.text, b64, kc.token]) assert.ok(!out.includes(s));
    assert.match(out, /^token \[REDACTED\]; body \[REDACTED\]; b64 \[REDACTED\]; echoed line " {4}\[REDACTED\]"; bare \[REDACTED\]\.$/);
  });

  it('leaves ordinary text alone and ignores very short secrets', () => {
    const r = new Redactor(['abcde', undefined, '', 'abcdef']);
    assert.equal(r.scrub('abcde is fine, abcdef is not'), 'abcde is fine, [REDACTED] is not');
    // Pieces of a value shorter than 16 characters (YAML keys, short names) are not secrets.
    assert.deepEqual(
      secretVariants('kind: Config\ntoken: 0123456789abcdefXYZ').slice(3),
      ['token: 0123456789abcdefXYZ', '0123456789abcdefXYZ', '0123456789abcdefXYZ', 'kind%3A%20Config%0Atoken%3A%200123456789abcdefXYZ'],
    );
  });

  it('guard converts any thrown error into a scrubbed StoreError without a cause', async () => {
    const r = new Redactor(['sekret-token-value']);
    await assert.rejects(
      r.guard(async () => {
        throw Object.assign(new Error('boom sekret-token-value'), { request: { headers: { authorization: 'sekret-token-value' } } });
      }),
      (e: unknown) => {
        assert.ok(e instanceof StoreError);
        assert.equal(e.code, 'network');
        assert.equal(e.message, 'Request failed: boom [REDACTED]');
        assert.equal(e.cause, undefined);
        assert.ok(!String(e.stack).includes('sekret-token-value'));
        return true;
      },
    );
    await assert.rejects(
      r.guard(async () => {
        throw new StoreError('conflict', 'conflict for sekret-token-value', 409);
      }),
      { code: 'conflict', status: 409, message: 'conflict for [REDACTED]' },
    );
  });
});

describe('blankOpaque (server text)', () => {
  it('blanks token-like runs, including truncated ones, and keeps words and paths', async () => {
    const { blankOpaque } = await import('../../../server/src/core/stores/http');
    assert.equal(
      blankOpaque('bad token eyJhbGciOiJSUzI1NiIsImtpZCI6IjEyMyJ9.7tum8pBEODEKl-XSYRn at kv/data/ci/team-a/deployer: Resource not accessible'),
      'bad token [REDACTED].[REDACTED] at kv/data/ci/team-a/deployer: Resource not accessible',
    );
    assert.equal(blankOpaque('ca LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0t== end'), 'ca [REDACTED] end');
    assert.equal(blankOpaque('short a1b2c3 and documentation'), 'short a1b2c3 and documentation');
  });
});
