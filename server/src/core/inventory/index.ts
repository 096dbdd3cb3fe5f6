// The inventory of pipeline identities (the model behind the Pipeline Identities tree and `identities`): what the
// front ends reach of it. The tree's nodes are built in client/src/inventory/treeNodes.ts.
// Front ends import this facade, never the modules behind it (eslint.config.mjs).
export * from './types';
export { identitiesFor, loadIdentities, myAccessFor, type IdentitiesRequest } from './load';
export { MATRIX_VERBS, checkRoleAgainst, renderMatrix, type AccessMatrix, type AccessRow, type Cell } from './myAccess';
export { bindingDescription, bindingLabel, identityDescription, identityLabel, roleLabel } from './render';
export { describeToken } from './tokens';
