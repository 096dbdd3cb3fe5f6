// The inventory of pipeline identities (the Pipeline Identities tree): what the extension host reaches of it.
// Front ends import this facade, never the modules behind it (eslint.config.mjs).
export * from './types';
export { identitiesFor, loadIdentities, myAccessFor, type IdentitiesRequest } from './load';
export { checkRoleAgainst, renderMatrix, type AccessMatrix, type AccessRow, type Cell } from './myAccess';
export {
  accessNodes,
  bindingChildren,
  identityChildren,
  identityNode,
  namespaceChildren,
  namespaceNodes,
  roleChildren,
  ruleLabel,
  type NodeColor,
  type ViewNode,
  type ViewNodeKind,
} from './treeNodes';
