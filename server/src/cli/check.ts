import { writeFile } from 'node:fs/promises';
import { relative } from 'node:path';
import { parseArgs } from 'node:util';
import { analyzeText, type AnalyzeOptions } from '../core/engine/analyze';
import { builtinCatalog, type ApiCatalog } from '../core/engine/catalog/apiCatalog';
import { manifestKinds, neededPermissions, type NeededPermissions } from '../core/engine/leastPrivilege/needed';
import { manifestFindingsFor } from '../core/engine/leastPrivilege/manifestFindings';
import { isDeployer, DEPLOYERS, type Deployer } from '../core/engine/deployer/needs';
import { contextNamespace } from './contextNamespace';
import { checkRendered, partitionOperands, render, renderedKinds, type RenderFlags } from './renderInputs';
import { DEFAULT_DEPLOY_VERBS } from '../core/shared/settings';
import type { RuleId } from '../core/engine/model';
import type { SeverityOverrides } from '../core/engine/severity';
import { loadCluster } from './bundles';
import { UsageError } from './errors';
import { expandOperands, readStdin, readText, STDIN_OPERAND } from './files';
import { formatJson } from './format/json';
import { formatSarif } from './format/sarif';
import { formatText } from './format/text';
import { loadHeldRules } from './heldRulesFile';
import { analyzeInWorkers, fileResult, PARALLEL_MIN_BYTES, workerCount, type FileResult } from './parallelCheck';
import { firstOf, resolverOf, type RoleIndex } from '../core/engine/roleIndex';
import { hasErrors, type FileReport } from './report';
import { insertInOrder, reachFindingsOf } from './checkReach';
import { LineIndex } from '../core/engine/text/lineIndex';
import { isRuleId } from '../core/engine/suppress';
import { errorText } from '../core/engine/text/errorText';

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

  const deployer = values.deployer ?? 'kubectl';
  if (!isDeployer(deployer)) throw new UsageError(`--deployer must be one of ${DEPLOYERS.join(', ')}, not "${values.deployer}"`);
  const defaultNamespace = values.namespace ?? 'default';
  // helm's --namespace: the flag, else the kubeconfig context's (as helm does), else default.
  const renderNamespace = values.namespace ?? contextNamespace(values.kubeconfig, values.context) ?? 'default';
  const flags: RenderFlags = { release: values.release, namespace: renderNamespace, values: values.values ?? [], set: values.set ?? [] };
  const operands = await partitionOperands(positionals.length ? positionals : ['.'], cwd);
  // Charts and overlays are rendered below; the rest (files, globs, "-") is read as before.
  const texts = operands.plain.length || values['stdin-filename'] !== undefined ? await readInputs(operands.plain, values['stdin-filename'], cwd) : [];
  const severities = disabledRules(values.disable ?? []);
  const base: AnalyzeOptions = { catalog: builtinCatalog(), severities, defaultNamespace };
  const renderedReports: FileReport[] = [];
  const fromManifests = values.manifests?.length ? await neededFromManifests(values.manifests, cwd, base.catalog, deployer, flags, renderedReports) : undefined;
  // A chart or overlay of --manifests that did not render leaves what is deployed unknown: only its render-error then.
  const needed = renderedReports.length ? undefined : fromManifests;
  if (needed) base.extraFindings = manifestFindingsFor(needed);

  if (values['held-rules']) {
    const heldText = await readText(values['held-rules']);
    base.held = loadHeldRules(heldText, values['held-rules'], defaultNamespace);
  }
  if (values.live) {
    const { liveAnalyzeOptions } = loadCluster();
    Object.assign(base, await liveAnalyzeOptions(texts, { kubeconfig: values.kubeconfig, context: values.context, namespace: values.namespace }));
  }

  const bytes = texts.reduce((n, t) => n + t.text.length, 0);
  const jobs = values.jobs === undefined ? undefined : Number(values.jobs);
  if (jobs !== undefined && !(Number.isInteger(jobs) && jobs >= 1)) throw new UsageError(`--jobs must be a whole number from 1, not "${values.jobs}"`);
  const workers = jobs ?? workerCount(texts.length);
  let results: FileResult[];
  if (!values.live && workers > 1 && (jobs !== undefined || bytes >= PARALLEL_MIN_BYTES)) {
    results = await analyzeInWorkers({ texts: texts.map((t) => t.text), paths: texts.map((t) => t.path), held: base.held, severities, defaultNamespace, needed }, workers);
  } else {
    results = texts.map(({ text, path }) => fileResult(analyzeText(text, { ...base, fileName: path }), defaultNamespace));
  }
  if (base.held) recheckBindingsAcrossFiles(texts, results, base, defaultNamespace);
  const reports: FileReport[] = texts.map(({ path, text }, i) => ({
    path,
    findings: results[i]!.findings,
    objects: results[i]!.objects,
    lineIndex: new LineIndex(text),
  }));
  // Reach over every file's RBAC at once (a binding in one file, its role in another), live: over the cluster's too.
  const live = values.live && severities.reach !== 'off' ? await loadCluster().liveReachUniverse({ kubeconfig: values.kubeconfig, context: values.context }) : undefined;
  reachFindingsOf(texts.map((t, i) => ({ text: t.text, objects: results[i]!.reach, lineIndex: reports[i]!.lineIndex })), severities, live).forEach((f, i) => insertInOrder(reports[i]!.findings, f));
  // Charts and overlays given as operands: checked on their rendered output, reported on their own files.
  for (const r of operands.rendered) reports.push(...checkRendered(await render(r.dir, r.kind, flags, cwd), base));
  reports.push(...renderedReports);

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
        jobs: { type: 'string', short: 'j' },
        deployer: { type: 'string' },
        release: { type: 'string' },
        values: { type: 'string', multiple: true },
        set: { type: 'string', multiple: true },
        'stdin-filename': { type: 'string' },
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

/**
 * A binding's role may be defined in another of the checked files: a file whose bindings reference a role that it does
 * not define but another file does is analysed again with every file's roles known (its own roles still come first).
 */
function recheckBindingsAcrossFiles(texts: { text: string; path: string }[], results: FileResult[], base: AnalyzeOptions, defaultNamespace: string): void {
  const index: RoleIndex = new Map(results.flatMap((r) => r.roles));
  if (index.size === 0) return;
  const resolveRole = firstOf(base.resolveRole, resolverOf(index));
  results.forEach((r, i) => {
    if (r.rolesElsewhere.some((k) => index.has(k))) results[i] = fileResult(analyzeText(texts[i]!.text, { ...base, resolveRole, fileName: texts[i]!.path }), defaultNamespace);
  });
}

/**
 * `--manifests PATH`: what the pipeline deploys (files, globs, charts, overlays), hence the permissions it needs
 * (unused-permission, missing-permission). A chart or overlay that fails to render adds its render-error report.
 */
async function neededFromManifests(
  operands: string[],
  cwd: string,
  catalog: ApiCatalog,
  deployer: Deployer,
  flags: RenderFlags,
  failures: FileReport[],
): Promise<NeededPermissions> {
  const parts = await partitionOperands(operands, cwd);
  const files = parts.plain.length ? await expandOperands(parts.plain, cwd) : [];
  const kinds = (await Promise.all(files.map(async (f) => manifestKinds(await readText(f), relative(cwd, f))))).flat();
  for (const r of parts.rendered) {
    const outcome = await render(r.dir, r.kind, flags, cwd);
    if (outcome.ok) kinds.push(...renderedKinds(outcome));
    else failures.push(...checkRendered(outcome, { catalog }));
  }
  return neededPermissions(kinds, (group, kind) => catalog.resourceForKind(group, kind), DEFAULT_DEPLOY_VERBS, deployer, (g, r) => catalog.findResource(g, r)?.namespaced);
}

function disabledRules(values: string[]): SeverityOverrides {
  const out: SeverityOverrides = {};
  for (const id of values.flatMap((v) => v.split(',')).map((s) => s.trim()).filter(Boolean)) {
    if (!isRuleId(id)) throw new UsageError(`--disable: unknown rule id "${id}"`);
    out[id as RuleId] = 'off';
  }
  return out;
}
