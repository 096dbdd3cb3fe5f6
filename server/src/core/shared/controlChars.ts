/**
 * Escaping for human-readable output. YAML values, file names and cluster text (annotations, rule strings) may hold
 * control characters: a terminal obeys ESC sequences and CR (rewriting what the user sees), and a LF lets a value start
 * its own line in a CI log, where `::error::`-style workflow commands are read. Text output shows them as escapes.
 * JSON and SARIF need none of this: their encoding escapes control characters already.
 */

/**
 * C0 controls, DEL, C1 controls (U+009B is a one-byte CSI on some terminals), the line and paragraph separators, and
 * the bidirectional formatting characters (they reorder what the reader sees: "trojan source").
 */
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

const NAMED: Readonly<Record<string, string>> = { '\n': '\\n', '\r': '\\r', '\t': '\\t', '\u001b': '\\e' };

function escapeOne(c: string): string {
  const named = NAMED[c];
  if (named) return named;
  const code = c.charCodeAt(0);
  return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
}

/** One value on one line: every control character (LF included) as a visible escape. */
export function escapeControl(text: string): string {
  return text.replace(CONTROL, escapeOne);
}

/** Text whose line breaks are intended (a report we built): keeps LF, escapes everything else. */
export function escapeLines(text: string): string {
  return text.split('\n').map(escapeControl).join('\n');
}

/**
 * A copy of plain data (objects, arrays) with every string passed through escapeControl, for renderers that
 * interpolate values from the cluster or files into lines. Anything not plain data is returned as it is.
 */
export function escapeStrings<T>(value: T): T {
  return escapeDeep(value, 0) as T;
}

function escapeDeep(value: unknown, depth: number): unknown {
  if (typeof value === 'string') return escapeControl(value);
  if (depth > 64 || value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((v) => escapeDeep(v, depth + 1));
  const proto = Object.getPrototypeOf(value) as unknown;
  if (proto !== Object.prototype && proto !== null) return value;
  // fromEntries defines properties, so a "__proto__" key stays a key.
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, escapeDeep(v, depth + 1)]));
}
