/**
 * A chart rendered for checking: the real `helm template`, and beside it a second render of a throw-away copy whose
 * literal template lines carry a tag (map/lineTags.ts), which tells the exact template line of each rendered line.
 * The copy holds the chart's regular files only (no symbolic link is followed), bounded in count and size; when it
 * cannot be made or does not render, the findings keep the aligned heuristic (map/templateLines.ts).
 */
import { randomBytes } from 'node:crypto';
import { lstat, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative, resolve, sep } from 'node:path';
import { renderChart, type HelmOptions } from './helm';
import { readLineTags, tagTemplate, type TaggedTemplate } from './map/lineTags';
import { splitHelmOutput } from './map/helmSource';
import type { RenderOutcome } from './outcome';
import { MAX_SOURCE_BYTES } from './readSource';

const MAX_COPY_FILES = 5_000;
const MAX_COPY_BYTES = 64 * 1024 * 1024;
const MAX_DEPTH = 24;
/** Template files helm renders and prints: under `templates/` (of the chart or an unpacked subchart), not partials. */
const TEMPLATE = /^(?:charts\/[^/]+\/)*templates\/(?:.*\/)?(?!_)[^/]+$/;

export async function renderChartLines(chartDir: string, opts: HelmOptions, cwd: string = process.cwd()): Promise<RenderOutcome> {
  const dir = resolve(cwd, chartDir);
  const nonce = randomBytes(6).toString('hex');
  const [real, tagged] = await Promise.all([renderChart(dir, opts, cwd), renderTagged(dir, nonce, opts, cwd).catch(() => undefined)]);
  if (!real.ok || !tagged || !real.set.withLineTags) return real;
  const { tags, exact } = readLineTags(real.set.text, tagged.text, tagged.files, nonce, splitHelmOutput);
  const exactLines = new Map(tagged.files.filter((f) => exact.has(f.source)).map((f) => [f.source, f.tagged]));
  return { ok: true, set: real.set.withLineTags({ tags, exact: exactLines }) };
}

async function renderTagged(dir: string, nonce: string, opts: HelmOptions, cwd: string): Promise<{ text: string; files: TaggedTemplate[] } | undefined> {
  const copy = await mkdtemp(join(tmpdir(), 'pipeline-rbac-lines-'));
  try {
    const files = await copyTagged(dir, copy, nonce);
    if (!files) return undefined;
    // The release is the one the real render uses: the same Chart.yaml gives the same default.
    // The copy lies in a temporary folder, outside the fence the real render keeps the chart in.
    const { within: _fence, ...rest } = opts;
    const out = await renderChart(copy, { ...rest, display: (abs) => abs }, cwd);
    return out.ok ? { text: out.set.text, files } : undefined;
  } finally {
    await rm(copy, { recursive: true, force: true });
  }
}

/** Copies the chart's regular files into `to`, tagging its templates; undefined when the chart is over the bounds. */
async function copyTagged(from: string, to: string, nonce: string): Promise<TaggedTemplate[] | undefined> {
  const files: TaggedTemplate[] = [];
  let count = 0;
  let bytes = 0;
  const walk = async (d: string, depth: number): Promise<boolean> => {
    if (depth > MAX_DEPTH) return false;
    for (const name of await readdir(d)) {
      const abs = join(d, name);
      const info = await lstat(abs);
      const target = join(to, relative(from, abs));
      if (info.isDirectory()) {
        await mkdir(target);
        if (!(await walk(abs, depth + 1))) return false;
        continue;
      }
      if (!info.isFile()) continue;
      count++;
      bytes += info.size;
      if (count > MAX_COPY_FILES || bytes > MAX_COPY_BYTES) return false;
      const rel = relative(from, abs).split(sep).join('/');
      const data = await readFile(abs);
      if (TEMPLATE.test(rel) && !rel.endsWith('NOTES.txt') && info.size <= MAX_SOURCE_BYTES) {
        const text = data.toString('utf8');
        const t = tagTemplate(text, files.length, nonce);
        files.push({ source: rel, text, tagged: t.tagged });
        await writeFile(target, t.text);
      } else await writeFile(target, data);
    }
    return true;
  };
  return (await walk(from, 0)) ? files : undefined;
}
