// Pipeline identities: the Kubernetes side of issue 6, for the CLI and the VS Code extension host
// (no `vscode` import; every function takes the acting kubeconfig explicitly).
export * from './types';
export { checkNamespace, checkRbacName, checkServiceAccountName, parseDuration, formatDuration, serviceAccountUsername, InvalidInputError, checkTokenSeconds, DEFAULT_TOKEN_SECONDS, MAX_TOKEN_SECONDS, MIN_TOKEN_SECONDS } from './names';
export { KubeIdentityCluster, listRoleNames, type IdentityCluster, type IssuedToken, type TokenRequestSpec } from './kube';
export { preflight, requiredPermissions, fixFor, serverWarnings, type Operation, type PreflightCheck, type PreflightOptions, type PreflightReport, type PreflightTarget } from './preflight';
export { roleFromFile, roleCheckText } from './roleFile';
export { checkRole, liveRoleCheckOptions, RoleCheckUnavailableError, BLOCKING_RULES, type RoleCheck, type RoleCheckReason } from './roleCheck';
export { serviceAccountObject, roleObject, roleBindingObject, boundSecretObject, legacyTokenSecretObject, type RoleSpec } from './objects';
export { buildKubeconfig, clusterEndpoint, endpointWarnings, KubeconfigBuildError, type ClusterEndpoint, type KubeconfigInput } from './kubeconfig';
export { mintBoundToken, mintLegacyToken, grantedSeconds, shortenedWarning, LEGACY_TOKEN_WARNING, TokenTimeoutError, type MintedToken } from './token';
export { formatAudit, logAudit, pipelineAnnotation, type AuditAction, type AuditRecord } from './audit';
export { IdentityError, type IdentityErrorKind } from './errors';
export { CreatedTracker, type RollbackOutcome } from './rollback';
export { createIdentity, preflightFor, checkPlanRole, formatReasons, type CreatePreflight, type IdentityDeps } from './create';
export { rotationLifetime, type LifetimeChoice } from './lifetime';
export { rotateToken, type RotateDeps, type RotateRequest, type RotateResult } from './rotate';
export { revokeIdentity, notRevokedMessage, type RevokeDeps, type RevokeRequest, type RevokeResult } from './revoke';
export { planRbacRevoke, type RbacRevokePlan } from './revokePlan';
export { identityManifests, identityManifestObjects, type ManifestsInput } from './manifests';
export {
  oidcBundle,
  oidcSubject,
  oidcBindingObject,
  oidcRoleBinding,
  oidcUsername,
  authenticationConfiguration,
  oidcWorkflowSnippet,
  defaultPrefix,
  OIDC_ISSUERS,
  type OidcBundle,
  type OidcInput,
  type OidcProvider,
  type OidcSubjectInput,
} from './oidc';
export { pipelineSnippets, type PipelineSnippets, type SnippetInput } from './snippets';
export { renderCreate, renderRotate, renderRevoke, renderPreflight, tokenLine } from './summary';

// What the extension host's identity commands use besides the above (client imports only this facade).
export { insecureEndpointReasons } from './kubeconfig';
export { claimedExport, KeyValueExportRecords, recordKey, type ExportRecord, type RecordingPlan } from './exportRecords';
export { describeOldTokenCheck } from './tokenProbe';
export { applyOidcBinding, type OidcApplyResult } from './oidcApply';
export { issuerForHost, issuerUrlProblem, type IssuerChoice } from './oidcIssuer';
