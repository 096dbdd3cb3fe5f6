import assert from 'node:assert/strict';
import { test } from 'node:test';
import { analyzeText } from '../../server/src/core/engine/analyze';
import { capFindings } from '../../server/src/core/engine/capFindings';
import { builtinCatalog } from '../../server/src/core/engine/catalog/apiCatalog';
import type { Finding } from '../../server/src/core/engine/model';

const at = (start: number, severity: Finding['severity'] = 'warning', ruleId: Finding['ruleId'] = 'wildcard'): Finding => ({ ruleId, severity, message: `m${start}`, span: { start, end: start + 1 } });

test('at most N per rule, then one finding at the first left out that counts them and is as severe as the worst', () => {
  const findings = [...Array.from({ length: 7 }, (_, i) => at(70 - i * 10)), at(5, 'error'), at(3, 'hint', 'schema')];
  const out = capFindings(findings, 3);
  // Source order: 0..6 -> starts 5(error),10,20,30,...; kept: 5, 10, 20 (and schema at 3); left out 30..70 (5 findings).
  assert.deepEqual(out.map((f) => [f.ruleId, f.span.start]), [['schema', 3], ['wildcard', 5], ['wildcard', 10], ['wildcard', 20], ['wildcard', 30]]);
  const more = out.at(-1)!;
  assert.equal(more.data?.omitted, 5);
  assert.equal(more.severity, 'warning');
  assert.equal(more.message, '5 more wildcard findings in this file, from here on, are not shown (at most 3 per rule and file are listed).');
  // An error among the left-out ones makes the summary an error (exit codes stay true).
  const worse = capFindings([at(1), at(2), at(3, 'error')], 2);
  assert.equal(worse.at(-1)!.severity, 'error');
  assert.equal(worse.at(-1)!.message, '1 more wildcard finding in this file, from here on, is not shown (at most 2 per rule and file are listed).');
});

test('capping merged findings adds up earlier summaries instead of counting them as findings', () => {
  const first = capFindings(Array.from({ length: 10 }, (_, i) => at(i)), 4);
  const again = capFindings([...first, at(100), at(101)], 4);
  assert.equal(again.length, 5);
  assert.equal(again.at(-1)!.data?.omitted, 8);
});

test('the engine caps: a line of 200,000 quotes gives 100 yaml-syntax findings and one counting the other 99,899', () => {
  const r = analyzeText(`${'"'.repeat(200_000)}\n`, { catalog: builtinCatalog() });
  assert.equal(r.findings.length, 101);
  assert.ok(r.findings.every((f) => f.ruleId === 'yaml-syntax'));
  assert.equal(r.findings.at(-1)!.data?.omitted, 99_899);
  assert.match(r.findings.at(-1)!.message, /^99899 more yaml-syntax findings in this file, from here on, are not shown/);
});
