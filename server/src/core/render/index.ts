// Rendering Helm charts and kustomize overlays (real helm/kustomize binaries) as the extension host reaches it.
// Front ends import this facade, never the modules behind it (eslint.config.mjs).
export { renderWorkspaceDir, splitManifestSettings } from './workspace';
