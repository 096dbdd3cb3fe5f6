import * as path from 'node:path';
import { workspace, type ExtensionContext, type LogOutputChannel } from 'vscode';
import { LanguageClient, TransportKind, type LanguageClientOptions, type ServerOptions } from 'vscode-languageclient/node';
import { SERVER_EXEC_ARGV } from '../../server/src/core/shared';
import { TrustNotification } from './messages';
import { sectionForServer } from './settings';
import type { SquiggleTimings } from './timings';
import { errorText } from '../../server/src/core/engine';

/** The language client for dist/server.js over IPC, for YAML documents; not started yet. */
export function createLanguageClient(context: ExtensionContext, output: LogOutputChannel, timings: SquiggleTimings): LanguageClient {
  const module = context.asAbsolutePath(path.join('dist', 'server.js'));
  const serverOptions: ServerOptions = {
    run: { module, transport: TransportKind.ipc, options: { execArgv: [...SERVER_EXEC_ARGV] } },
    debug: { module, transport: TransportKind.ipc, options: { execArgv: [...SERVER_EXEC_ARGV, '--nolazy', '--inspect=6019'] } },
  };
  const clientOptions: LanguageClientOptions = {
    documentSelector: [
      { scheme: 'file', language: 'yaml' },
      { scheme: 'untitled', language: 'yaml' },
    ],
    // Manifest changes can change what a pipeline needs (least privilege).
    synchronize: { configurationSection: 'pipelineRbac', fileEvents: workspace.createFileSystemWatcher('**/*.{yaml,yml}') },
    initializationOptions: { trusted: workspace.isTrusted },
    outputChannel: output,
    middleware: {
      ...timings.middleware(),
      workspace: {
        // An untrusted workspace's values of restricted settings never reach the server (settingsTrust.ts).
        configuration: async (params, token, next) => {
          const result = await next(params, token);
          if (!Array.isArray(result)) return result;
          return result.map((value: unknown, i) => (params.items[i]?.section === 'pipelineRbac' ? sectionForServer(value, params.items[i]?.scopeUri) : value));
        },
      },
    },
  };
  const client = new LanguageClient('pipelineRbac', 'Pipeline RBAC', serverOptions, clientOptions);
  context.subscriptions.push(
    client,
    workspace.onDidGrantWorkspaceTrust(() => void client.sendNotification(TrustNotification, { trusted: true })),
  );
  return client;
}

/**
 * Starts the client without blocking activation. A failure is shown by vscode-languageclient itself (a forced error
 * notification) and logged here; `since` (performance.now() at activation) times the server's spawn and initialize.
 */
export function startLanguageClient(client: LanguageClient, output: LogOutputChannel, since: number): void {
  const ms = () => Math.round(performance.now() - since);
  output.debug(`language server starting (${ms()} ms after activation began)`);
  client.start().then(
    () => output.debug(`language server initialized ${ms()} ms after activation began`),
    (err: unknown) => output.error(`The language server did not start: ${errorText(err)}`),
  );
}
