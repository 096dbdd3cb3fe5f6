/**
 * Debug-level timings of the way from "the editor shows a file" to "its squiggles": when the client hands a
 * document's open or change to the server and when the server's diagnostics for it arrive, relative to each other
 * and to the start of activation. The server logs its side (analysis, offline and live publishes) on the same
 * channel. Shown with "Developer: Set Log Level..." > Pipeline RBAC > Debug; nothing is formatted otherwise.
 */
import { LogLevel, type LogOutputChannel, type Uri } from 'vscode';
import type { Middleware } from 'vscode-languageclient/node';

export class SquiggleTimings {
  /** When each document's latest open or change was handed to the server. */
  private readonly sentAt = new Map<string, { at: number; what: 'open' | 'change' }>();

  constructor(
    private readonly output: LogOutputChannel,
    private readonly activationStarted: number,
  ) {}

  private get on(): boolean {
    return this.output.logLevel !== LogLevel.Off && this.output.logLevel <= LogLevel.Debug;
  }

  private since(t: number): number {
    return Math.round(performance.now() - t);
  }

  /**
   * When activation began, as a time of day and in ms since the extension host's process started (its
   * performance.now() origin): VS Code's start-up before ours, next to the lines that follow.
   */
  activation(): void {
    if (!this.on) return;
    const at = new Date(performance.timeOrigin + this.activationStarted).toISOString();
    this.output.debug(`timing: activate() began at ${at}, ${Math.round(this.activationStarted)} ms after the extension host process started`);
  }

  private sent(uri: Uri, what: 'open' | 'change'): void {
    if (!this.on) return;
    this.sentAt.set(uri.toString(), { at: performance.now(), what });
    if (what === 'open') this.output.debug(`timing: didOpen of ${uri.toString()} sent ${this.since(this.activationStarted)} ms after activation began`);
  }

  private received(uri: Uri, count: number): void {
    if (!this.on) return;
    const last = this.sentAt.get(uri.toString());
    const after = last ? `${this.since(last.at)} ms after its ${last.what}, ` : '';
    this.output.debug(`timing: ${count} diagnostic(s) of ${uri.toString()} received ${after}${this.since(this.activationStarted)} ms after activation began`);
  }

  middleware(): Middleware {
    return {
      didOpen: (doc, next) => {
        this.sent(doc.uri, 'open');
        return next(doc);
      },
      didChange: (e, next) => {
        this.sent(e.document.uri, 'change');
        return next(e);
      },
      handleDiagnostics: (uri, diagnostics, next) => {
        this.received(uri, diagnostics.length);
        next(uri, diagnostics);
      },
    };
  }
}
