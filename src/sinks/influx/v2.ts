// InfluxDB v2 write API (also spoken by InfluxDB 1.8+, 3.x and VictoriaMetrics) through the
// client's WriteApi, with every retry of its own turned off: its retry reads Retry-After as
// milliseconds and hides failures in a buffer, and the job queue is the one retry mechanism.
import { HttpError, InfluxDB, type WriteApi } from '@influxdata/influxdb-client';
import type { PointRecord, PointSink } from '../../model/point.ts';
import { LINE_PROTOCOL_PRECISION, toLineProtocolLines } from '../line-protocol/encode.ts';
import type { LineProtocolWriter } from '../line-protocol/replay.ts';
import { classifyStatus, displayUrl, networkError, serverMessageOf } from './errors.ts';

export interface InfluxV2Options {
  url: string;
  token: string;
  org: string;
  bucket: string;
  /** Per request; default 30 s. */
  timeoutMs?: number;
  /** Larger writes go out as several requests of at most this many lines; default 5000. */
  maxBatchLines?: number;
}

export class InfluxV2Sink implements PointSink, LineProtocolWriter {
  readonly kind = 'influx-v2';
  private readonly influx: InfluxDB;
  private readonly target: string;

  constructor(private readonly opts: InfluxV2Options) {
    if (!opts.org || !opts.bucket) throw new Error('InfluxDB v2 sink needs an org and a bucket');
    this.influx = new InfluxDB({ url: opts.url, token: opts.token, timeout: opts.timeoutMs ?? 30_000 });
    this.target = `${displayUrl(opts.url)} bucket=${opts.bucket}`;
  }

  async write(points: PointRecord[]): Promise<void> {
    if (points.length === 0) return;
    await this.writeLines(toLineProtocolLines(points));
  }

  async writeLines(lines: readonly string[]): Promise<void> {
    const max = this.opts.maxBatchLines ?? 5000;
    for (let i = 0; i < lines.length; i += max) await this.post(lines.slice(i, i + max));
  }

  private async post(lines: string[]): Promise<void> {
    if (lines.length === 0) return;
    // A WriteApi per request: its buffer then holds exactly this batch, sent as one request whose
    // outcome is ours alone (a shared one flushes on size in the background and swallows errors).
    const api: WriteApi = this.influx.getWriteApi(this.opts.org, this.opts.bucket, LINE_PROTOCOL_PRECISION, {
      maxRetries: 0,
      batchSize: lines.length + 1,
      maxBatchBytes: Number.POSITIVE_INFINITY,
      flushInterval: 0,
      maxBufferLines: lines.length + 1,
      // Returning a rejection takes over error handling: nothing is buffered, retried or logged.
      writeFailed: (error: Error) => Promise.reject(error),
    });
    api.writeRecords(lines);
    try {
      await api.close();
    } catch (err) {
      throw this.classify(err);
    }
  }

  private classify(err: unknown): Error {
    if (err instanceof HttpError) {
      const retryAfter = err.headers?.['retry-after'];
      return classifyStatus(
        this.target,
        err.statusCode,
        err.body ? serverMessageOf(err.body) : err.message,
        Array.isArray(retryAfter) ? retryAfter[0] : retryAfter,
      );
    }
    return networkError(this.target, err);
  }

  async close(): Promise<void> {}
}
