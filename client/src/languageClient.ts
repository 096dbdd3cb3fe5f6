import * as path from 'node:path';
import { workspace, type ExtensionContext, type LogOutputChannel } from 'vscode';
import { LanguageClient, TransportKind, type LanguageClientOptions, type ServerOptions } from 'vscode-languageclient/node';
import { SERVER_EXEC_ARGV } from '../../server/src/shared/serverProcess';
import { TrustNotification } from './messages';
import { sectionForServer } from './settings';

/** Starts the language server (dist/server.js) over IPC for YAML documents. */
export async function startLanguageClient(context: ExtensionContext, output: LogOutputChannel): Promise<LanguageClient> {
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
  await client.start();
  context.subscriptions.push(
    client,
    workspace.onDidGrantWorkspaceTrust(() => void client.sendNotification(TrustNotification, { trusted: true })),
  );
  return client;
}
