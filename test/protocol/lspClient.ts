/**
 * Drives the real, built language server (dist/server.js --stdio) over LSP, the way an editor does,
 * without VS Code: spawn it, answer workspace/configuration, await publishDiagnostics.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';
import {
  ConfigurationRequest,
  createProtocolConnection,
  DidChangeTextDocumentNotification,
  DidCloseTextDocumentNotification,
  DidOpenTextDocumentNotification,
  ExitNotification,
  InitializedNotification,
  InitializeRequest,
  PublishDiagnosticsNotification,
  ShutdownRequest,
  StreamMessageReader,
  StreamMessageWriter,
  type Diagnostic,
  type ProtocolConnection,
  type PublishDiagnosticsParams,
} from 'vscode-languageserver-protocol/node';

export const SERVER_JS = resolve(__dirname, '../../dist/server.js');

export interface LspSession {
  connection: ProtocolConnection;
  /** The server process, for memory readings. */
  pid: number;
  /** Opens a document and resolves with the first diagnostics published for that version. */
  open(uri: string, text: string): Promise<Diagnostic[]>;
  /** Replaces the whole text and resolves with the diagnostics for the new version. */
  change(uri: string, text: string): Promise<Diagnostic[]>;
  close(uri: string): Promise<void>;
  /** Diagnostics published for uri at exactly this version (waits up to timeoutMs). */
  diagnosticsFor(uri: string, version: number, timeoutMs?: number): Promise<Diagnostic[]>;
  /** Resolves with the first diagnostics published for uri that satisfy `ok` (any version). */
  waitForDiagnostics(uri: string, ok: (d: Diagnostic[]) => boolean, timeoutMs?: number): Promise<Diagnostic[]>;
  /** How many diagnostics publishes for uri have arrived so far, and how many workspace/configuration requests. */
  counts(uri: string): { published: number; configurationRequests: number };
  /** Every custom notification received, by method, in order. */
  notifications(method: string): unknown[];
  stderr(): string;
  stop(): Promise<void>;
}

export async function startServer(settings: Record<string, unknown> = {}, env: NodeJS.ProcessEnv = {}, nodeArgs: string[] = [], rootUri: string | null = null): Promise<LspSession> {
  const child: ChildProcess = spawn(process.execPath, [...nodeArgs, SERVER_JS, '--stdio'], {
    stdio: ['pipe', 'pipe', 'pipe'],
    env: { ...process.env, ...env },
  });
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const connection = createProtocolConnection(new StreamMessageReader(child.stdout!), new StreamMessageWriter(child.stdin!));
  const published: PublishDiagnosticsParams[] = [];
  const waiters: (() => void)[] = [];
  connection.onNotification(PublishDiagnosticsNotification.type, (p) => {
    published.push(p);
    for (const w of waiters.splice(0)) w();
  });
  let configurationRequests = 0;
  connection.onRequest(ConfigurationRequest.type, (params) => {
    configurationRequests++;
    return params.items.map(() => settings);
  });
  const custom = new Map<string, unknown[]>();
  connection.onUnhandledNotification((message) => {
    custom.set(message.method, [...(custom.get(message.method) ?? []), message.params]);
    for (const w of waiters.splice(0)) w();
  });
  connection.listen();
  await connection.sendRequest(InitializeRequest.type, {
    processId: process.pid,
    rootUri,
    workspaceFolders: rootUri ? [{ uri: rootUri, name: 'ws' }] : null,
    capabilities: { workspace: { configuration: true } },
    initializationOptions: { trusted: true },
  });
  await connection.sendNotification(InitializedNotification.type, {});
  const versions = new Map<string, number>();

  const diagnosticsFor = (uri: string, version: number, timeoutMs = 10_000) =>
    new Promise<Diagnostic[]>((resolveP, reject) => {
      const deadline = setTimeout(() => reject(new Error(`no diagnostics for ${uri}@${version} in ${timeoutMs} ms; stderr: ${stderr}`)), timeoutMs);
      const check = () => {
        const hit = published.find((p) => p.uri === uri && p.version === version);
        if (hit) {
          clearTimeout(deadline);
          resolveP(hit.diagnostics);
        } else waiters.push(check);
      };
      check();
    });

  const waitForDiagnostics = (uri: string, ok: (d: Diagnostic[]) => boolean, timeoutMs = 20_000) =>
    new Promise<Diagnostic[]>((resolveP, reject) => {
      const deadline = setTimeout(() => reject(new Error(`no matching diagnostics for ${uri} in ${timeoutMs} ms; last: ${JSON.stringify(published.filter((p) => p.uri === uri).at(-1)?.diagnostics.map((d) => d.code))}; stderr: ${stderr}`)), timeoutMs);
      const check = () => {
        const hit = published.filter((p) => p.uri === uri).find((p) => ok(p.diagnostics));
        if (hit) {
          clearTimeout(deadline);
          resolveP(hit.diagnostics);
        } else waiters.push(check);
      };
      check();
    });

  return {
    connection,
    pid: child.pid!,
    diagnosticsFor,
    waitForDiagnostics,
    notifications: (method: string) => custom.get(method) ?? [],
    counts: (uri: string) => ({ published: published.filter((p) => p.uri === uri).length, configurationRequests }),
    async open(uri, text) {
      versions.set(uri, 1);
      await connection.sendNotification(DidOpenTextDocumentNotification.type, {
        textDocument: { uri, languageId: 'yaml', version: 1, text },
      });
      return diagnosticsFor(uri, 1);
    },
    async change(uri, text) {
      const version = (versions.get(uri) ?? 1) + 1;
      versions.set(uri, version);
      await connection.sendNotification(DidChangeTextDocumentNotification.type, {
        textDocument: { uri, version },
        contentChanges: [{ text }],
      });
      return diagnosticsFor(uri, version);
    },
    async close(uri) {
      await connection.sendNotification(DidCloseTextDocumentNotification.type, { textDocument: { uri } });
    },
    stderr: () => stderr,
    async stop() {
      try {
        await Promise.race([connection.sendRequest(ShutdownRequest.type), new Promise((r) => setTimeout(r, 2000))]);
        await connection.sendNotification(ExitNotification.type);
      } catch {
        // the process may already be gone
      }
      connection.dispose();
      if (child.exitCode === null) child.kill();
    },
  };
}
