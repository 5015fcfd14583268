// What every part of the pi reader shares for one file: its counts, its warnings (a few per kind,
// the rest summed), and the text caps that bound memory on huge files.
import { addCount, type Counts } from '../../model/session.ts';

const WARNINGS_PER_KIND = 3;

/** A copy of the first `max` chars that does not pin the original string (V8 slices do). */
function cut(s: string, max: number): string {
  let end = max;
  const c = s.charCodeAt(end - 1);
  if (c >= 0xd800 && c <= 0xdbff) end--; // never split a surrogate pair
  return Buffer.from(s.slice(0, end), 'utf8').toString('utf8');
}

export class PiContext {
  readonly counts: Counts = {};
  readonly warnings: string[] = [];
  private readonly warned: Record<string, number> = {};

  constructor(
    readonly path: string,
    readonly maxField: number,
  ) {}

  count(key: string, n = 1): void {
    addCount(this.counts, key, n);
  }

  /** One warning per kind up to a few; the rest are summed in `summarizeWarnings`. */
  warn(kind: string, line: number | undefined, msg: string): void {
    const n = (this.warned[kind] = (this.warned[kind] ?? 0) + 1);
    if (n <= WARNINGS_PER_KIND) this.warnings.push(`${this.path}${line ? `:${line}` : ''}: ${msg}`);
  }

  capText(s: string): string {
    if (s.length <= this.maxField) return s;
    this.count('fields_capped');
    return `${cut(s, this.maxField)}\n[truncated ${s.length - this.maxField} chars]`;
  }

  /** Tool arguments: every string inside capped, the shape kept. */
  capValue(v: unknown, depth = 0): unknown {
    if (typeof v === 'string') return this.capText(v);
    if (depth > 64 || v === null || typeof v !== 'object') return v;
    if (Array.isArray(v)) return v.map((x) => this.capValue(x, depth + 1));
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) out[k] = this.capValue(x, depth + 1);
    return out;
  }

  summarizeWarnings(): void {
    for (const [kind, n] of Object.entries(this.warned)) {
      if (n > WARNINGS_PER_KIND) this.warnings.push(`${this.path}: ${n - WARNINGS_PER_KIND} more "${kind}" warnings`);
    }
    const bad = ['malformed_json', 'invalid_utf8', 'oversize_line', 'truncated_last_line'];
    for (const k of bad) {
      if (this.counts[k]) this.warnings.push(`${this.path}: ${this.counts[k]} line(s) skipped (${k})`);
    }
  }
}
