/**
 * The cold window's timeline for the editor bench's debug run, each step as VS Code or the extension itself recorded
 * it, in ms relative to the editor showing the file: the workbench's own marks (performance marks in the page), the
 * remote extension host's marks (VS Code's "Developer: Startup Performance" view: process start, connect, init data,
 * configuration, ready, load and activate per extension), the extension's debug timing lines (which carry the time of
 * day; the log file's own timestamps are when a buffered line was written, up to a second late at start-up), and the
 * bench's own "shown" and "first squiggle". Measured, never asserted.
 */
import type { Workbench } from '../test/e2e/support/workbench';

const PAGE_MARKS = /^code\/(willCreateSocket\/ExtensionHost|didCreateSocketOK\/ExtensionHost|willHandleExtensionPoints|didLoadExtensions)$/;
const HOST_MARKS = /^code\/(timeOrigin|fork\/start|extHost\/(willConnectToRenderer|didWaitForInitData|didWaitForConfig|ready|(will|did)LoadExtensionCode\/pipeline-rbac|(will|did)ActivateExtension\/(pipeline-rbac|vscode\.git$|vscode\.github)))/;

export interface TimelineEntry {
  at: number;
  what: string;
}

/** VS Code's marks from the page (the workbench) and from the Startup Performance view (the extension host). */
export async function vsCodeMarks(wb: Workbench): Promise<TimelineEntry[]> {
  const page = await wb.page.evaluate(() =>
    (performance.getEntriesByType('mark') as { name: string; startTime: number }[]).map((m) => ({ what: m.name, at: performance.timeOrigin + m.startTime })),
  );
  await wb.runCommand('Developer: Startup Performance');
  const text = await wb.editorText();
  const host = text.split('## Raw Perf Marks: remoteExtHost')[1]?.split('## ')[0] ?? '';
  const hostMarks: TimelineEntry[] = [];
  for (const line of host.split('\n')) {
    const [name, stamp] = line.split('\t');
    if (name && stamp && HOST_MARKS.test(name) && /^\d+(\.\d+)?$/.test(stamp)) hostMarks.push({ what: `extension host ${name.replace(/^code\//, '')}`, at: Number(stamp) });
  }
  return [...page.filter((m) => PAGE_MARKS.test(m.what)).map((m) => ({ ...m, what: `workbench ${m.what.replace(/^code\//, '')}` })), ...hostMarks];
}

/**
 * The extension's debug timing lines placed in time: the client's "activate() began at <ISO>" and the server's
 * "server process started at <ISO>: ... N ms" anchor the lines with relative figures.
 */
export function extensionMarks(channel: string): TimelineEntry[] {
  const out: TimelineEntry[] = [];
  const activation = /activate\(\) began at (\S+), /.exec(channel);
  const activatedAt = activation ? Date.parse(activation[1]!) : undefined;
  if (activatedAt !== undefined) out.push({ at: activatedAt, what: 'activate() began' });
  const server = /server process started at (\S+): bundle loaded (\d+) ms, initialize received (\d+) ms, (?:warm-up analysis (\d+)-(\d+) ms|warm-up not run yet), initialized (\d+) ms/.exec(channel);
  if (server) {
    const t0 = Date.parse(server[1]!.replace(/:$/, ''));
    out.push({ at: t0, what: 'server process started' }, { at: t0 + Number(server[2]), what: 'server bundle loaded' }, { at: t0 + Number(server[3]), what: 'server got initialize' });
    if (server[4]) out.push({ at: t0 + Number(server[4]), what: 'server warm-up began' }, { at: t0 + Number(server[5]), what: 'server warm-up done' });
    out.push({ at: t0 + Number(server[6]), what: 'server got initialized' });
  }
  if (activatedAt === undefined) return out;
  // Client lines: "... N ms after activation began" (the first didOpen, the first diagnostics received).
  const firstOf = (re: RegExp, what: string) => {
    const m = re.exec(channel);
    if (m) out.push({ at: activatedAt + Number(m[1]), what });
  };
  firstOf(/language server initialized (\d+) ms after activation began/, 'client: language server initialized');
  firstOf(/didOpen of \S+ sent (\d+) ms after activation began/, 'client: didOpen sent');
  firstOf(/diagnostic\(s\) of \S+ received \d+ ms after its open, (\d+) ms after activation began/, 'client: first diagnostics received');
  return out;
}

/** The timeline as lines "+1234 ms  what", relative to `zero` (the editor showing the file), in order. */
export function formatTimeline(entries: TimelineEntry[], zero: number): string[] {
  return [...entries].sort((a, b) => a.at - b.at).map((e) => `${String(Math.round(e.at - zero)).padStart(6)} ms  ${e.what}`);
}
