// Picks the point sink from configuration: InfluxDB v2, InfluxDB 1.x, or line-protocol files.
// The config is plain data; the edge maps the environment onto it:
//   INFLUX_URL -> influxUrl, INFLUX_TOKEN -> influxToken, INFLUX_ORG -> influxOrg,
//   INFLUX_BUCKET -> influxBucket, INFLUX_DB -> influxDb, INFLUX_RP -> influxRp,
//   INFLUX_USER -> influxUser, INFLUX_PASSWORD -> influxPassword.
import type { PointSink } from '../../model/point.ts';
import { LineProtocolFileSink } from '../line-protocol/file-sink.ts';
import type { LineProtocolWriter } from '../line-protocol/replay.ts';
import { GroupCommitSink, type GroupCommitOptions } from './group-commit.ts';
import { InfluxV1Sink } from './v1.ts';
import { InfluxV2Sink } from './v2.ts';
import { ScrubbingPointSink } from './scrubbing-sink.ts';
import type { ScrubOptions } from '../../transforms/scrub.ts';

export interface PointSinkConfig {
  influxUrl?: string;
  influxToken?: string;
  influxOrg?: string;
  influxBucket?: string;
  influxDb?: string;
  influxRp?: string;
  influxUser?: string;
  influxPassword?: string;
  /** Output root for line-protocol files (`<outDir>/points/`), used when no InfluxDB is set. */
  outDir: string;
  /** Names this process's files; unique per writer. */
  writerId: string;
  maxFileBytes?: number;
  timeoutMs?: number;
  /** Batch concurrent writes into one request (default on: 5000 points / 50 ms); false: off. */
  groupCommit?: GroupCommitOptions | false;
  /** What scrubbing redacts from points beyond secrets (config `privacy`). */
  privacy?: ScrubOptions;
}

export type PointSinkKind = 'influx-v2' | 'influx-v1' | 'line-protocol-files';

export class PointSinkConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PointSinkConfigError';
  }
}

/** Which sink a config selects, checking that the chosen one is complete. */
export function pointSinkKind(config: PointSinkConfig): PointSinkKind {
  if (!config.influxUrl) {
    const stray = (['influxToken', 'influxDb', 'influxOrg', 'influxBucket'] as const).filter((k) => config[k]);
    if (stray.length) throw new PointSinkConfigError(`INFLUX_URL is not set but ${stray.map(envName).join(', ')} is`);
    return 'line-protocol-files';
  }
  if (config.influxToken) {
    const missing = (['influxOrg', 'influxBucket'] as const).filter((k) => !config[k]);
    if (missing.length) {
      throw new PointSinkConfigError(`InfluxDB v2 (INFLUX_URL + INFLUX_TOKEN) also needs ${missing.map(envName).join(' and ')}`);
    }
    return 'influx-v2';
  }
  if (config.influxDb) return 'influx-v1';
  throw new PointSinkConfigError(
    'INFLUX_URL is set: add INFLUX_TOKEN, INFLUX_ORG and INFLUX_BUCKET (v2 API) or INFLUX_DB (1.x API)',
  );
}

function envName(key: string): string {
  return key.replace(/[A-Z]/g, (c) => `_${c}`).toUpperCase();
}

/** The InfluxDB writer a config selects (for replaying files into it), or null for files. */
export function createInfluxWriter(config: PointSinkConfig): (InfluxV1Sink | InfluxV2Sink) | null {
  const kind = pointSinkKind(config);
  if (kind === 'influx-v2') {
    return new InfluxV2Sink({
      url: config.influxUrl!,
      token: config.influxToken!,
      org: config.influxOrg!,
      bucket: config.influxBucket!,
      timeoutMs: config.timeoutMs,
    });
  }
  if (kind === 'influx-v1') {
    return new InfluxV1Sink({
      url: config.influxUrl!,
      database: config.influxDb!,
      retentionPolicy: config.influxRp,
      username: config.influxUser,
      password: config.influxPassword,
      timeoutMs: config.timeoutMs,
    });
  }
  return null;
}

export interface ConfiguredPointSink extends PointSink {
  readonly kind: string;
}

export async function createPointSink(config: PointSinkConfig): Promise<ConfiguredPointSink> {
  const influx: (PointSink & LineProtocolWriter & { kind: string }) | null = createInfluxWriter(config);
  const base: ConfiguredPointSink =
    influx ??
    (await LineProtocolFileSink.open({
      outDir: config.outDir,
      writerId: config.writerId,
      maxFileBytes: config.maxFileBytes,
    }));
  // Scrubbed before batching: a caller's points are cleaned in its own write, not in a shared batch.
  const batched = config.groupCommit === false ? base : new GroupCommitSink(base, config.groupCommit ?? {});
  return new ScrubbingPointSink(batched, config.privacy);
}
