// One source-position type for the whole toolchain: policy files and SQL files alike.
// Lines and columns are 1-based; columns count UTF-16 code units of the line
// (what editors and GitHub annotations show for BMP text); offsets are 0-based
// UTF-16 offsets into the file text; `end` is exclusive.

export interface Position {
  line: number;
  column: number;
  offset: number;
}

export interface Span {
  file: string;
  start: Position;
  end: Position;
}

/** Index of line starts, built once per file, for offset → line/column. */
export class LineIndex {
  private readonly starts: number[] = [0];

  constructor(readonly text: string) {
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (c === 10) this.starts.push(i + 1);
      else if (c === 13 && text.charCodeAt(i + 1) !== 10) this.starts.push(i + 1);
    }
  }

  position(offset: number): Position {
    const o = Math.max(0, Math.min(offset, this.text.length));
    let lo = 0;
    let hi = this.starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.starts[mid]! <= o) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo + 1, column: o - this.starts[lo]! + 1, offset: o };
  }

  span(file: string, startOffset: number, endOffset: number): Span {
    return { file, start: this.position(startOffset), end: this.position(endOffset) };
  }

  /** The text of 1-based line `line`, without its line terminator. */
  lineText(line: number): string {
    const start = this.starts[line - 1];
    if (start === undefined) return "";
    const next = this.starts[line];
    let end = next === undefined ? this.text.length : next;
    while (end > start && (this.text.charCodeAt(end - 1) === 10 || this.text.charCodeAt(end - 1) === 13)) end--;
    return this.text.slice(start, end);
  }

  get lineCount(): number {
    return this.starts.length;
  }
}

export function spanToString(span: Span): string {
  return `${span.file}:${span.start.line}:${span.start.column}`;
}
