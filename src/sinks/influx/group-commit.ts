// Group commit: the writes of many callers that arrive within a short window go out as one
// request. Each caller's promise settles with the batch that carried its points.
import type { PointRecord, PointSink } from '../../model/point.ts';

export interface GroupCommitOptions {
  /** A batch is sent as soon as it holds this many points; default 5000. */
  maxPoints?: number;
  /** ...or when its first write has waited this long; default 50 ms. */
  maxDelayMs?: number;
}

interface PendingWrite {
  points: PointRecord[];
  resolve: () => void;
  reject: (err: unknown) => void;
}

export class GroupCommitSink implements PointSink {
  readonly kind: string;
  private pending: PendingWrite[] = [];
  private pendingPoints = 0;
  private timer: NodeJS.Timeout | null = null;
  private inFlight: Promise<void> | null = null;
  private closed = false;
  private readonly maxPoints: number;
  private readonly maxDelayMs: number;
  /** Requests sent to the inner sink (for tests and metrics). */
  batches = 0;

  constructor(
    readonly inner: PointSink,
    opts: GroupCommitOptions = {},
  ) {
    this.maxPoints = opts.maxPoints ?? 5000;
    this.maxDelayMs = opts.maxDelayMs ?? 50;
    this.kind = `group-commit(${(inner as { kind?: string }).kind ?? 'sink'})`;
  }

  write(points: PointRecord[]): Promise<void> {
    if (this.closed) return Promise.reject(new Error('GroupCommitSink: write after close'));
    if (points.length === 0) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      this.pending.push({ points, resolve, reject });
      this.pendingPoints += points.length;
      if (this.pendingPoints >= this.maxPoints) this.kick();
      else if (!this.timer && !this.inFlight) {
        this.timer = setTimeout(() => {
          this.timer = null;
          this.kick();
        }, this.maxDelayMs);
      }
    });
  }

  /** Sends what is pending now unless a batch is in flight (that one's end sends the rest). */
  private kick(): void {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = null;
    }
    if (this.inFlight || this.pending.length === 0) return;
    const batch = this.take();
    const points = batch.length === 1 ? batch[0].points : batch.flatMap((w) => w.points);
    this.batches++;
    this.inFlight = this.inner.write(points).then(
      () => batch.forEach((w) => w.resolve()),
      (err: unknown) => batch.forEach((w) => w.reject(err)),
    ).finally(() => {
      this.inFlight = null;
      // Writes that arrived meanwhile waited long enough: send them now.
      if (this.pending.length > 0) this.kick();
    });
  }

  /** Whole writes, up to maxPoints (a single larger write goes alone; the inner sink splits it). */
  private take(): PendingWrite[] {
    const out: PendingWrite[] = [];
    let n = 0;
    while (this.pending.length > 0) {
      const next = this.pending[0];
      if (out.length > 0 && n + next.points.length > this.maxPoints) break;
      out.push(this.pending.shift()!);
      n += next.points.length;
    }
    this.pendingPoints -= n;
    return out;
  }

  /** Sends everything pending and waits for it to land (or fail). */
  async flush(): Promise<void> {
    while (this.pending.length > 0 || this.inFlight) {
      this.kick();
      await this.inFlight?.catch(() => {});
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.flush();
    await this.inner.close();
  }
}
