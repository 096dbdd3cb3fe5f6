/**
 * Read-only documents the identity commands open (summaries with pipeline snippets, OIDC bundles, admin fixes):
 * in-memory text behind a `pipeline-rbac-identity:` URI, so nothing is written to disk and no token could be.
 */
import { EventEmitter, Uri, ViewColumn, commands, languages, window, workspace, type Disposable, type TextDocumentContentProvider } from 'vscode';

export const IDENTITY_DOC_SCHEME = 'pipeline-rbac-identity';

export class IdentityDocuments implements TextDocumentContentProvider, Disposable {
  private readonly texts = new Map<string, string>();
  private readonly changed = new EventEmitter<Uri>();
  readonly onDidChange = this.changed.event;
  private readonly registration = workspace.registerTextDocumentContentProvider(IDENTITY_DOC_SCHEME, this);

  provideTextDocumentContent(uri: Uri): string {
    return this.texts.get(uri.toString()) ?? '(This document is no longer available.)\n';
  }

  /**
   * Opens (or updates) the document at `path` with `text`; `language` e.g. markdown, yaml. Markdown (summaries,
   * admin fixes) is there to be read, so it opens as the rendered preview; its source is one click away.
   */
  async open(path: string, text: string, language: string, options: { preview?: boolean; beside?: boolean } = {}): Promise<void> {
    const uri = Uri.from({ scheme: IDENTITY_DOC_SCHEME, path });
    this.texts.set(uri.toString(), text);
    this.changed.fire(uri);
    let doc = await workspace.openTextDocument(uri);
    if (doc.languageId !== language) doc = await languages.setTextDocumentLanguage(doc, language);
    if (language === 'markdown') {
      await commands.executeCommand(options.beside ? 'markdown.showPreviewToSide' : 'markdown.showPreview', uri);
      return;
    }
    await window.showTextDocument(doc, { preview: options.preview ?? false, ...(options.beside ? { viewColumn: ViewColumn.Beside } : {}) });
  }

  dispose(): void {
    this.registration.dispose();
    this.changed.dispose();
  }
}
