/**
 * The commands of the identity stack (dist/identity.js). The activation bundle registers a stub for each, which loads
 * the stack and hands the call over; kept apart from the modules that register them so that the activation bundle
 * does not pull in the Kubernetes client and the secret-store SDKs. test/unit/stackCommands.test.ts holds this list
 * and the activation bundle's own commands to package.json.
 */
export const IDENTITIES_VIEW_ID = 'pipelineRbac.identities';

export const IDENTITY_STACK_COMMANDS: readonly string[] = [
  'pipelineRbac.createIdentity',
  'pipelineRbac.rotateToken',
  'pipelineRbac.revokeIdentity',
  'pipelineRbac.exportAgain',
  'pipelineRbac.saveAsManifests',
  'pipelineRbac.createOidcBinding',
  'pipelineRbac.openExampleRole',
  'pipelineRbac.verifyIdentity',
  'pipelineRbac.identities.refresh',
  'pipelineRbac.identities.showAllServiceAccounts',
  'pipelineRbac.identities.showPipelineIdentitiesOnly',
  'pipelineRbac.identities.openRole',
  'pipelineRbac.identities.checkRole',
  'pipelineRbac.identities.openMyAccess',
  'pipelineRbac.switchContext',
  'pipelineRbac.switchNamespace',
];

/** The commands the activation bundle registers itself (client/src/commands/registerCommands.ts). */
export const CORE_COMMANDS: readonly string[] = [
  'pipelineRbac.dryRun',
  'pipelineRbac.generateLeastPrivilegeRole',
  'pipelineRbac.refresh',
  'pipelineRbac.showOutput',
];
