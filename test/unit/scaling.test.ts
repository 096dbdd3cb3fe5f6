/**
 * Cost linear in input size for the shapes that were not (issue 12): four times the input must cost about four times
 * the CPU, not sixteen. A ratio, not a time: each size is measured several times and the least CPU taken, and a ratio
 * over the bound is measured again before it fails, so a busy machine does not fail it while a quadratic path does.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { analyzeText } from '../../server/src/engine/analyze';
import { builtinCatalog } from '../../server/src/engine/catalog/apiCatalog';
import { ParseCache } from '../../server/src/engine/yaml/parseCache';
import { bigRole } from '../../bench/corpus';
import { flowRoleList, nesting, nextLineComments, quotesLine, roleList, ROLE, suppressedRoles } from './helpers/hostile';

/** Linear gives about 4 for four times the input; quadratic gives 16. */
const MAX_RATIO = 9;
const catalog = builtinCatalog();

function leastCpuMs(f: () => unknown, runs: number): number {
  let best = Infinity;
  for (let i = 0; i < runs; i++) {
    const start = process.cpuUsage();
    f();
    const d = process.cpuUsage(start);
    best = Math.min(best, (d.user + d.system) / 1000);
  }
  return best;
}

/** CPU of analysing make(4n) over make(n), the least of several tries. */
export function scalingRatio(make: (n: number) => string, n: number, incremental = false): { small: number; large: number; ratio: number } {
  const small = make(n);
  const large = make(4 * n);
  const run = (text: string) => () => analyzeText(text, { catalog, ...(incremental ? { parseCache: new ParseCache() } : {}) });
  run(small)(); // warm-up: compiled code and caches, not measured
  let best = { small: 0, large: 0, ratio: Infinity };
  for (let attempt = 0; attempt < 3 && best.ratio > MAX_RATIO; attempt++) {
    const s = leastCpuMs(run(small), 3);
    const l = leastCpuMs(run(large), 3);
    // A run too short to time (a few ms) counts as 1 ms, which only makes the ratio larger.
    const ratio = l / Math.max(s, 1);
    if (ratio < best.ratio) best = { small: s, large: l, ratio };
  }
  return best;
}

const CASES: { name: string; make: (n: number) => string; n: number; incremental?: boolean }[] = [
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
];

describe('analysis cost is linear in the input', () => {
  for (const c of CASES) {
    it(`${c.name}: 4x the input, at most ${MAX_RATIO}x the CPU`, () => {
      const r = scalingRatio(c.make, c.n, c.incremental);
      console.log(`${c.name}: n=${c.n} ${r.small.toFixed(1)} ms, 4n ${r.large.toFixed(1)} ms CPU, ratio ${r.ratio.toFixed(2)}`);
      assert.ok(r.ratio <= MAX_RATIO, `ratio ${r.ratio.toFixed(2)} (${r.small.toFixed(1)} ms -> ${r.large.toFixed(1)} ms)`);
    });
  }
});
