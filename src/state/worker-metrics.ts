// Job counters, durations and output totals of every worker process, summed in Redis (one hash per
// queue), so `/metrics` and `harvest status` see the whole fleet whichever process serves them.
import type { Redis } from 'ioredis';

/** Upper bounds (seconds) of the job duration histogram; a last bucket holds the rest. */
export const JOB_DURATION_BUCKETS = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 900];

export type JobOutcome = 'completed' | 'failed';

export interface DurationHistogram {
  /** Observations per bucket (not cumulative), one more than JOB_DURATION_BUCKETS (the +Inf rest). */
  buckets: number[];
  sum: number;
  count: number;
}

export interface QueueJobMetrics {
  completed: number;
  /** Jobs that failed for good (no attempts left, or unrecoverable). */
  failed: number;
  /** Every failed attempt, retried or not. */
  attemptsFailed: number;
  durations: Record<JobOutcome, DurationHistogram>;
  bytesWritten: number;
  samplesWritten: number;
}

function bucketIndex(seconds: number): number {
  const i = JOB_DURATION_BUCKETS.findIndex((le) => seconds <= le);
  return i === -1 ? JOB_DURATION_BUCKETS.length : i;
}

const emptyHistogram = (): DurationHistogram => ({ buckets: JOB_DURATION_BUCKETS.map(() => 0).concat(0), sum: 0, count: 0 });

export class WorkerMetrics {
  constructor(private readonly redis: Redis, private readonly prefix: string) {}

  key(queue: string): string {
    return `${this.prefix}:metrics:${queue}`;
  }

  /** One finished attempt: `final` marks a failure that will not be retried. */
  async jobFinished(queue: string, outcome: JobOutcome, seconds: number | undefined, final = true): Promise<void> {
    const k = this.key(queue);
    const pipe = this.redis.pipeline();
    if (outcome === 'completed') pipe.hincrby(k, 'completed', 1);
    else {
      pipe.hincrby(k, 'attempts_failed', 1);
      if (final) pipe.hincrby(k, 'failed', 1);
    }
    if (seconds !== undefined && Number.isFinite(seconds) && seconds >= 0) {
      pipe.hincrby(k, `d:${outcome}:${bucketIndex(seconds)}`, 1);
      pipe.hincrbyfloat(k, `dsum:${outcome}`, seconds);
      pipe.hincrby(k, `dcount:${outcome}`, 1);
    }
    await pipe.exec();
  }

  async written(queue: string, delta: { bytes: number; samples: number }): Promise<void> {
    if (delta.bytes <= 0 && delta.samples <= 0) return;
    const k = this.key(queue);
    const pipe = this.redis.pipeline();
    if (delta.bytes > 0) pipe.hincrby(k, 'bytes_written', delta.bytes);
    if (delta.samples > 0) pipe.hincrby(k, 'samples_written', delta.samples);
    await pipe.exec();
  }

  async read(queues: string[]): Promise<Record<string, QueueJobMetrics>> {
    const pipe = this.redis.pipeline();
    for (const q of queues) pipe.hgetall(this.key(q));
    const res = (await pipe.exec()) ?? [];
    const out: Record<string, QueueJobMetrics> = {};
    queues.forEach((q, i) => {
      const [err, raw] = res[i] ?? [];
      if (err) throw err;
      out[q] = parseMetrics((raw ?? {}) as Record<string, string>);
    });
    return out;
  }
}

export function parseMetrics(raw: Record<string, string>): QueueJobMetrics {
  const n = (k: string) => Number(raw[k] ?? 0) || 0;
  const hist = (o: JobOutcome): DurationHistogram => {
    const h = emptyHistogram();
    h.buckets = h.buckets.map((_, i) => n(`d:${o}:${i}`));
    h.sum = n(`dsum:${o}`);
    h.count = n(`dcount:${o}`);
    return h;
  };
  return {
    completed: n('completed'),
    failed: n('failed'),
    attemptsFailed: n('attempts_failed'),
    durations: { completed: hist('completed'), failed: hist('failed') },
    bytesWritten: n('bytes_written'),
    samplesWritten: n('samples_written'),
  };
}
