import { workspace, type ExtensionContext, type LogOutputChannel } from 'vscode';
import { IPCMessageReader, IPCMessageWriter, LanguageClient, type LanguageClientOptions, type MessageTransports, type ServerOptions } from 'vscode-languageclient/node';
import { IDENTITY_DOC_SCHEME } from './lifecycle/documents';
import { TrustNotification } from './messages';
import { sectionForServer } from './settings';
import type { ServerPrestart, ServerProcess } from './serverPrestart';
import type { SquiggleTimings } from './timings';
import { errorText } from '../../server/src/core/engine';

/**
 * The language client for dist/server.js over IPC, for YAML documents; not started yet. Its process is the one
 * main.ts forked as the extension loaded (`server`), or a new one after a crash.
 */
export function createLanguageClient(context: ExtensionContext, output: LogOutputChannel, timings: SquiggleTimings, server: ServerPrestart): LanguageClient {
  const serverOptions: ServerOptions = async () => transportsOf(server.take(), output);
  const clientOptions: LanguageClientOptions = {
    documentSelector: [
      { scheme: 'file', language: 'yaml' },
      { scheme: 'untitled', language: 'yaml' },
      // The read-only YAML the identity commands open (previews of what they create, keyless bundles) gets findings too.
      { scheme: IDENTITY_DOC_SCHEME, language: 'yaml' },
    ],
    // Manifest changes can change what a pipeline needs (least privilege).
    synchronize: { configurationSection: 'pipelineRbac', fileEvents: workspace.createFileSystemWatcher('**/*.{yaml,yml}') },
    initializationOptions: { trusted: workspace.isTrusted },
    // Hovers quote workspace and cluster text (escaped by the server): never command links or HTML.
    markdown: { isTrusted: false, supportHtml: false },
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

/** IPC to a forked server, with its output in the channel, as vscode-languageclient does for the processes it forks. */
function transportsOf(server: ServerProcess, output: LogOutputChannel): MessageTransports {
  const child = server.process;
  child.stdout?.on('data', (d: Buffer) => output.append(d.toString()));
  child.stderr?.on('data', (d: Buffer) => output.append(d.toString()));
  child.once('exit', (code, signal) => {
    if (code !== 0 && code !== null) output.error(`The language server exited with code ${code}.`);
    if (signal !== null) output.error(`The language server exited with signal ${signal}.`);
  });
  return { reader: new IPCMessageReader(child), writer: new IPCMessageWriter(child) };
}
