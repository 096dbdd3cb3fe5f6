/**
 * Registers the pipeline-identity commands. Rotate and Revoke take the clicked tree node, or (from the palette)
 * ask which identity; Export Again and Save as Manifests are tree-only (hidden from the palette in package.json).
 */
import { commands, window, workspace } from 'vscode';
import type { ViewNode } from '../inventory/treeNodes';
import type { IdentityCommandDeps } from './common';
import { createIdentityCommand } from './createFlow';
import { exportAgainCommand, revokeCommand, rotateCommand, saveManifestsCommand } from './lifecycleCommands';
import { createOidcBindingCommand } from './oidcCommand';
import { verifyIdentityCommand } from './verifyCommand';

export const IDENTITY_COMMANDS = {
  create: 'pipelineRbac.createIdentity',
  rotate: 'pipelineRbac.rotateToken',
  revoke: 'pipelineRbac.revokeIdentity',
  exportAgain: 'pipelineRbac.exportAgain',
  saveManifests: 'pipelineRbac.saveAsManifests',
  oidc: 'pipelineRbac.createOidcBinding',
  exampleRole: 'pipelineRbac.openExampleRole',
  verify: 'pipelineRbac.verifyIdentity',
} as const;

/** A tree node, or undefined when run from the palette or a keybinding (which pass other arguments). */
function nodeArg(arg: unknown): ViewNode | undefined {
  return typeof arg === 'object' && arg !== null && (arg as { kind?: unknown }).kind === 'identity' ? (arg as ViewNode) : undefined;
}

/** A risky Role to try the diagnostics on (the walkthrough's first step). */
export const EXAMPLE_ROLE = `# A Role a CI pipeline was given "to make it work". Pipeline RBAC flags what is risky about it.
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata:
  name: ci-deployer
  namespace: team-a
rules:
  - apiGroups: ["*"]
    resources: ["*"]
    verbs: ["*"]
  - apiGroups: [""]
    resources: ["secrets"]
    verbs: ["get", "list"]
`;

export function registerIdentityCommands(deps: IdentityCommandDeps): void {
  const register = (id: string, fn: (arg?: unknown) => unknown) => deps.context.subscriptions.push(commands.registerCommand(id, fn));
  register(IDENTITY_COMMANDS.create, () => createIdentityCommand(deps));
  register(IDENTITY_COMMANDS.rotate, (arg) => rotateCommand(deps, nodeArg(arg)));
  register(IDENTITY_COMMANDS.revoke, (arg) => revokeCommand(deps, nodeArg(arg)));
  register(IDENTITY_COMMANDS.exportAgain, (arg) => exportAgainCommand(deps, nodeArg(arg)));
  register(IDENTITY_COMMANDS.saveManifests, (arg) => saveManifestsCommand(deps, nodeArg(arg)));
  register(IDENTITY_COMMANDS.oidc, () => createOidcBindingCommand(deps));
  register(IDENTITY_COMMANDS.verify, (arg) => verifyIdentityCommand(deps, nodeArg(arg)));
  register(IDENTITY_COMMANDS.exampleRole, async () => {
    await window.showTextDocument(await workspace.openTextDocument({ language: 'yaml', content: EXAMPLE_ROLE }));
  });
}
