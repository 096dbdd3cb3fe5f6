// Verifying that an identity can deploy the manifests (server-side dry run as the identity), as the extension host
// reaches it. Front ends import this facade, never the modules behind it (eslint.config.mjs).
export { verifyAsIdentity } from './asIdentity';
export { manifestDocs, MAX_OBJECTS, type ManifestDoc } from './objects';
export { formatVerify, verifyExitCode } from './report';
