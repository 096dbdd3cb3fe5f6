/**
 * The engine's front door: one file's text in, findings out. Pure and synchronous, so the language
 * server, the CLI and the tests all run exactly the same analysis.
 */
import type { ApiCatalog } from './catalog/apiCatalog';
import { catalogFindings } from './catalog/apiCatalog';
import type { Finding, RbacObject, RuleId } from './model';
import { capFindings } from './capFindings';
import { aggregationResolver, firstOf, indexRoles, resolverOf, type RoleIndex, type RoleResolver } from './roleIndex';
import type { HeldPermissions } from './rbac/heldPermissions';
import { notHeldFindings } from './rbac/notHeld';
import { unreadNamespacesFinding } from './rbac/liveScope';
import { cloudIdentityFindings, scopeSeverities } from './rules/fileRisks';
import { riskFindings } from './rules/risks';
import { validateObject } from './schema/validate';
import { applySeverities, type SeverityOverrides } from './severity';
import { applySuppressions, suppressions, type SuppressionScan } from './suppress';
import { LineIndex } from './text/lineIndex';
import { helmTemplateFinding } from './yaml/helmTemplate';
import type { ParseLimits } from './yaml/parse';
import { parseRbacText, type ParseCache } from './yaml/parseCache';


export interface AnalyzeOptions {
  /** API catalog for unknown-* checks: live discovery, or the built-in one. */
  catalog: ApiCatalog;
  /** What the applier holds; without it there are no not-held checks. */
  held?: HeldPermissions;
  /** Namespace a Role without metadata.namespace lands in (the context's namespace). */
  defaultNamespace?: string;
  /** Roles known outside this file (workspace, cluster), for bindings. */
  resolveRole?: RoleResolver;
  /** Roles known outside this file as data (workspace, other checked files): what an aggregated ClusterRole selects. */
  knownRoles?: RoleIndex;
  /** The cluster's current roles (an aggregated ClusterRole's rules as the controller filled them), when live. */
  liveRoles?: RoleResolver;
  severities?: SeverityOverrides;
  limits?: Partial<ParseLimits>;
  /** Reuses the parse of unchanged documents and rules between calls (the language server keeps one per file). */
  parseCache?: ParseCache;
  /** Extra rule families computed outside (e.g. unused-permission from workspace manifests). */
  extraFindings?: (objects: RbacObject[]) => Finding[];
  /** The file's path or URI, when known: a file in a chart's templates/ folder may be a Helm template. */
  fileName?: string;
  /**
   * The text is a render's output (helm template, kustomize build), never a raw template: `{{ }}` in it belongs to
   * another tool (an alert template in a ConfigMap), so the objects are analysed as they are.
   */
  rendered?: boolean;
}

export interface AnalysisResult {
  objects: RbacObject[];
  findings: Finding[];
  lineIndex: LineIndex;
  /** Rule ids named in suppression comments that do not exist, with where. */
  unknownSuppressions: SuppressionScan['unknownIds'];
}

export function analyzeText(text: string, options: AnalyzeOptions): AnalysisResult {
  const lines = (): LineIndex => new LineIndex(text);
  // A raw Helm template is not YAML: one note on how to check it, never hundreds of syntax errors.
  const helm = options.rendered ? undefined : helmTemplateFinding(text, options.fileName);
  if (helm) {
    const sup = suppressions(text);
    const lineIndex = lines();
    return { objects: [], findings: applySeverities(applySuppressions([helm], sup.list, lineIndex), options.severities ?? {}), lineIndex, unknownSuppressions: sup.unknownIds };
  }
  const parsed = options.parseCache ? options.parseCache.parse(text, options.limits) : parseRbacText(text, options.limits);
  const lineIndex = lines();
  const findings: Finding[] = [...parsed.findings];
  const defaultNamespace = options.defaultNamespace ?? 'default';
  // Roles in the same file come first: a binding next to its role is checked against what the file says.
  const own = indexRoles(parsed.objects, defaultNamespace);
  const aggregation = aggregationResolver(options.knownRoles ? [own, options.knownRoles] : [own], options.liveRoles);
  const resolveRole = firstOf(resolverOf(own, aggregation), options.resolveRole);

  for (const obj of parsed.objects) {
    const structural = validateObject(obj);
    findings.push(...structural);
    findings.push(...catalogFindings(obj, options.catalog));
    findings.push(...riskFindings(obj, { resolveRole, aggregation, catalog: options.catalog }));
    if (options.held) {
      findings.push(...notHeldFindings(obj, options.held, { defaultNamespace, resolveRole }));
    }
  }
  const unread = options.held ? unreadNamespacesFinding(parsed.objects, options.held, defaultNamespace) : undefined;
  if (unread) findings.push(unread);
  findings.push(...cloudIdentityFindings(parsed.objects, defaultNamespace));
  if (options.extraFindings) findings.push(...options.extraFindings(parsed.objects));

  const sup = suppressions(text);
  const kept = applySuppressions(scopeSeverities(findings, parsed.objects), sup.list, lineIndex);
  // Capped after suppression and severities, so what is left out is only what would have been shown.
  const result = capFindings(applySeverities(kept, options.severities ?? {}));
  return { objects: parsed.objects, findings: result, lineIndex, unknownSuppressions: sup.unknownIds };
}

export type { RoleResolver, RuleId };
