import { StatusBarAlignment, ThemeColor, window, type Disposable, type StatusBarItem } from 'vscode';
import type { LiveStatus } from '../../server/src/core/shared';

const ICON: Record<LiveStatus['state'], string> = {
  connected: '$(shield)',
  connecting: '$(sync~spin)',
  offline: '$(circle-slash)',
  disabled: '$(circle-slash)',
  unreachable: '$(warning)',
  unauthorized: '$(warning)',
};

/** One status bar item: context, user and connection state; click to switch context or namespace. */
export class LiveStatusBar implements Disposable {
  private readonly item: StatusBarItem;

  constructor(command: string) {
    this.item = window.createStatusBarItem('pipelineRbac.status', StatusBarAlignment.Left, 50);
    this.item.name = 'Pipeline RBAC';
    this.item.command = command;
    this.update({ state: 'offline', message: 'Pipeline RBAC: no cluster yet (offline checks only).' });
    this.item.show();
  }

  update(status: LiveStatus): void {
    const who = status.user ? ` ${status.user}` : '';
    const ctx = status.context ?? (status.state === 'disabled' ? 'live checks off' : 'no cluster');
    this.item.text = `${ICON[status.state]} ${ctx}${who ? ' \u00b7' + who : ''}`;
    this.item.tooltip = status.message;
    this.item.backgroundColor =
      status.state === 'unreachable' || status.state === 'unauthorized' ? new ThemeColor('statusBarItem.warningBackground') : undefined;
  }

  dispose(): void {
    this.item.dispose();
  }
}
