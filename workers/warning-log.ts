// Per-file warnings in a worker's log: the first few of each kind, then one line saying the rest
// are counted in the run summary (`<out>/runs/<run>.json` lists them all). A corpus with the same
// problem in every file gives a handful of lines, not one per file.
import type { Logger } from '../src/log.ts';
import type { RunWarning } from '../src/model/run-warning.ts';

export const LOGGED_PER_KIND = 3;

export class WarningLog {
  private readonly seen = new Map<string, number>();

  constructor(private readonly log: Logger, private readonly perKind = LOGGED_PER_KIND) {}

  warn(w: RunWarning): void {
    const n = (this.seen.get(w.kind) ?? 0) + 1;
    this.seen.set(w.kind, n);
    if (n <= this.perKind) this.log.warn({ path: w.path }, w.message);
    else if (n === this.perKind + 1) this.log.warn({ kind: w.kind }, `more "${w.kind}" warnings: counted in the run summary, not logged`);
  }
}
