// InfluxDB as configured by INFLUX_*: reachable, credentials taken, the database (1.x) or bucket
// (2.x) there. Nothing configured is fine: points then go to line-protocol files.
import { influxKind, type InfluxSettings } from '../../sources/influx/settings.ts';
import { check, failureReason, type CheckResult } from './check.ts';

const TIMEOUT_MS = 3000;

async function get(url: string, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(url, { headers, signal: AbortSignal.timeout(TIMEOUT_MS) });
}

export async function checkInflux(s: InfluxSettings, outDir: string): Promise<CheckResult[]> {
  let kind;
  try {
    kind = influxKind(s);
  } catch (e) {
    return [check('influxdb', 'fail', (e as Error).message, 'set the missing INFLUX_* variables, or unset INFLUX_URL to write line-protocol files')];
  }
  if (kind === 'line-protocol-files') {
    return [check('influxdb', 'info', `not configured: points go to ${outDir}/points/*.lp`, 'to send them to InfluxDB later: set INFLUX_URL (+ INFLUX_DB, or INFLUX_TOKEN/ORG/BUCKET) and run `harvest points replay`')];
  }
  const base = s.influxUrl!.replace(/\/+$/, '');
  let ping: Response;
  try {
    ping = await get(`${base}/ping`);
  } catch (e) {
    return [check('influxdb', 'fail', `InfluxDB is not reachable at ${base} (${failureReason(e)})`, 'start it, or fix INFLUX_URL')];
  }
  const version = ping.headers.get('x-influxdb-version') ?? '?';
  const out: CheckResult[] = [check('influxdb', ping.ok ? 'ok' : 'fail', `${base} answers /ping (${ping.status}), version ${version}, ${kind === 'influx-v2' ? 'v2 API' : '1.x API'}`,
    ping.ok ? undefined : 'is INFLUX_URL the InfluxDB HTTP address?', { version, api: kind })];
  if (!ping.ok) return out;

  if (kind === 'influx-v1') {
    const q = new URLSearchParams({ q: 'SHOW DATABASES' });
    if (s.influxUser) q.set('u', s.influxUser);
    if (s.influxPassword) q.set('p', s.influxPassword);
    const res = await get(`${base}/query?${q}`);
    if (res.status === 401 || res.status === 403) {
      out.push(check('influxdb auth', 'fail', `InfluxDB refused the credentials (${res.status})`, 'set INFLUX_USER and INFLUX_PASSWORD to a user with read and write on INFLUX_DB'));
      return out;
    }
    const body = (await res.json().catch(() => ({}))) as { results?: { series?: { values?: string[][] }[] }[] };
    const dbs = (body.results?.[0]?.series?.[0]?.values ?? []).map((v) => v[0]);
    out.push(check('influxdb auth', 'ok', s.influxUser ? `user ${s.influxUser} accepted` : 'no credentials needed'));
    out.push(dbs.includes(s.influxDb!)
      ? check('influxdb database', 'ok', `database ${s.influxDb} exists`)
      : check('influxdb database', 'fail', `no database ${s.influxDb} (there are: ${dbs.join(', ') || 'none'})`, `\`influx -execute 'CREATE DATABASE "${s.influxDb}"'\`, or set INFLUX_DB to one of them`));
    return out;
  }
  const res = await get(`${base}/api/v2/buckets?${new URLSearchParams({ org: s.influxOrg!, name: s.influxBucket! })}`, { authorization: `Token ${s.influxToken}` });
  if (res.status === 401 || res.status === 403) {
    out.push(check('influxdb auth', 'fail', `InfluxDB refused INFLUX_TOKEN (${res.status})`, 'set INFLUX_TOKEN to an API token with write access to the bucket'));
    return out;
  }
  out.push(check('influxdb auth', 'ok', 'INFLUX_TOKEN accepted'));
  const body = (await res.json().catch(() => ({}))) as { buckets?: { name: string }[]; message?: string };
  out.push(res.ok && body.buckets?.some((b) => b.name === s.influxBucket)
    ? check('influxdb bucket', 'ok', `bucket ${s.influxBucket} in org ${s.influxOrg}`)
    : check('influxdb bucket', 'fail', `no bucket ${s.influxBucket} in org ${s.influxOrg}${body.message ? ` (${body.message})` : ''}`, `\`influx bucket create -n ${s.influxBucket} -o ${s.influxOrg}\`, or fix INFLUX_BUCKET / INFLUX_ORG`));
  return out;
}
