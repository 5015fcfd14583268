// InfluxDB 1.x write API: POST /write?db=&rp=&precision=ms with line protocol. No retries here:
// an error goes back to the caller, classified (the job queue is the one retry mechanism).
import type { PointRecord, PointSink } from '../../model/point.ts';
import { LINE_PROTOCOL_PRECISION, toLineProtocolLines } from '../line-protocol/encode.ts';
import type { LineProtocolWriter } from '../line-protocol/replay.ts';
import { classifyStatus, displayUrl, networkError, serverMessageOf } from './errors.ts';

export interface InfluxV1Options {
  url: string;
  database: string;
  retentionPolicy?: string;
  username?: string;
  password?: string;
  /** Per request; default 30 s. */
  timeoutMs?: number;
  /** Larger writes go out as several requests of at most this many lines; default 5000. */
  maxBatchLines?: number;
}

export class InfluxV1Sink implements PointSink, LineProtocolWriter {
  readonly kind = 'influx-v1';
  private readonly writeUrl: string;
  private readonly target: string;
  private readonly headers: Record<string, string>;

  constructor(private readonly opts: InfluxV1Options) {
    if (!opts.database) throw new Error('InfluxDB 1.x sink needs a database name');
    const u = new URL('write', opts.url.endsWith('/') ? opts.url : `${opts.url}/`);
    u.searchParams.set('db', opts.database);
    if (opts.retentionPolicy) u.searchParams.set('rp', opts.retentionPolicy);
    u.searchParams.set('precision', LINE_PROTOCOL_PRECISION);
    this.writeUrl = u.toString();
    this.target = `${displayUrl(opts.url)} db=${opts.database}`;
    this.headers = { 'content-type': 'text/plain; charset=utf-8' };
    // Basic auth keeps the password out of the URL (and so out of proxies' and servers' logs).
    if (opts.username) {
      const cred = Buffer.from(`${opts.username}:${opts.password ?? ''}`).toString('base64');
      this.headers.authorization = `Basic ${cred}`;
    }
  }

  async write(points: PointRecord[]): Promise<void> {
    if (points.length === 0) return;
    await this.writeLines(toLineProtocolLines(points));
  }

  async writeLines(lines: readonly string[]): Promise<void> {
    const max = this.opts.maxBatchLines ?? 5000;
    for (let i = 0; i < lines.length; i += max) await this.post(lines.slice(i, i + max));
  }

  private async post(lines: readonly string[]): Promise<void> {
    if (lines.length === 0) return;
    let res: Response;
    try {
      res = await fetch(this.writeUrl, {
        method: 'POST',
        headers: this.headers,
        body: lines.join('\n'),
        signal: AbortSignal.timeout(this.opts.timeoutMs ?? 30_000),
      });
    } catch (err) {
      throw networkError(this.target, err);
    }
    if (res.status === 204 || res.status === 200) {
      await res.body?.cancel();
      return;
    }
    const body = await res.text().catch(() => '');
    throw classifyStatus(this.target, res.status, serverMessageOf(body), res.headers.get('retry-after'));
  }

  async close(): Promise<void> {}
}
