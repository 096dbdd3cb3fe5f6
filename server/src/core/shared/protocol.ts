/**
 * Custom messages between the extension client and the language server: method names and payload types,
 * shared by both sides (the vscode-eslint pattern). Each side builds its typed message objects from its own
 * LSP library (server/src/lsp/messages.ts, client/src/messages.ts): the two libraries ship different
 * vscode-jsonrpc majors, whose classes are not interchangeable at the type level.
 */

export const Methods = {
  /** Client -> server notification: the workspace trust changed (untrusted: never run kubeconfig exec plugins). */
  trust: 'pipelineRbac/trust',
  /** Server -> client notification: the live cluster connection changed state. */
  liveStatus: 'pipelineRbac/liveStatus',
  /** Client -> server request: drop cached cluster data and re-validate open documents. */
  refresh: 'pipelineRbac/refresh',
  /** Client -> server request: the authoritative check of one document by server-side dry run. */
  dryRun: 'pipelineRbac/dryRun',
} as const;

export interface TrustParams {
  trusted: boolean;
}

export type LiveState = 'offline' | 'connecting' | 'connected' | 'unreachable' | 'unauthorized' | 'disabled';

export interface LiveStatus {
  state: LiveState;
  /** Context name, when a kubeconfig was found. */
  context?: string;
  /** Who the apiserver says we are (SelfSubjectReview). */
  user?: string;
  /** One sentence for the user: why offline, what to do. Never contains credentials. */
  message: string;
}

export interface DryRunParams {
  uri: string;
}

export interface DryRunResult {
  checked: number;
  rejected: number;
}
