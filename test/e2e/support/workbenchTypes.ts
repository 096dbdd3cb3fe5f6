// What the e2e tests see of the VS Code workbench (implemented by workbench.ts) and the shapes it reads.
import type { Browser, Page } from 'playwright-core';
import type { CodeServer } from './codeServer';

export type Severity = 'error' | 'warning' | 'info' | 'hint';

export interface ProblemRow {
  /** Path of the file the marker belongs to, as the Problems panel labels it. */
  resource: string;
  /** Hints are not listed in the Problems panel. */
  severity: Exclude<Severity, 'hint'> | 'unknown';
  message: string;
  /** The source shown after the message, e.g. "pipeline-rbac". */
  source: string;
  /** The diagnostic code as shown, e.g. "unknownProperties" (a rule id for pipeline-rbac). */
  code: string;
  /** 1-based position from the "[Ln 3, Col 5]" label. */
  line: number;
  column: number;
  /** The whole row text as displayed. */
  text: string;
}

export interface OpenWorkbenchOptions {
  /** Adds the code-server log tail to failures and reads its logs. */
  server?: CodeServer;
  viewport?: { width: number; height: number };
  /** Deadline for the workbench to appear (default 90 s). */
  timeoutMs?: number;
}

export interface Workbench {
  page: Page;
  browser: Browser;
  /** Milliseconds from navigation to a visible .monaco-workbench. */
  loadMs: number;
  /** Runs the command palette entry with exactly this title, e.g. "Pipeline RBAC: Create Pipeline Identity...". */
  runCommand(title: string): Promise<void>;
  /** Opens a workspace file by its path relative to the folder (Quick Open) and waits for its editor. */
  openFile(relPath: string): Promise<void>;
  /** Opens the Problems panel and reads its marker rows (the visible ones). */
  problems(): Promise<ProblemRow[]>;
  /** Waits until `predicate(problems)` holds and returns the rows. */
  waitForProblems(predicate: (rows: ProblemRow[]) => boolean, timeoutMs?: number): Promise<ProblemRow[]>;
  /** Waits for at least one squiggle (of the given severity) in the active editor; returns their count. */
  waitForSquiggle(options?: { severity?: Severity; timeoutMs?: number }): Promise<number>;
  /** Moves the cursor to a 1-based position in the active editor, shows the hover and returns its text. */
  hoverAt(position: { line: number; column: number }): Promise<string>;
  /** Moves the cursor to a 1-based position in the active editor (Go to Line/Column). */
  goTo(position: { line: number; column: number }): Promise<void>;
  /** Titles of the code actions (Ctrl+.) offered at a 1-based position; closes the menu again. */
  codeActions(position: { line: number; column: number }): Promise<string[]>;
  /** Applies the code action whose title equals (else starts with) `title` at a 1-based position. */
  quickFix(position: { line: number; column: number }, title: string): Promise<void>;
  /** Saves the active editor (Ctrl+S) and waits until it is no longer dirty. */
  save(): Promise<void>;
  /** Text of the active editor, unsaved edits included (through the clipboard; moves the cursor to the end). */
  editorText(): Promise<string>;
  /**
   * The rendered Markdown preview whose text matches `match`: the active tab's title (VS Code names it
   * "Preview <file>") and the text of the rendered page, read from the preview's webview frame.
   */
  markdownPreview(match: RegExp, timeoutMs?: number): Promise<{ tab: string; text: string }>;
  /** Names of the output channels ("Output: Show Output Channels..." lists them). */
  outputChannels(): Promise<string[]>;
  /** Extensions listed in the Extensions view (installed ones when its search box is empty). */
  extensionsView(): Promise<ExtensionListItem[]>;
  /** Rows of the "Developer: Show Running Extensions" editor (activated extensions, activation times). */
  runningExtensions(): Promise<RunningExtension[]>;
  /** Texts of the visible notification toasts. */
  notifications(): Promise<string[]>;
  /** Texts (and tooltips) of the status bar items. */
  statusBarItems(): Promise<{ text: string; tooltip: string }[]>;
  /** The open quick input (command palette follow-ups, QuickPick steps). */
  quickInput: QuickInput;
  /** Saves .e2e/screenshots/<name>.png and returns its path. */
  screenshot(name: string): Promise<string>;
  /** Browser console errors seen so far. */
  consoleErrors(): string[];
  close(): Promise<void>;
}

export interface ExtensionListItem {
  id: string;
  name: string;
  description: string;
  /** Activation time shown next to the name once activated ("4ms"), else ''. */
  activationTime: string;
}

export interface RunningExtension {
  name: string;
  version: string;
  /** As displayed, e.g. "Activation: 4ms" or "Startup Activation: 363ms". */
  activation: string;
  activationMs: number | undefined;
}

export interface QuickInput {
  /** Waits for the quick input to be visible; returns its title (or ''). */
  waitOpen(timeoutMs?: number): Promise<string>;
  /** Labels of the listed items. */
  items(): Promise<string[]>;
  /** Picks the item whose label equals `label` (else starts with it), waiting for it to be listed. */
  select(label: string, timeoutMs?: number): Promise<void>;
  /** Replaces the input's text and, by default, presses Enter. */
  type(text: string, submit?: boolean): Promise<void>;
  /** Waits for the quick input to close. */
  waitClosed(timeoutMs?: number): Promise<void>;
}

/** The few browser globals our page callbacks use (the test tsconfig has no DOM lib). */
export interface BrowserGlobals {
  navigator: { clipboard: { readText(): Promise<string>; writeText(text: string): Promise<void> } };
}
