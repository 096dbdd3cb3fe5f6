import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Finding, RuleId } from '../../server/src/core/engine/model';
import { applySuppressions, suppressions } from '../../server/src/core/engine/suppress';
import { LineIndex } from '../../server/src/core/engine/text/lineIndex';

test('LineIndex: offsets and positions round-trip over \\n, \\r\\n, \\r and astral characters', () => {
  const text = 'ab\ncd\r\nef\rg😀h\n';
  const li = new LineIndex(text);
  assert.equal(li.lineCount, 5);
  assert.deepEqual(li.positionAt(0), { line: 0, character: 0 });
  assert.deepEqual(li.positionAt(2), { line: 0, character: 2 });
  assert.deepEqual(li.positionAt(3), { line: 1, character: 0 });
  assert.deepEqual(li.positionAt(7), { line: 2, character: 0 });
  assert.deepEqual(li.positionAt(10), { line: 3, character: 0 });
  // 😀 is two UTF-16 units: 'h' is at character 3.
  assert.deepEqual(li.positionAt(text.indexOf('h')), { line: 3, character: 3 });
  assert.deepEqual(li.positionAt(text.length), { line: 4, character: 0 });
  assert.deepEqual(li.positionAt(999), { line: 4, character: 0 });
  for (let o = 0; o <= text.length; o++) {
    const p = li.positionAt(o);
    // The offset between \r and \n of a CRLF is not a position of its own.
    if (text[o - 1] === '\r' && text[o] === '\n') continue;
    assert.equal(li.offsetAt(p), o, `offset ${o}`);
  }
  assert.equal(li.offsetAt({ line: 1, character: 99 }), text.indexOf('\r\n'), 'clamped to the line end');
  assert.equal(li.offsetAt({ line: 99, character: 0 }), text.length);
  assert.equal(li.lineText(2), 'ef');
  assert.equal(li.lineText(3), 'g😀h');
});

test('LineIndex: binary search agrees with a linear scan on a large text', () => {
  const lines = Array.from({ length: 5000 }, (_, i) => 'x'.repeat(i % 37));
  const text = lines.join('\n');
  const li = new LineIndex(text);
  let offset = 0;
  for (let line = 0; line < lines.length; line += 7) {
    offset = lines.slice(0, line).reduce((n, l) => n + l.length + 1, 0);
    assert.deepEqual(li.positionAt(offset + (lines[line]!.length >> 1)), { line, character: lines[line]!.length >> 1 });
  }
});

const finding = (text: string, needle: string, ruleId: RuleId): Finding => {
  const start = text.indexOf(needle);
  assert.ok(start >= 0, needle);
  return { ruleId, severity: 'warning', message: needle, span: { start, end: start + needle.length } };
};

test('disable-next-line silences the named rules on the next non-comment line only', () => {
  const text = `rules:
# pipeline-rbac-disable-next-line wildcard, secrets-read -- the deployer needs it
# another comment

- verbs: ["*"]     # SECRETS here
- verbs: ["*"]     # second
`;
  const sup = suppressions(text);
  assert.deepEqual(sup.unknownIds, []);
  assert.equal(sup.list.length, 1);
  assert.deepEqual(sup.list[0]!.ruleIds, ['wildcard', 'secrets-read']);
  assert.equal(sup.list[0]!.reason, 'the deployer needs it');
  assert.equal(sup.list[0]!.targetLine, 4);
  assert.equal(text.slice(sup.list[0]!.span.start, sup.list[0]!.span.end), '# pipeline-rbac-disable-next-line wildcard, secrets-read -- the deployer needs it');
  const li = new LineIndex(text);
  const first = text.indexOf('"*"');
  const second = text.indexOf('"*"', first + 1);
  const findings: Finding[] = [
    { ruleId: 'wildcard', severity: 'warning', message: 'a', span: { start: first, end: first + 3 } },
    finding(text, 'SECRETS', 'secrets-read'),
    finding(text, 'SECRETS', 'pods-exec'),
    { ruleId: 'wildcard', severity: 'warning', message: 'b', span: { start: second, end: second + 3 } },
  ];
  const kept = applySuppressions(findings, sup.list, li);
  assert.deepEqual(kept.map((f) => [f.ruleId, f.message]), [['pods-exec', 'SECRETS'], ['wildcard', 'b']]);
});

test('unknown rule ids are returned with their position; a comment with only unknown ids silences nothing', () => {
  const text = 'a: 1\n  # pipeline-rbac-disable-next-line wildcrd, schema\nb: 2\n# pipeline-rbac-disable-next-line nope\nc: 3\n';
  const sup = suppressions(text);
  assert.deepEqual(sup.unknownIds.map((u) => [u.id, u.line, text.slice(u.span.start, u.span.end)]), [
    ['wildcrd', 1, 'wildcrd'],
    ['nope', 3, 'nope'],
  ]);
  assert.equal(sup.list.length, 1);
  const li = new LineIndex(text);
  const kept = applySuppressions([finding(text, 'b: 2', 'schema'), finding(text, 'c: 3', 'schema')], sup.list, li);
  assert.deepEqual(kept.map((f) => f.message), ['c: 3']);
});

test('disable without ids silences every rule on the next line; disable/enable ranges', () => {
  const text = `# pipeline-rbac-disable-next-line
x: 1
# pipeline-rbac-disable wildcard
y: 2
# pipeline-rbac-enable wildcard
z: 3
# pipeline-rbac-disable
w: 4
`;
  const { list } = suppressions(text);
  const li = new LineIndex(text);
  const all = ['x: 1', 'y: 2', 'z: 3', 'w: 4'].flatMap((n) => [finding(text, n, 'wildcard'), finding(text, n, 'schema')]);
  const kept = applySuppressions(all, list, li).map((f) => `${f.message}/${f.ruleId}`);
  assert.deepEqual(kept, ['y: 2/schema', 'z: 3/wildcard', 'z: 3/schema']);
});

test('a directive must be its own word and inside a comment', () => {
  const text = 'a: "# pipeline-rbac-disable-next-line wildcard"\nb: 1\n# pipeline-rbac-disabled wildcard\nc: 1\n';
  assert.equal(suppressions(text).list.length, 0);
});
