import { NotificationType, RequestType, RequestType0 } from 'vscode-languageclient/node';
import { type DryRunParams, type DryRunResult, type LiveStatus, Methods, type TrustParams } from '../../server/src/core/shared';

export const TrustNotification = new NotificationType<TrustParams>(Methods.trust);
export const LiveStatusNotification = new NotificationType<LiveStatus>(Methods.liveStatus);
export const RefreshRequest = new RequestType0<void, void>(Methods.refresh);
export const DryRunRequest = new RequestType<DryRunParams, DryRunResult, void>(Methods.dryRun);
