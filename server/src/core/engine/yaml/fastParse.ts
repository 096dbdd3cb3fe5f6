/**
 * A fast path for the YAML that RBAC files are nearly always written in: block mappings and sequences, one-line plain
 * and quoted scalars, one-line flow sequences, `{}`, comments. For such a document it gives exactly what the `yaml`
 * package gives through NodeConverter (values, value spans, key spans, including where that package ends a node when
 * comments follow it), about ten times faster; a differential test holds it to that. Anything else (anchors, aliases,
 * tags, block scalars, multi-line scalars, flow mappings, escapes, tabs, CR, duplicate keys, odd indentation...) makes
 * it give up (undefined), and the caller uses the full parser.
 */
import type { Span } from '../model';
import { escapePointerToken, type Converted } from './convert';
import { giveUp, resolvePlain, Unsupported } from './fastScalars';

const MAX_DEPTH = 100;
/** The yaml package rejects implicit keys over 1024 characters; leave anything near that to it. */
const MAX_KEY_LENGTH = 1000;
/** A plain key followed by `:` and a space or the line end. */
const PLAIN_KEY = /[A-Za-z0-9_/][A-Za-z0-9_./-]*(?=:(?: |\n|$))/y;
const DOUBLE_KEY = /"([^"\\\n]*)"(?=:(?: |\n|$))/y;
const SINGLE_KEY = /'((?:[^'\n]|'')*)'(?=:(?: |\n|$))/y;

const PENDING: Span = { start: 0, end: 0 };
const SPACE = 32;
const NL = 10;
const HASH = 35;

/** The document's root as NodeConverter would convert it; `undefined` for an empty document. */
export interface FastDocument {
  root: Converted | undefined;
}

/**
 * Parses the YAML document in `text` from `from` to `to` (it may start with `---`; spans are offsets in `text`), or
 * returns undefined when it is not in the subset.
 */
export function fastParseDocument(text: string, from = 0, to = text.length): FastDocument | undefined {
  if (/[\t\r\ufeff]/.test(from === 0 && to === text.length ? text : text.slice(from, to))) return undefined;
  try {
    return new BlockParser(text, from, to).document();
  } catch (e) {
    if (e instanceof Unsupported) return undefined;
    throw e;
  }
}

interface Parsed {
  value: unknown;
  /** The yaml package's range[2]: where the node ends with the comments it owns. */
  nodeEnd: number;
  /** Start of the line after the node's last line (where the next sibling can begin). */
  next: number;
}

class BlockParser {
  private readonly t: string;
  private readonly len: number;
  private readonly out: Converted = { value: undefined, pointerSpans: new Map(), keySpans: new Map() };

  /** `to` is the end of the document: the end of the text or the start of the line holding the next `---`. */
  constructor(
    text: string,
    private readonly from: number,
    to: number,
  ) {
    this.t = text;
    this.len = to;
  }

  document(): FastDocument {
    let ls = this.from;
    if (this.t.startsWith('---', ls)) {
      const after = this.skipSpaces(ls + 3);
      if (after < this.len && this.t.charCodeAt(after) !== NL && !(this.t.charCodeAt(after) === HASH && after > ls + 3)) giveUp();
      ls = this.lineAfter(after);
    }
    const first = this.nextContent(ls);
    if (first >= this.len) return { root: undefined };
    const col = this.indentOf(first);
    const at = first + col;
    if (this.keyAt(at) === undefined) giveUp(); // a root sequence or scalar holds no RBAC object
    const root = this.map(at, col, '', 0);
    if (this.nextContent(root.next) < this.len) giveUp();
    this.out.value = root.value;
    return { root: this.out };
  }

  /** A block mapping whose first key is at `keyPos`, its keys in column `col`. */
  private map(keyPos: number, col: number, ptr: string, depth: number): Parsed {
    if (depth > MAX_DEPTH) giveUp();
    const obj: Record<string, unknown> = {};
    this.out.pointerSpans.set(ptr, PENDING); // parents before children, as NodeConverter records them
    let pos = keyPos;
    let last: Parsed;
    for (;;) {
      const key = this.keyAt(pos) ?? giveUp();
      if (key.value === '__proto__' || Object.prototype.hasOwnProperty.call(obj, key.value)) giveUp();
      const childPtr = `${ptr}/${escapePointerToken(key.value)}`;
      this.out.keySpans.set(childPtr, { start: pos, end: key.end });
      last = this.value(key.end + 1, col, childPtr, depth + 1);
      obj[key.value] = last.value;
      const ls = this.nextContent(last.next);
      if (ls >= this.len) break;
      const c = this.indentOf(ls);
      if (c < col) break;
      if (c > col || this.isDash(ls + c)) giveUp();
      pos = ls + c;
    }
    return this.collection(obj, keyPos, last, col, ptr);
  }

  /** A block sequence whose dashes are in column `col`, the first on the line starting at `ls`. */
  private seq(ls: number, col: number, ptr: string, depth: number): Parsed {
    if (depth > MAX_DEPTH) giveUp();
    const arr: unknown[] = [];
    this.out.pointerSpans.set(ptr, PENDING);
    const start = ls + col;
    let line = ls;
    let last: Parsed;
    for (;;) {
      const dash = line + col;
      if (this.t.charCodeAt(dash + 1) !== SPACE) giveUp(); // `-` alone on its line
      const at = this.skipSpaces(dash + 1);
      const c = this.t.charCodeAt(at);
      if (at >= this.len || c === NL || c === HASH || this.isDash(at)) giveUp();
      const itemPtr = `${ptr}/${arr.length}`;
      last = this.keyAt(at) !== undefined ? this.map(at, at - line, itemPtr, depth + 1) : this.inline(at, col, itemPtr);
      arr.push(last.value);
      const nextLine = this.nextContent(last.next);
      if (nextLine >= this.len) break;
      const nc = this.indentOf(nextLine);
      // A line in the same column that is not an item ends a sequence written in its mapping's column.
      if (nc < col || (nc === col && !this.isDash(nextLine + nc))) break;
      if (nc > col) giveUp();
      line = nextLine;
    }
    return this.collection(arr, start, last, col, ptr);
  }

  /**
   * Records a block collection's span: it ends where its last entry's node ends; then come the comments it keeps.
   */
  private collection(value: unknown, start: number, last: Parsed, col: number, ptr: string): Parsed {
    this.out.pointerSpans.set(ptr, { start, end: this.trimEnd(start, last.nodeEnd) });
    const owned = this.pendingComments(this.lineAtOrAfter(last.nodeEnd), col);
    return { value, nodeEnd: owned >= 0 ? owned : last.nodeEnd, next: last.next };
  }

  /** The value after `key:` (at `pos`, right after the colon) of an entry in a mapping at column `col`. */
  private value(pos: number, col: number, ptr: string, depth: number): Parsed {
    const at = this.skipSpaces(pos);
    const c = at < this.len ? this.t.charCodeAt(at) : NL;
    if (c !== NL && c !== HASH) return this.inline(at, col, ptr);
    // Nothing on the line: a nested block, a compact sequence in the same column, or null.
    const next = this.lineAfter(at);
    const ls = this.nextContent(next);
    if (ls < this.len) {
      const nc = this.indentOf(ls);
      if (nc > col) {
        if (this.isDash(ls + nc)) return this.seq(ls, nc, ptr, depth);
        if (this.keyAt(ls + nc) !== undefined) return this.map(ls + nc, nc, ptr, depth);
        giveUp(); // a scalar on the following lines
      }
      if (nc === col && this.isDash(ls + nc)) return this.seq(ls, nc, ptr, depth);
    }
    this.out.pointerSpans.set(ptr, { start: at, end: at });
    // An empty value owns every comment up to the next content line, whatever its indent, up to its last character.
    let nodeEnd = c === HASH ? this.lineEnd(at) : at;
    for (let l = next; l < this.len; ) {
      const i = this.skipSpaces(l);
      if (i < this.len && this.t.charCodeAt(i) === HASH) nodeEnd = this.lineEnd(i);
      else if (i >= this.len || this.t.charCodeAt(i) !== NL) break;
      l = this.lineAfter(i);
    }
    return { value: null, nodeEnd, next };
  }

  /** A scalar or flow collection that starts at `at` and ends on the same line; `col` is its parent's column. */
  private inline(at: number, col: number, ptr: string): Parsed {
    const c = this.t.charCodeAt(at);
    const plain = c !== 0x5b && c !== 0x7b && c !== 0x22 && c !== 0x27; // not [, {, " or '
    let value: unknown;
    let end: number;
    if (plain) [value, end] = this.plain(at);
    else if (c === 0x5b) [value, end] = this.flowSeq(at, ptr);
    else if (c === 0x7b) {
      if (this.t.charCodeAt(at + 1) !== 0x7d) giveUp();
      [value, end] = [{}, at + 2];
    } else [value, end] = this.quoted(at);
    if (!plain) {
      // After a closing bracket or quote: spaces, then a comment or the line end (a plain scalar stops at either).
      const after = this.skipSpaces(end);
      const a = this.t.charCodeAt(after);
      if (after < this.len && a !== NL && !(a === HASH && after > end)) giveUp();
    }
    this.out.pointerSpans.set(ptr, { start: at, end });
    const next = this.lineAfter(end);
    // A deeper line after a one-line value would continue it (or be an error): not ours.
    const ls = this.nextContent(next);
    if (ls < this.len && this.indentOf(ls) > col) giveUp();
    const owned = this.ownedComments(next, col);
    return { value, nodeEnd: owned >= 0 ? owned : next, next };
  }

  private flowSeq(open: number, ptr: string): [unknown[], number] {
    const arr: unknown[] = [];
    let i = this.skipSpaces(open + 1);
    if (this.t.charCodeAt(i) === 0x5d) return [arr, i + 1];
    for (;;) {
      const c = this.t.charCodeAt(i);
      let value: unknown;
      let end: number;
      if (c === 0x22 || c === 0x27) [value, end] = this.quoted(i);
      else {
        let e = i;
        while (e < this.len) {
          const x = this.t.charCodeAt(e);
          if (x === 0x2c || x === 0x5d || x === NL) break;
          e++;
        }
        while (e > i && this.t.charCodeAt(e - 1) === SPACE) e--;
        const text = this.t.slice(i, e);
        if (text.length === 0 || /[:#[\]{}]/.test(text) || !/[A-Za-z0-9/]/.test(text[0]!)) giveUp();
        value = resolvePlain(text);
        end = e;
      }
      this.out.pointerSpans.set(`${ptr}/${arr.length}`, { start: i, end });
      arr.push(value);
      i = this.skipSpaces(end);
      const sep = this.t.charCodeAt(i);
      if (sep === 0x5d) return [arr, i + 1];
      if (sep !== 0x2c) giveUp();
      i = this.skipSpaces(i + 1);
      if (this.t.charCodeAt(i) === 0x5d) giveUp(); // trailing comma
    }
  }

  /** A one-line quoted scalar at `at`: [value, end after the closing quote]. */
  private quoted(at: number): [string, number] {
    const q = this.t.charCodeAt(at);
    if (q === 0x22) {
      const close = this.t.indexOf('"', at + 1);
      if (close < 0 || close >= this.len) giveUp();
      const body = this.t.slice(at + 1, close);
      if (body.includes('\\') || body.includes('\n')) giveUp();
      return [body, close + 1];
    }
    let i = at + 1;
    let s = '';
    for (;;) {
      const close = this.t.indexOf("'", i);
      if (close < 0 || close >= this.len) giveUp();
      s += this.t.slice(i, close);
      if (this.t.charCodeAt(close + 1) !== 0x27) {
        if (s.includes('\n')) giveUp();
        return [s, close + 1];
      }
      s += "'";
      i = close + 2;
    }
  }

  /** A one-line plain scalar in block context at `at`: [value, end of its text]. */
  private plain(at: number): [unknown, number] {
    if (!/[A-Za-z0-9/]/.test(this.t[at]!)) giveUp();
    let eol = this.t.indexOf('\n', at);
    if (eol < 0 || eol > this.len) eol = this.len;
    let e = at;
    // Up to a comment (` #`) or the line end; a `: ` inside would make it a key (or an error).
    while (e < eol) {
      const x = this.t.charCodeAt(e);
      if (x === HASH && this.t.charCodeAt(e - 1) === SPACE) break;
      if (x === 0x3a && (e + 1 === eol || this.t.charCodeAt(e + 1) === SPACE)) giveUp();
      e++;
    }
    while (e > at && this.t.charCodeAt(e - 1) === SPACE) e--;
    return [resolvePlain(this.t.slice(at, e)), e];
  }

  /** The key of a mapping entry at `at` (with the colon at `end`), if the line starts one there. */
  private keyAt(at: number): { value: string; end: number } | undefined {
    const c = this.t.charCodeAt(at);
    const re = c === 0x22 ? DOUBLE_KEY : c === 0x27 ? SINGLE_KEY : PLAIN_KEY;
    re.lastIndex = at;
    const m = re.exec(this.t);
    if (!m) return undefined;
    const end = at + m[0].length;
    if (m[0].length > MAX_KEY_LENGTH) giveUp();
    if (c === 0x22) return { value: m[1]!, end };
    if (c === 0x27) return { value: m[1]!.replace(/''/g, "'"), end };
    const v = resolvePlain(m[0]);
    if (typeof v !== 'string') giveUp(); // `yes:`, `1:` keys: leave the stringification to the full parser
    return { value: v, end };
  }

  /**
   * The end of the comment lines that a one-line value ending before line `from` owns (the yaml package's parser
   * appends them to the value): those indented more than its parent's column `col`, up to the first that is not; -1
   * if none.
   */
  private ownedComments(from: number, col: number): number {
    let ls = from;
    let last = -1;
    while (ls < this.len) {
      const i = this.skipSpaces(ls);
      if (i >= this.len) break;
      const c = this.t.charCodeAt(i);
      if (c === NL) {
        ls = i + 1;
        continue;
      }
      if (c !== HASH || i - ls <= col) break;
      last = ls = this.lineAfter(i);
    }
    return last;
  }

  /**
   * The end of the comment lines pending after a block collection's last entry (from line `from` to the next content)
   * if they stay in the collection, else -1. The parser keeps them as an unfinished item and, when the collection
   * ends, hands them to the parent if every one is indented less than the collection, or if it is in column 0.
   */
  private pendingComments(from: number, col: number): number {
    if (col === 0) return -1;
    let stays = false;
    let ls = from;
    while (ls < this.len) {
      const i = this.skipSpaces(ls);
      if (i >= this.len) return stays ? this.len : -1;
      const c = this.t.charCodeAt(i);
      if (c !== NL && c !== HASH) break;
      if (c === HASH && i - ls >= col) stays = true;
      ls = this.lineAfter(i);
    }
    return stays ? ls : -1;
  }

  /** Start of the next line that holds content (not blank, not only a comment) at or after line start `ls`. */
  private nextContent(ls: number): number {
    while (ls < this.len) {
      const i = this.skipSpaces(ls);
      if (i >= this.len) return this.len;
      const c = this.t.charCodeAt(i);
      if (c !== NL && c !== HASH) return ls;
      ls = this.lineAfter(i);
    }
    return this.len;
  }

  private isDash(at: number): boolean {
    if (this.t.charCodeAt(at) !== 0x2d) return false;
    const n = this.t.charCodeAt(at + 1);
    return at + 1 >= this.len || n === SPACE || n === NL;
  }

  private indentOf(ls: number): number {
    return this.skipSpaces(ls) - ls;
  }

  private skipSpaces(i: number): number {
    while (i < this.len && this.t.charCodeAt(i) === SPACE) i++;
    return i;
  }

  /** Start of the line after the one holding `i`. */
  private lineAfter(i: number): number {
    const nl = this.t.indexOf('\n', i);
    return nl < 0 || nl >= this.len ? this.len : nl + 1;
  }

  /** The position of the line break ending the line that holds `i` (or the end of the text). */
  private lineEnd(i: number): number {
    const nl = this.t.indexOf('\n', i);
    return nl < 0 || nl >= this.len ? this.len : nl;
  }

  /** `i` if it starts a line, else the start of the next line. */
  private lineAtOrAfter(i: number): number {
    return i === this.from || this.t.charCodeAt(i - 1) === NL ? i : this.lineAfter(i);
  }

  private trimEnd(start: number, end: number): number {
    let e = Math.min(end, this.len);
    while (e > start) {
      const c = this.t.charCodeAt(e - 1);
      if (c !== SPACE && c !== NL) break;
      e--;
    }
    return e;
  }
}
