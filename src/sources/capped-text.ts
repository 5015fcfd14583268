// Text that never grows past a bound: the head and a rolling tail are kept, the middle is counted,
// so a reply streamed over thousands of lines or a 1 GB tool output stays small in memory.
import { addCount, type Counts } from '../model/session.ts';

export function omittedMarker(n: number): string {
  return `\n[... ${n} chars omitted ...]\n`;
}

export class CappedText {
  private buf = '';
  private head = '';
  private tail = '';
  private omitted = 0;
  private readonly headLen: number;
  private readonly tailLen: number;

  constructor(private readonly max: number) {
    this.headLen = Math.floor(max / 2);
    this.tailLen = max - this.headLen;
  }

  get capped(): boolean {
    return this.omitted > 0;
  }

  get isEmpty(): boolean {
    return this.buf === '' && this.head === '';
  }

  /** Appends `s`, preceded by `sep` when something came before. */
  append(s: string, sep = ''): void {
    const piece = this.isEmpty ? s : sep + s;
    if (this.omitted === 0) {
      this.buf += piece;
      if (this.buf.length <= this.max) return;
      this.head = this.buf.slice(0, this.headLen);
      const rest = this.buf.slice(this.headLen);
      this.buf = '';
      this.tail = rest.slice(rest.length - this.tailLen);
      this.omitted = rest.length - this.tail.length;
      return;
    }
    this.tail += piece;
    if (this.tail.length > this.tailLen) {
      this.omitted += this.tail.length - this.tailLen;
      this.tail = this.tail.slice(this.tail.length - this.tailLen);
    }
  }

  /** Appends another capped text (preceded by `sep`), keeping the count of what it omitted. */
  appendCapped(t: CappedText, sep = ''): void {
    if (!t.capped) {
      this.append(t.buf, sep);
      return;
    }
    this.append(t.head, sep);
    this.skip(t.omitted);
    this.append(t.tail);
  }

  /** `n` chars were left out here: everything after the head up to now is omitted with them. */
  private skip(n: number): void {
    if (this.omitted === 0) {
      this.head = this.buf.slice(0, this.headLen);
      this.omitted = this.buf.length - this.head.length;
      this.buf = '';
      this.tail = '';
    } else {
      this.omitted += this.tail.length;
      this.tail = '';
    }
    this.omitted += n;
  }

  toString(): string {
    if (this.omitted === 0) return this.buf;
    let head = this.head;
    let tail = this.tail;
    let omitted = this.omitted;
    // Never leave half a surrogate pair at a cut.
    if (/[\uD800-\uDBFF]$/.test(head)) {
      head = head.slice(0, -1);
      omitted++;
    }
    if (/^[\uDC00-\uDFFF]/.test(tail)) {
      tail = tail.slice(1);
      omitted++;
    }
    return head + omittedMarker(omitted) + tail;
  }
}

/** Caps one string at `max` chars (head + marker + tail), counting `fields_capped`. */
export function capString(s: string, max: number, counts: Counts): string {
  if (s.length <= max) return s;
  const t = new CappedText(max);
  t.append(s);
  addCount(counts, 'fields_capped');
  return t.toString();
}

/** Caps every string inside a JSON value (tool inputs); returns `v` itself when nothing was long. */
export function capStrings(v: unknown, max: number, counts: Counts, depth = 0): unknown {
  if (typeof v === 'string') return capString(v, max, counts);
  if (v === null || typeof v !== 'object' || depth > 32) return v;
  if (Array.isArray(v)) {
    let changed = false;
    const out = v.map((x) => {
      const y = capStrings(x, max, counts, depth + 1);
      if (y !== x) changed = true;
      return y;
    });
    return changed ? out : v;
  }
  let out: Record<string, unknown> | null = null;
  for (const [k, x] of Object.entries(v as Record<string, unknown>)) {
    const y = capStrings(x, max, counts, depth + 1);
    if (y !== x) {
      out ??= { ...(v as Record<string, unknown>) };
      out[k] = y;
    }
  }
  return out ?? v;
}
