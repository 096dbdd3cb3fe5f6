/**
 * Cost linear in input size for the shapes that were not (issue 12): four times the input must cost about four times
 * the work, not sixteen. Work is counted, not timed: V8's precise coverage with call counts gives how often every
 * function and block ran (ours and the yaml package's), which does not change with the machine's load.
 */
import assert from 'node:assert/strict';
import { Session } from 'node:inspector';
import { after, describe, it } from 'node:test';
import { analyzeText } from '../../server/src/core/engine/analyze';
import { builtinCatalog } from '../../server/src/core/engine/catalog/apiCatalog';
import { ParseCache } from '../../server/src/core/engine/yaml/parseCache';
import { bigRole } from '../../bench/corpus';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { ruleHoverMarkdown } from '../../server/src/core/engine/explain/ruleHover';
import { heldPermissionsFromDocuments } from '../../server/src/core/engine/rbac/heldPermissions';
import { flowRoleList, nesting, nextLineComments, quotesLine, roleList, ROLE, suppressedRoles, wideRole } from './helpers/hostile';

/** Linear gives about 4 for four times the input; quadratic gives 16. */
const MAX_RATIO = 9;
const catalog = builtinCatalog();

interface Coverage {
  result: { functions: { ranges: { count: number }[] }[] }[];
}

const session = new Session();
session.connect();
/** The in-process inspector session answers synchronously. */
function post<T>(method: string, params?: object): T {
  let out: { error: Error | null; value: unknown } | undefined;
  session.post(method, params ?? {}, (error: Error | null, value: unknown) => (out = { error, value }));
  if (!out) throw new Error(`${method}: no synchronous answer from the inspector`);
  if (out.error) throw out.error;
  return out.value as T;
}
post('Profiler.enable');
post('Profiler.startPreciseCoverage', { callCount: true, detailed: true });
after(() => {
  post('Profiler.stopPreciseCoverage');
  session.disconnect();
});

/** Function calls plus block executions while f runs (taking coverage resets the counters). */
function operations(f: () => unknown): number {
  post<Coverage>('Profiler.takePreciseCoverage');
  f();
  let n = 0;
  for (const script of post<Coverage>('Profiler.takePreciseCoverage').result)
    for (const fn of script.functions) for (const r of fn.ranges) n += r.count;
  return n;
}

/** Operations of analysing make(4n) over make(n). */
export function scalingRatio(
  make: (n: number) => string,
  n: number,
  incremental = false,
  work?: (text: string) => unknown,
): { small: number; large: number; ratio: number } {
  const run = (text: string) => () => (work ? work(text) : analyzeText(text, { catalog, ...(incremental ? { parseCache: new ParseCache() } : {}) }));
  const smallText = make(n);
  run(smallText)(); // warm-up: lazily built tables and memos, not counted
  const small = operations(run(smallText));
  const large = operations(run(make(4 * n)));
  return { small, large, ratio: large / small };
}

/** What test/fixtures/rbac/developer-held.yaml holds, as `check --held-rules` reads it. */
const held = heldPermissionsFromDocuments(parseAllDocuments(readFileSync(join(import.meta.dirname, '../fixtures/rbac/developer-held.yaml'), 'utf8')).map((d) => d.toJS()), {
  source: 'file: developer-held.yaml',
  user: { username: 'developer', groups: ['system:authenticated'] },
});
const withHeld = (text: string) => analyzeText(text, { catalog, held, defaultNamespace: 'team-a' });
/** The hover of the first rule, checked against the held rules (what the language server computes on a hover). */
function hoverFirstRule(text: string): string {
  const r = analyzeText(text, { catalog, held, defaultNamespace: 'team-a' });
  const obj = r.objects[0]!;
  return ruleHoverMarkdown({ obj, rule: obj.rules[0]!, held, defaultNamespace: 'team-a', catalog, findings: r.findings });
}

const CASES: { name: string; make: (n: number) => string; n: number; incremental?: boolean; work?: (text: string) => unknown }[] = [
  { name: 'kind: List, block style (one-shot, fast parser)', make: roleList, n: 500 },
  { name: 'kind: List, block style (language server, ParseCache)', make: roleList, n: 500, incremental: true },
  { name: 'kind: List with an anchor (the yaml package)', make: flowRoleList, n: 250 },
  { name: 'a line of double quotes (a syntax error per two bytes)', make: quotesLine, n: 50_000 },
  { name: 'open flow sequences', make: (n) => nesting(n, '['), n: 500_000 },
  { name: 'block sequence indicators on one line', make: (n) => nesting(n, '- '), n: 100_000 },
  { name: 'many Role documents', make: (n) => Array(n).fill(ROLE).join('---\n'), n: 250 },
  { name: 'one Role with many rules (language server, ParseCache)', make: (n) => bigRole(7, n), n: 500, incremental: true },
  { name: 'findings inside many disable/enable comments', make: suppressedRoles, n: 500 },
  { name: 'many disable-next-line comments for one line', make: nextLineComments, n: 10_000 },
  // Issue 20: n entries in each of a rule's four lists are n^4 atoms; coverage, not-held and hover are per dimension.
  { name: 'a rule with n entries in each list, not-held against held rules', make: wideRole, n: 15, work: withHeld },
  { name: 'a rule with n entries in each list, the hover with held rules', make: wideRole, n: 15, work: hoverFirstRule },
];

describe('analysis cost is linear in the input', () => {
  for (const c of CASES) {
    it(`${c.name}: 4x the input, at most ${MAX_RATIO}x the operations`, () => {
      const r = scalingRatio(c.make, c.n, c.incremental, c.work);
      console.log(`${c.name}: n=${c.n} ${r.small} operations, 4n ${r.large}, ratio ${r.ratio.toFixed(2)}`);
      assert.ok(r.ratio <= MAX_RATIO, `ratio ${r.ratio.toFixed(2)} (${r.small} -> ${r.large} operations)`);
    });
  }
});

describe('a rule with 60 entries in each list (issue 20): bounded messages, exact counts', () => {
  const text = wideRole(60);
  const result = withHeld(text);
  const notHeld = result.findings.filter((f) => f.ruleId === 'not-held');

  it('one not-held finding, naming at most 20 lines of the apiserver message and how many more', () => {
    assert.equal(notHeld.length, 1);
    const f = notHeld[0]!;
    // Held: configmaps and deployments/secrets partly, in "" and apps; every named line but those held is missing.
    // Lines are group x resource x name keys: 60 x 60 x 60, less the keys whose every verb is held (none: v0.. are not).
    assert.match(f.message, /, \.\.\.and 215,980 more \(held rules: file: developer-held\.yaml\)$/);
    assert.equal(f.message.match(/\{APIGroups:/g)?.length, 20);
    assert.ok(f.message.length < 10_000, `${f.message.length} characters`);
    // The first line in the apiserver's order: group "" < "apps" < "g0", resource "configmaps" first, name "n0".
    assert.ok(f.message.includes('not currently held: {APIGroups:[""], Resources:["configmaps"], ResourceNames:["n0"], Verbs:["v0" "v1"'), f.message.slice(0, 300));
    assert.ok((f.data?.missing?.length ?? 0) <= 10, `${f.data?.missing?.length} rectangles`);
  });

  it('the hover names 40 atoms and the count of the rest', () => {
    const md = hoverFirstRule(text);
    assert.ok(md.includes('grants 12,960,000 permissions'), md.slice(0, 200));
    assert.ok(md.includes('...and 12,959,960 more.'));
    assert.equal(md.split('\n').filter((l) => l.startsWith('| `')).length, 40);
  });
});
