// Where InfluxDB is, from the environment (read once at the edge): the same variables pick the
// point sink and the store that `stats` and `export` query.
//   v2: INFLUX_URL + INFLUX_TOKEN + INFLUX_ORG + INFLUX_BUCKET
//   1.x: INFLUX_URL + INFLUX_DB (+ INFLUX_RP, INFLUX_USER, INFLUX_PASSWORD)
import { pointSinkKind, type PointSinkConfig } from '../../sinks/influx/create-point-sink.ts';

export type InfluxSettings = Pick<
  PointSinkConfig,
  'influxUrl' | 'influxToken' | 'influxOrg' | 'influxBucket' | 'influxDb' | 'influxRp' | 'influxUser' | 'influxPassword'
>;

export function influxSettingsFromEnv(env: NodeJS.ProcessEnv = process.env): InfluxSettings {
  const v = (k: string): string | undefined => (env[k] && env[k]!.trim() !== '' ? env[k] : undefined);
  return {
    influxUrl: v('INFLUX_URL'),
    influxToken: v('INFLUX_TOKEN'),
    influxOrg: v('INFLUX_ORG'),
    influxBucket: v('INFLUX_BUCKET'),
    influxDb: v('INFLUX_DB'),
    influxRp: v('INFLUX_RP'),
    influxUser: v('INFLUX_USER'),
    influxPassword: v('INFLUX_PASSWORD'),
  };
}

/** 'influx-v2', 'influx-v1' or 'line-protocol-files' (none configured); throws when half set. */
export function influxKind(s: InfluxSettings): 'influx-v2' | 'influx-v1' | 'line-protocol-files' {
  return pointSinkKind({ ...s, outDir: '.', writerId: 'x' });
}
