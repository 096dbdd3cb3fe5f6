import { writeFile } from 'node:fs/promises';
import { relative } from 'node:path';
import { parseArgs } from 'node:util';
import { analyzeText, type AnalyzeOptions } from '../engine/analyze';
import { builtinCatalog } from '../engine/catalog/apiCatalog';
import type { RuleId } from '../engine/model';
import type { SeverityOverrides } from '../engine/severity';
import { UsageError } from './errors';
import { expandOperands, readText } from './files';
import { formatJson } from './format/json';
import { formatSarif } from './format/sarif';
import { formatText } from './format/text';
import { loadHeldRules } from './heldRulesFile';
import { hasErrors, type FileReport } from './report';
import { isRuleId } from '../engine/suppress';

const FORMATS = ['text', 'json', 'sarif'] as const;
type Format = (typeof FORMATS)[number];

export interface CheckContext {
  version: string;
  cwd?: string;
}

export async function runCheck(argv: string[], ctx: CheckContext): Promise<number> {
  const cwd = ctx.cwd ?? process.cwd();
  const { values, positionals } = parseCheckArgs(argv);
  const format = (values.format ?? 'text') as Format;
  if (!FORMATS.includes(format)) throw new UsageError(`--format must be one of ${FORMATS.join(', ')}, not "${values.format}"`);

  const files = await expandOperands(positionals, cwd);
  const texts = await Promise.all(files.map(async (f) => ({ path: f, text: await readText(f) })));
  const severities = disabledRules(values.disable ?? []);
  const defaultNamespace = values.namespace ?? 'default';
  const base: AnalyzeOptions = { catalog: builtinCatalog(), severities, defaultNamespace };

  if (values['held-rules']) {
    const heldText = await readText(values['held-rules']);
    base.held = loadHeldRules(heldText, values['held-rules'], defaultNamespace);
  }
  if (values.live) {
    const { liveAnalyzeOptions } = await import('./liveOptions');
    Object.assign(base, await liveAnalyzeOptions(texts, { kubeconfig: values.kubeconfig, context: values.context, namespace: values.namespace }));
  }

  const reports: FileReport[] = texts.map(({ path, text }) => {
    const result = analyzeText(text, base);
    return { path: relative(cwd, path) || path, findings: result.findings, objects: result.objects, lineIndex: result.lineIndex };
  });

  const output =
    format === 'json' ? formatJson(reports) : format === 'sarif' ? formatSarif(reports, ctx.version, cwd) : formatText(reports, !values.output && process.stdout.isTTY === true);
  if (values.output) await writeFile(values.output, output);
  else process.stdout.write(output);
  return hasErrors(reports) ? 1 : 0;
}

function parseCheckArgs(argv: string[]) {
  try {
    return parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        format: { type: 'string', short: 'f' },
        'held-rules': { type: 'string' },
        live: { type: 'boolean' },
        kubeconfig: { type: 'string' },
        context: { type: 'string' },
        namespace: { type: 'string', short: 'n' },
        manifests: { type: 'string', multiple: true },
        disable: { type: 'string', multiple: true },
        output: { type: 'string', short: 'o' },
      },
    });
  } catch (err) {
    throw new UsageError(err instanceof Error ? err.message : String(err));
  }
}

function disabledRules(values: string[]): SeverityOverrides {
  const out: SeverityOverrides = {};
  for (const id of values.flatMap((v) => v.split(',')).map((s) => s.trim()).filter(Boolean)) {
    if (!isRuleId(id)) throw new UsageError(`--disable: unknown rule id "${id}"`);
    out[id as RuleId] = 'off';
  }
  return out;
}
