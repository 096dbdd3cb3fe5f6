/**
 * Offset <-> line/character conversion for a text (0-based lines, UTF-16 characters, as the LSP wants).
 * Line breaks are \n, \r\n and a lone \r (the LSP's definition).
 */

export interface Position {
  line: number;
  character: number;
}

export class LineIndex {
  /** Offset of the first character of every line, ascending; lineStarts[0] === 0. */
  private readonly lineStarts: number[];
  readonly length: number;

  constructor(readonly text: string) {
    this.length = text.length;
    const starts = [0];
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (c === 13 /* \r */) {
        if (text.charCodeAt(i + 1) === 10) i++;
        starts.push(i + 1);
      } else if (c === 10 /* \n */) {
        starts.push(i + 1);
      }
    }
    this.lineStarts = starts;
  }

  get lineCount(): number {
    return this.lineStarts.length;
  }

  /** The line containing `offset` (clamped to the text). */
  lineOf(offset: number): number {
    const o = clamp(offset, 0, this.length);
    const starts = this.lineStarts;
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >>> 1;
      if (starts[mid]! <= o) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }

  positionAt(offset: number): Position {
    const o = clamp(offset, 0, this.length);
    const line = this.lineOf(o);
    return { line, character: o - this.lineStarts[line]! };
  }

  /** Offset of a position; a character past the end of its line is clamped to the line end (before the break). */
  offsetAt(pos: Position): number {
    if (pos.line < 0) return 0;
    if (pos.line >= this.lineStarts.length) return this.length;
    const start = this.lineStarts[pos.line]!;
    return clamp(start + Math.max(0, pos.character), start, this.lineContentEnd(pos.line));
  }

  /** Offset of the first character of `line`. */
  lineStart(line: number): number {
    return this.lineStarts[clamp(line, 0, this.lineStarts.length - 1)]!;
  }

  /** Offset just past the last character of `line`, excluding the line break. */
  lineContentEnd(line: number): number {
    const l = clamp(line, 0, this.lineStarts.length - 1);
    let end = l + 1 < this.lineStarts.length ? this.lineStarts[l + 1]! : this.length;
    if (end > this.lineStarts[l]! && this.text.charCodeAt(end - 1) === 10) end--;
    if (end > this.lineStarts[l]! && this.text.charCodeAt(end - 1) === 13) end--;
    return end;
  }

  /** The text of `line` without its line break. */
  lineText(line: number): string {
    return this.text.slice(this.lineStart(line), this.lineContentEnd(line));
  }
}

function clamp(n: number, lo: number, hi: number): number {
  return n < lo ? lo : n > hi ? hi : n;
}
