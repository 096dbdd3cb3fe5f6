import {
  CodeActionKind,
  CodeActionTriggerKind,
  createConnection,
  ErrorCodes,
  ResponseError,
  DidChangeConfigurationNotification,
  ProposedFeatures,
  TextDocuments,
  TextDocumentSyncKind,
  type InitializeParams,
  type InitializeResult,
} from 'vscode-languageserver/node';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { LiveEnvironment } from '../core/live/liveEnvironment';
import { DryRunRequest, LiveStatusNotification, RefreshRequest, TrustNotification } from './messages';
import { analyzeText } from '../core/engine/analyze';
import { builtinCatalog } from '../core/engine/catalog/apiCatalog';
import { LineIndex } from '../core/engine/text/lineIndex';
import { codeActions } from './codeActions';
import { completions } from './completion';
import { ruleHover } from './hover';
import { DocumentState } from './documentState';
import { ManifestIndex } from './manifestIndex';
import { RepoConfigSource } from './repoConfigSource';
import { SettingsSource } from './settingsSource';
import { WorkspaceEnvironment } from './workspaceEnvironment';
import { WorkspaceRoles } from './workspaceRoles';
import { errorText } from '../core/engine/text/errorText';
import { Validator } from './validator';

const WARM_UP_ROLE = `apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: warm-up, namespace: default}
rules:
  - apiGroups: [""]
    resources: ["pods"]
    verbs: ["get"]
`;

/** Runs one small analysis; returns [start, end] in ms since the process started, for the debug timing line. */
function warmUp(): [number, number] {
  const started = performance.now();
  try {
    analyzeText(WARM_UP_ROLE, { catalog: builtinCatalog() });
  } catch {
    // only a warm-up: the real analysis reports any problem
  }
  return [started, performance.now()];
}

/** Wires the LSP connection to the handlers. Each handler is a thin adapter over the pure engine. */
export function startLanguageServer(): void {
  // performance.now() counts from the process's start: the bundle's evaluation is behind us here.
  const startup = { loaded: performance.now(), initialize: 0, warmUp: undefined as [number, number] | undefined };
  const connection = createConnection(ProposedFeatures.all);
  const documents = new TextDocuments(TextDocument);
  const state = new DocumentState();
  const repoConfig = new RepoConfigSource((m) => connection.console.warn(m));
  const settings = new SettingsSource(connection, repoConfig);
  const live = new LiveEnvironment((status) => void connection.sendNotification(LiveStatusNotification, status));
  const warn = (message: string) => connection.console.warn(message);
  const manifests = new ManifestIndex(warn);
  const roles = new WorkspaceRoles(warn);
  const env = new WorkspaceEnvironment(live, manifests, roles);
  const validator = new Validator(connection, documents, state, env, settings, (s, objects) => live.dryRun(s, objects));
  let dynamicConfig = false;

  connection.onInitialize((params: InitializeParams): InitializeResult => {
    startup.initialize = performance.now();
    const caps = params.capabilities;
    const init = (params.initializationOptions ?? {}) as { trusted?: boolean };
    settings.setCapabilities(caps.workspace?.configuration === true, init.trusted !== false);
    dynamicConfig = caps.workspace?.didChangeConfiguration?.dynamicRegistration === true;
    const folders = params.workspaceFolders?.map((f) => f.uri) ?? (params.rootUri ? [params.rootUri] : []);
    manifests.setWorkspaceFolders(folders);
    repoConfig.setWorkspaceFolders(folders);
    roles.setWorkspaceFolders(folders);
    return {
      capabilities: {
        textDocumentSync: { openClose: true, change: TextDocumentSyncKind.Incremental, save: { includeText: false } },
        codeActionProvider: { codeActionKinds: [CodeActionKind.QuickFix, CodeActionKind.RefactorRewrite] },
        hoverProvider: true,
        completionProvider: { triggerCharacters: ['"', "'", '[', ',', ' ', '-'] },
      },
      serverInfo: { name: 'pipeline-rbac' },
    };
  });

  connection.onInitialized(() => {
    connection.console.debug(startupTiming(startup));
    if (dynamicConfig) void connection.client.register(DidChangeConfigurationNotification.type, { section: 'pipelineRbac' });
  });

  connection.onDidChangeConfiguration(async () => {
    if (!(await settings.reload())) return;
    live.invalidate();
    validator.revalidateAll();
  });
  connection.onNotification(TrustNotification, ({ trusted }) => {
    settings.setTrusted(trusted);
    validator.revalidateAll();
  });
  connection.onRequest(DryRunRequest, async ({ uri }) => {
    try {
      return await validator.dryRun(uri);
    } catch (err) {
      throw new ResponseError(ErrorCodes.InternalError, errorText(err));
    }
  });
  connection.onRequest(RefreshRequest, () => {
    live.invalidate();
    validator.revalidateAll();
  });

  // Fired on open too: the first analysis of a document runs at once, later edits are debounced.
  documents.onDidChangeContent((e) => validator.schedule(e.document, !state.get(e.document.uri)));
  documents.onDidSave((e) => validator.saved(e.document));
  documents.onDidClose((e) => validator.close(e.document.uri));

  // The client watches YAML files (synchronize.fileEvents); any change may change what the manifests need.
  connection.onDidChangeWatchedFiles(() => {
    // .pipeline-rbac.yaml may be among them: settings are re-read with the config.
    settings.clear();
    manifests.invalidate();
    validator.charts.invalidateAll();
    roles.invalidate();
    validator.revalidateAll();
  });

  connection.onCodeAction(async (params) => {
    const s = await settings.get(params.textDocument.uri);
    // Text and analysis of one version: the current one, analysed now if its debounce is still pending.
    const current = await validator.analysisOf(params.textDocument.uri);
    const actions = current ? codeActions(current.doc, current.result, params, env.needed(s)) : [];
    connection.console.debug(
      `code actions at ${params.range.start.line + 1}:${params.range.start.character + 1} of ${params.textDocument.uri} v${current?.doc.version ?? '?'}: ${actions.length}` +
        ` (${params.context.diagnostics.length} diagnostic(s) in reach, only ${params.context.only?.join(',') ?? 'any'}, ${triggerKindName(params.context.triggerKind)})`,
    );
    return actions;
  });

  connection.onHover(async (params) => {
    const doc = documents.get(params.textDocument.uri);
    const result = doc && state.get(doc.uri);
    if (!doc || !result) return null;
    return ruleHover(result, doc.offsetAt(params.position), env.options(await settings.get(doc.uri)));
  });
  connection.onCompletion(async (params) => {
    const doc = documents.get(params.textDocument.uri);
    if (!doc) return [];
    const options = env.options(await settings.get(doc.uri));
    return completions(doc.getText(), doc.offsetAt(params.position), new LineIndex(doc.getText()), options.catalog);
  });

  documents.listen(connection);
  connection.listen();
  // The first analysis compiles the schema validators and loads the catalog; do it now, not when the user opens a file.
  setTimeout(() => (startup.warmUp = warmUp()), 0).unref();
}

/** The server's start at debug level, in ms since its process started (and that start as a time of day). */
function startupTiming(t: { loaded: number; initialize: number; warmUp: [number, number] | undefined }): string {
  const r = Math.round;
  const warm = t.warmUp ? `warm-up analysis ${r(t.warmUp[0])}-${r(t.warmUp[1])} ms` : 'warm-up not run yet';
  return `timing: server process started at ${new Date(performance.timeOrigin).toISOString()}: bundle loaded ${r(t.loaded)} ms, initialize received ${r(t.initialize)} ms, ${warm}, initialized ${r(performance.now())} ms after it`;
}

/** "invoked" (Ctrl+., the light bulb's menu) or "automatic" (VS Code asking on its own: cursor moved, markers changed). */
function triggerKindName(kind: CodeActionTriggerKind | undefined): string {
  return kind === CodeActionTriggerKind.Invoked ? 'invoked' : kind === CodeActionTriggerKind.Automatic ? 'automatic' : 'trigger unknown';
}
