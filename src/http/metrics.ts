// GET /metrics: Prometheus text from a prom-client registry of its own. Every value is read from
// Redis at scrape time (queue counts, and the counters workers in other processes publish), so any
// serve process reports the whole fleet, and a restart loses nothing.
import { Counter, Gauge, Registry, type Metric } from 'prom-client';
import { JOB_DURATION_BUCKETS, type JobOutcome } from '../state/worker-metrics.ts';
import { JOB_STATES, type HarvestSnapshot } from '../ops/snapshot.ts';

type HistogramValue = { value: number; labels: Record<string, string>; metricName: string };

/** A histogram whose buckets come from Redis, not from observations in this process. */
class SnapshotHistogram {
  readonly type = 'histogram';
  readonly aggregator = 'sum';
  constructor(readonly name: string, readonly help: string, private readonly values: () => HistogramValue[]) {}
  reset(): void {}
  async get() {
    return { name: this.name, help: this.help, type: this.type, aggregator: this.aggregator, values: this.values() };
  }
}

export class HarvestMetrics {
  readonly registry = new Registry();
  private current: HarvestSnapshot | null = null;

  constructor(private readonly snapshot: () => Promise<HarvestSnapshot>) {
    const self = this;
    const gauge = (name: string, help: string, labelNames: string[], fill: (g: Gauge<string>, s: HarvestSnapshot) => void) =>
      new Gauge({
        name, help, labelNames, registers: [this.registry],
        collect() {
          this.reset();
          if (self.current) fill(this, self.current);
        },
      });
    // Totals kept in Redis: set, not incremented, at each scrape.
    const counter = (name: string, help: string, labelNames: string[], fill: (set: (labels: Record<string, string>, v: number) => void, s: HarvestSnapshot) => void) =>
      new Counter({
        name, help, labelNames, registers: [this.registry],
        collect() {
          this.reset();
          if (self.current) fill((labels, v) => this.inc(labels, v), self.current);
        },
      });

    gauge('harvest_up', 'Whether Redis answered this scrape (1) or not (0)', [], (g, s) => g.set(s.redis.ok ? 1 : 0));
    gauge('harvest_queue_jobs', 'Jobs per queue and state', ['queue', 'state'], (g, s) => {
      for (const q of s.queues) for (const st of JOB_STATES) g.set({ queue: q.name, state: st }, q.counts[st]);
    });
    gauge('harvest_queue_paused', 'Whether the queue is paused', ['queue'], (g, s) => {
      for (const q of s.queues) g.set({ queue: q.name }, q.paused ? 1 : 0);
    });
    gauge('harvest_queue_workers', 'Live workers (by heartbeat) serving the queue', ['queue'], (g, s) => {
      for (const q of s.queues) g.set({ queue: q.name }, q.workers);
    });
    counter('harvest_jobs_completed_total', 'Jobs completed, all workers', ['queue'], (set, s) => {
      for (const q of s.queues) set({ queue: q.name }, q.metrics.completed);
    });
    counter('harvest_jobs_failed_total', 'Jobs failed for good (no attempts left), all workers', ['queue'], (set, s) => {
      for (const q of s.queues) set({ queue: q.name }, q.metrics.failed);
    });
    counter('harvest_job_attempts_failed_total', 'Failed job attempts, retried or not, all workers', ['queue'], (set, s) => {
      for (const q of s.queues) set({ queue: q.name }, q.metrics.attemptsFailed);
    });
    counter('harvest_written_bytes_total', 'Bytes written to shards, all workers', ['queue'], (set, s) => {
      for (const q of s.queues) set({ queue: q.name }, q.metrics.bytesWritten);
    });
    counter('harvest_written_samples_total', 'Samples written to shards, all workers', ['queue'], (set, s) => {
      for (const q of s.queues) set({ queue: q.name }, q.metrics.samplesWritten);
    });
    gauge('harvest_github_ratelimit_remaining', 'GitHub API requests left in the window (as the PR poller last saw it)', [], (g, s) => {
      if (s.github) g.set(s.github.remaining);
    });
    gauge('harvest_github_ratelimit_reset_timestamp_seconds', 'When the GitHub rate-limit window resets (unix seconds)', [], (g, s) => {
      if (s.github?.resetAt) g.set(Date.parse(s.github.resetAt) / 1000);
    });

    const name = 'harvest_job_duration_seconds';
    const histogram = new SnapshotHistogram(name, 'Job attempt duration by outcome, all workers', () => {
      const out: HistogramValue[] = [];
      for (const q of this.current?.queues ?? []) {
        for (const outcome of ['completed', 'failed'] as JobOutcome[]) {
          const h = q.metrics.durations[outcome];
          const labels = { queue: q.name, outcome };
          let cum = 0;
          JOB_DURATION_BUCKETS.forEach((le, i) => {
            cum += h.buckets[i];
            out.push({ metricName: `${name}_bucket`, labels: { ...labels, le: String(le) }, value: cum });
          });
          out.push({ metricName: `${name}_bucket`, labels: { ...labels, le: '+Inf' }, value: h.count });
          out.push({ metricName: `${name}_sum`, labels, value: h.sum });
          out.push({ metricName: `${name}_count`, labels, value: h.count });
        }
      }
      return out;
    });
    this.registry.registerMetric(histogram as unknown as Metric);
  }

  private chain: Promise<unknown> = Promise.resolve();

  /** One scrape: reads Redis once, then renders every metric from that reading. */
  render(): Promise<{ contentType: string; body: string }> {
    // Scrapes run one at a time: the collectors read the one current snapshot.
    const run = this.chain.then(() => this.renderNow());
    this.chain = run.catch(() => undefined);
    return run;
  }

  private async renderNow(): Promise<{ contentType: string; body: string }> {
    this.current = await this.snapshot();
    try {
      return { contentType: this.registry.contentType, body: await this.registry.metrics() };
    } finally {
      this.current = null;
    }
  }
}
