// The pure engine as the extension host reaches it (least-privilege generation, the RBAC JSON schemas).
// The language server and the CLI use the modules directly; the client imports this facade (eslint.config.mjs).
export type { PolicyRule, RuleId, Severity } from './model';
export { builtinCatalog } from './catalog/apiCatalog';
export { leastPrivilegeRoleYaml, leastPrivilegeRules } from './leastPrivilege/generate';
export { manifestKinds, neededPermissions, type ManifestKind } from './leastPrivilege/needed';
export { SCHEMAS, type JsonSchema } from './schema/definitions';
export { deployAction, deployerNeeds } from './deployer/needs';
export { errorText } from './text/errorText';
export {
  aggregationOf,
  knownClusterRole,
  resolveAggregation,
  selectorMatches,
  selectorProblem,
  type AggregatedRules,
  type KnownClusterRole,
  type LabelSelector,
  type LabelSelectorRequirement,
} from './rbac/aggregate';
