// Publishes a worker's job outcomes, durations and output totals into Redis (WorkerMetrics), where
// `/metrics` and `harvest status` read them for the whole fleet. One call per BullMQ Worker.
import type { Job, Worker } from 'bullmq';
import type { WorkerMetrics } from '../src/state/worker-metrics.ts';

/** What a worker has written so far (a ShardWriter fits); totals are published as deltas. */
export interface OutputTotals {
  bytesWritten: number;
  recordsWritten: number;
}

function seconds(job: Job): number | undefined {
  if (!job.processedOn) return undefined;
  return ((job.finishedOn ?? Date.now()) - job.processedOn) / 1000;
}

export interface JobMetricsObserver {
  /** Resolves once every update already started has landed (call before closing the connection). */
  flush(): Promise<void>;
}

export function observeJobMetrics(worker: Worker, metrics: WorkerMetrics, output?: OutputTotals): JobMetricsObserver {
  const queue = worker.name;
  let published = { bytes: 0, samples: 0 };
  const publishOutput = () => {
    if (!output) return;
    const now = { bytes: output.bytesWritten, samples: output.recordsWritten };
    const delta = { bytes: now.bytes - published.bytes, samples: now.samples - published.samples };
    published = now;
    return metrics.written(queue, delta);
  };
  // Metrics must never fail a job or crash a worker: a lost increment is the worst outcome. Updates
  // in flight are tracked, so a worker that stops waits for them (a reader right after sees them).
  const inFlight = new Set<Promise<unknown>>();
  const quietly = (p: Promise<unknown> | undefined) => {
    if (!p) return;
    const q = p.catch(() => undefined).finally(() => inFlight.delete(q));
    inFlight.add(q);
  };
  worker.on('completed', (job) => {
    quietly(metrics.jobFinished(queue, 'completed', seconds(job)));
    quietly(publishOutput());
  });
  worker.on('failed', (job, err) => {
    if (!job) return;
    const final = err.name === 'UnrecoverableError' || job.attemptsMade >= (job.opts.attempts ?? 1);
    quietly(metrics.jobFinished(queue, 'failed', seconds(job), final));
    quietly(publishOutput());
  });
  return {
    async flush() {
      while (inFlight.size > 0) await Promise.all([...inFlight]);
    },
  };
}
