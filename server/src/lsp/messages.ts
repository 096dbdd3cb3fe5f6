import { NotificationType, RequestType, RequestType0 } from 'vscode-languageserver/node';
import { Methods, type DryRunParams, type DryRunResult, type LiveStatus, type TrustParams } from '../core/shared/protocol';

export const TrustNotification = new NotificationType<TrustParams>(Methods.trust);
export const LiveStatusNotification = new NotificationType<LiveStatus>(Methods.liveStatus);
export const RefreshRequest = new RequestType0<void, void>(Methods.refresh);
export const DryRunRequest = new RequestType<DryRunParams, DryRunResult, void>(Methods.dryRun);
