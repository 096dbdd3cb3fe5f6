import { writeFile } from 'node:fs/promises';
import { relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import type { AnalyzeOptions } from '../core/engine/analyze';
import { builtinCatalog } from '../core/engine/catalog/apiCatalog';
import { manifestFindingsFor } from '../core/engine/leastPrivilege/manifestFindings';
import { isDeployer, DEPLOYERS } from '../core/engine/deployer/needs';
import { fingerprintPath } from '../core/shared/fingerprint';
import { contextNamespace } from './contextNamespace';
import { partitionOperands, renderAll, renderedReports as renderedReportsOf, type RenderFlags } from './renderInputs';
import { analyzeAll, plainReport, type AnalysisInput } from './checkAnalyze';
import { baselineGate, type Judged } from './checkBaseline';
import { checkConfig, configHeldRules, configValues } from './checkConfig';
import { neededFromConfigManifests, neededFromManifests } from './checkManifests';
import { formatGithub } from './format/github';
import { formatGitlab } from './format/gitlab';
import { DEFAULT_DEPLOY_VERBS } from '../core/shared/settings';
import type { RuleId } from '../core/engine/model';
import type { SeverityOverrides } from '../core/engine/severity';
import { loadCluster } from './bundles';
import { UsageError } from './errors';
import { checkUsage } from './usage';
import { expandOperands, readStdin, readText, STDIN_OPERAND } from './files';
import { formatJson } from './format/json';
import { formatSarif } from './format/sarif';
import { formatText } from './format/text';
import { loadHeldRules } from './heldRulesFile';
import { hasErrors, type FileReport } from './report';
import { insertInOrder, reachFindingsOf } from './checkReach';
import { isRuleId } from '../core/engine/suppress';
import { errorText } from '../core/engine/text/errorText';

const FORMATS = ['text', 'json', 'sarif', 'gitlab', 'github'] as const;
type Format = (typeof FORMATS)[number];

export interface CheckContext {
  version: string;
  cwd?: string;
  /** The environment (GITHUB_ACTIONS picks the default format); process.env when absent. */
  env?: NodeJS.ProcessEnv;
}

/** --format, else `github` inside GitHub Actions (annotations), else text. */
function formatOf(flag: string | undefined, env: NodeJS.ProcessEnv): Format {
  const format = (flag ?? (env.GITHUB_ACTIONS === 'true' ? 'github' : 'text')) as Format;
  if (!FORMATS.includes(format)) throw new UsageError(`--format must be one of ${FORMATS.join(', ')}, not "${flag}"`);
  return format;
}

export async function runCheck(argv: string[], ctx: CheckContext): Promise<number> {
  const cwd = ctx.cwd ?? process.cwd();
  const { values, positionals } = parseCheckArgs(argv);
  if (values.help) {
    process.stdout.write(checkUsage());
    return 0;
  }
  const format = formatOf(values.format, ctx.env ?? process.env);
  const operandList = positionals.length ? positionals : ['.'];
  const cfg = await checkConfig(values.config, operandList, cwd);
  const conf = cfg?.config ?? {};
  // Read (and refused when bad) before any work.
  const gate = await baselineGate(values['write-baseline'], values.baseline, cfg, cwd);

  const deployer = values.deployer ?? conf.deployer ?? 'kubectl';
  if (!isDeployer(deployer)) throw new UsageError(`--deployer must be one of ${DEPLOYERS.join(', ')}, not "${values.deployer}"`);
  const namespace = values.namespace ?? conf.namespace;
  const defaultNamespace = namespace ?? 'default';
  // helm's --namespace: the flag, else the kubeconfig context's (as helm does), else default.
  const renderNamespace = namespace ?? contextNamespace(values.kubeconfig, values.context) ?? 'default';
  const flags: RenderFlags = {
    release: values.release ?? conf.release,
    namespace: renderNamespace,
    values: values.values ?? (cfg ? await configValues(cfg) : []),
    set: values.set ?? conf.set ?? [],
  };
  const operands = await partitionOperands(operandList, cwd);
  // Charts and overlays are rendered below; the rest (files, globs, "-") is read as before.
  const texts = operands.plain.length || values['stdin-filename'] !== undefined ? await readInputs(operands.plain, values['stdin-filename'], cwd) : [];
  const severities: SeverityOverrides = { ...(conf.rules ?? {}), ...disabledRules(values.disable ?? []) };
  const base: AnalyzeOptions = { catalog: builtinCatalog(), severities, defaultNamespace };
  const renderedReports: FileReport[] = [];
  const deployVerbs = conf.deployVerbs ?? DEFAULT_DEPLOY_VERBS;
  const deploy = { catalog: base.catalog, deployer, deployVerbs, flags, cwd, failures: renderedReports };
  const fromManifests = values.manifests?.length
    ? await neededFromManifests(values.manifests, deploy)
    : cfg && conf.manifests?.length
      ? await neededFromConfigManifests(cfg, deploy)
      : undefined;
  // A chart or overlay of --manifests that did not render leaves what is deployed unknown: only its render-error then.
  const needed = renderedReports.length ? undefined : fromManifests;
  if (needed) base.extraFindings = manifestFindingsFor(needed);
  // One analysis path: a chart's or overlay's rendered output is one more input, analysed exactly like a file or
  // standard input (the same options, --live read for its objects, bindings across inputs), then reported on the
  // template and overlay lines it came from.
  const outcomes = await renderAll(operands.rendered, flags, cwd);
  const inputs: AnalysisInput[] = [...texts, ...outcomes.flatMap((o, i) => (o.ok ? [{ path: o.set.label, text: o.set.text, rendered: i }] : []))];

  if (values['held-rules']) {
    const heldText = await readText(values['held-rules']);
    base.held = loadHeldRules(heldText, values['held-rules'], defaultNamespace);
  } else if (cfg && conf.heldRules) {
    const held = await configHeldRules(cfg, conf.heldRules);
    base.held = loadHeldRules(held.text, held.path, defaultNamespace);
  }
  if (values.live) {
    const { liveAnalyzeOptions } = loadCluster();
    Object.assign(base, await liveAnalyzeOptions(inputs, { kubeconfig: values.kubeconfig, context: values.context, namespace }));
  }

  const keys = gate.fingerprinted || format === 'gitlab';
  const results = await analyzeAll(inputs, base, { jobs: values.jobs, live: values.live === true, keys, needed });
  // Reach over every file's RBAC at once (a binding in one file, its role in another), live: over the cluster's too.
  // Rendered charts and overlays are not in it yet: a reach finding names lines, and those would be the rendered text's.
  const plain = inputs.flatMap((t, i) => (t.rendered === undefined ? [{ t, r: results[i]! }] : []));
  const live = values.live && severities.reach !== 'off' ? await loadCluster().liveReachUniverse({ kubeconfig: values.kubeconfig, context: values.context }) : undefined;
  const reports: FileReport[] = plain.map(({ t, r }) => plainReport(t, r));
  reachFindingsOf(plain.map(({ t, r }, i) => ({ text: t.text, objects: r.reach, lineIndex: reports[i]!.lineIndex })), severities, live).forEach((f, i) => insertInOrder(reports[i]!.findings, f));
  // Charts and overlays given as operands: reported on their own files, in the order given.
  outcomes.forEach((o, k) => {
    const i = inputs.findIndex((t) => t.rendered === k);
    reports.push(...renderedReportsOf(o, i >= 0 ? results[i] : undefined, severities));
  });
  reports.push(...renderedReports);

  const judged = await gate.apply(reports, ctx.version, cfg?.loaded.dir ?? cwd);
  const output = formatReports(format, judged, ctx.version, cwd, !values.output && process.stdout.isTTY === true);
  if (values.output) await writeFile(values.output, output);
  else process.stdout.write(output);
  return hasErrors(judged.reports) ? 1 : 0;
}

function formatReports(format: Format, j: Judged, version: string, cwd: string, color: boolean): string {
  switch (format) {
    case 'json':
      return formatJson(j.reports, j.baselined);
    case 'sarif':
      return formatSarif(j.reports, version, cwd);
    case 'gitlab':
      return formatGitlab(j.reports, j.fingerprints, j.reports.map((r) => fingerprintPath(cwd, resolve(cwd, r.path))));
    case 'github':
      return formatGithub(j.reports, j.baselined);
    default:
      return formatText(j.reports, color, j.baselined);
  }
}

function parseCheckArgs(argv: string[]) {
  try {
    return parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        help: { type: 'boolean', short: 'h' },
        format: { type: 'string', short: 'f' },
        'held-rules': { type: 'string' },
        live: { type: 'boolean' },
        kubeconfig: { type: 'string' },
        context: { type: 'string' },
        namespace: { type: 'string', short: 'n' },
        manifests: { type: 'string', multiple: true },
        disable: { type: 'string', multiple: true },
        output: { type: 'string', short: 'o' },
        jobs: { type: 'string', short: 'j' },
        deployer: { type: 'string' },
        release: { type: 'string' },
        values: { type: 'string', multiple: true },
        set: { type: 'string', multiple: true },
        'stdin-filename': { type: 'string' },
        config: { type: 'string', short: 'c' },
        baseline: { type: 'string' },
        'write-baseline': { type: 'string' },
      },
    });
  } catch (err) {
    throw new UsageError(errorText(err));
  }
}

/** Named for the output: files relative to cwd; standard input (`-`) as --stdin-filename says, else <stdin>. */
async function readInputs(operands: string[], stdinFilename: string | undefined, cwd: string): Promise<{ path: string; text: string }[]> {
  const stdin = operands.filter((o) => o === STDIN_OPERAND).length;
  if (stdin > 1) throw new UsageError(`"${STDIN_OPERAND}" (standard input) may be given once`);
  if (stdinFilename !== undefined && !stdin) throw new UsageError(`--stdin-filename names standard input, so it needs "${STDIN_OPERAND}" among the inputs`);
  if (stdinFilename === '') throw new UsageError('--stdin-filename must not be empty');
  const operandsOfFiles = operands.filter((o) => o !== STDIN_OPERAND);
  // Only "-": no file operand, so not the default "." either.
  const files = stdin && !operandsOfFiles.length ? [] : await expandOperands(operandsOfFiles, cwd);
  const texts = await Promise.all(files.map(async (f) => ({ path: relative(cwd, f) || f, text: await readText(f) })));
  if (stdin) texts.push({ path: stdinFilename ?? '<stdin>', text: await readStdin() });
  return texts;
}

function disabledRules(values: string[]): SeverityOverrides {
  const out: SeverityOverrides = {};
  for (const id of values.flatMap((v) => v.split(',')).map((s) => s.trim()).filter(Boolean)) {
    if (!isRuleId(id)) throw new UsageError(`--disable: unknown rule id "${id}"`);
    out[id as RuleId] = 'off';
  }
  return out;
}
