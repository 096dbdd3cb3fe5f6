/** The baseline file (core/shared/baseline.ts): written sorted, read strictly; a foreign or other-version file is refused. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { BaselineError, inBaseline, parseBaseline, serializeBaseline } from '../../server/src/core/shared/baseline';
import type { Finding } from '../../server/src/core/engine/model';

const finding = (ruleId: Finding['ruleId'], omitted?: number): Finding => ({
  ruleId,
  severity: 'warning',
  message: `${ruleId} message`,
  span: { start: 0, end: 1 },
  fingerprintKey: JSON.stringify([ruleId, ['Role', 'team-a', 'ci'], {}, {}]),
  ...(omitted !== undefined ? { data: { omitted } } : {}),
});

describe('baseline file', () => {
  test('round trip: entries sorted by path and rule, with the object named for the reader', () => {
    const text = serializeBaseline(
      [
        { path: 'b.yaml', findings: [finding('wildcard')], fingerprints: ['b'.repeat(32)] },
        { path: 'a.yaml', findings: [finding('secrets-read'), finding('pods-exec')], fingerprints: ['1'.repeat(32), '2'.repeat(32)] },
      ],
      'pipeline-rbac 0.1.0',
    );
    const doc = JSON.parse(text) as { findings: { path: string; ruleId: string; object: string }[] };
    assert.deepEqual(doc.findings.map((e) => [e.path, e.ruleId]), [['a.yaml', 'pods-exec'], ['a.yaml', 'secrets-read'], ['b.yaml', 'wildcard']]);
    assert.equal(doc.findings[0]!.object, 'Role team-a/ci');
    const b = parseBaseline(text, 'x');
    assert.equal(b.entries.size, 3);
    assert.ok(inBaseline(b, '1'.repeat(32), finding('secrets-read')));
    assert.ok(!inBaseline(b, '3'.repeat(32), finding('secrets-read')));
  });

  test('a capped rule\'s "N more" finding stays baselined while N does not grow', () => {
    const b = parseBaseline(serializeBaseline([{ path: 'a', findings: [finding('wildcard', 50)], fingerprints: ['c'.repeat(32)] }], 'v'), 'x');
    assert.ok(inBaseline(b, 'c'.repeat(32), finding('wildcard', 49)));
    assert.ok(inBaseline(b, 'c'.repeat(32), finding('wildcard', 50)));
    assert.ok(!inBaseline(b, 'c'.repeat(32), finding('wildcard', 51)));
  });

  test('refuses what is not a baseline of this version, saying so', () => {
    const bad: [string, RegExp][] = [
      ['not json', /not a pipeline-rbac baseline \(not JSON/],
      ['{"findings": []}', /no "pipelineRbacBaseline" version field/],
      ['{"pipelineRbacBaseline": 2, "fingerprintVersion": 1, "findings": []}', /baseline version 2 .* is not the version this pipeline-rbac reads \(1, fingerprints 1\); write it again/],
      ['{"pipelineRbacBaseline": 1, "fingerprintVersion": 1, "findings": {}}', /"findings" must be a list/],
      ['{"pipelineRbacBaseline": 1, "fingerprintVersion": 1, "findings": [{"fingerprint": "xyz"}]}', /findings\[0\] has no valid "fingerprint"/],
    ];
    for (const [text, message] of bad) assert.throws(() => parseBaseline(text, 'base.json'), (e: unknown) => e instanceof BaselineError && message.test(e.message) && e.message.startsWith('base.json: '));
  });
});
