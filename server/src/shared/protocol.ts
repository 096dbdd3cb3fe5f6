/**
 * Custom messages between the extension client and the language server, typed once for both sides
 * (the vscode-eslint pattern).
 */
import { NotificationType, RequestType, RequestType0 } from 'vscode-languageserver-protocol';

/** Client -> server: the workspace trust changed (untrusted: never run kubeconfig exec plugins). */
export const TrustNotification = new NotificationType<{ trusted: boolean }>('pipelineRbac/trust');

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

/** Server -> client: the live cluster connection changed state. */
export const LiveStatusNotification = new NotificationType<LiveStatus>('pipelineRbac/liveStatus');

/** Client -> server: drop cached cluster data (held rules, discovery) and re-validate open documents. */
export const RefreshRequest = new RequestType0<void, void>('pipelineRbac/refresh');

/** Client -> server: the authoritative check of one document by server-side dry-run. */
export const DryRunRequest = new RequestType<{ uri: string }, { checked: number; rejected: number }, void>(
  'pipelineRbac/dryRun',
);
