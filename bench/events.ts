// Events benchmark: events/s accepted by POST /v1/events (batches of 100) and landed in a real
// InfluxDB 1.x through the events queue and a worker process (as deployed: `harvest serve` and
// `harvest worker` are separate processes), against a direct batched write of the same points to
// the same server in the same run. The bench process only sends and counts.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../test/support/free-port.ts';
import { eventToPoint, parseEventInputs } from '../src/model/event.ts';
import { InfluxV1Sink } from '../src/sinks/influx/v1.ts';
import { startInfluxdb } from '../test/support/influxdb.ts';
import { dropPrefix } from '../test/support/redis.ts';
import { REDIS_URL, ratio, secs, startHarvest, stop } from './support.ts';

const EVENTS = 20_000;
const BATCH = 100;
const IN_FLIGHT = 8;

function events(start: number): Record<string, unknown>[] {
  return Array.from({ length: EVENTS }, (_, i) => ({
    type: 'action_taken', repo: `dappcore/r${i % 20}`, pr: 1 + (i % 500), action: i % 3 ? 'wait' : 'request_review_fix',
    reason: `bench reason ${i}`, at: new Date(start + i).toISOString(), key: `bench-${start}-${i}`,
  }));
}

export async function benchEvents(): Promise<string[]> {
  const db = await startInfluxdb({ database: 'bench_events' });
  const out = mkdtempSync(join(tmpdir(), 'hbench-events-'));
  const prefix = `hbench-ev-${Date.now().toString(36)}`;
  const token = 'bench-token-0123456789';
  const env = { ...process.env, INFLUX_URL: db.url, INFLUX_DB: 'bench_events', HARVEST_API_TOKEN: token };
  const worker = await startHarvest(['worker', '--queues', 'events'], {
    INFLUX_URL: db.url, INFLUX_DB: 'bench_events', REDIS_URL, HARVEST_PREFIX: prefix, HARVEST_OUT: out, HARVEST_WORKER_ID: 'bench-events',
  });
  const port = await freePort();
  const server = await startHarvest(['serve', '--port', String(port)], {
    REDIS_URL, HARVEST_PREFIX: prefix, HARVEST_OUT: out, HARVEST_API_TOKEN: token, HARVEST_AUTH: 'bench:bench-password',
  }, 'serving the board');
  const url = `http://127.0.0.1:${port}`;
  try {
    const start = Date.now() - 86_400_000;
    const all = events(start);
    const t0 = performance.now();
    let next = 0;
    const post = async () => {
      while (next < all.length) {
        const body = all.slice(next, (next += BATCH));
        const r = await fetch(`${url}/v1/events`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
        if (r.status !== 202) throw new Error(`POST /v1/events answered ${r.status}: ${await r.text()}`);
      }
    };
    await Promise.all(Array.from({ length: IN_FLIGHT }, post));
    const acceptedMs = performance.now() - t0;
    for (;;) {
      const rows = await db.rows('SELECT count(reason) FROM action_taken', 'bench_events');
      if (Number(rows[0]?.count ?? 0) >= EVENTS) break;
      if (performance.now() - t0 > 300_000) throw new Error('events did not land in 5 minutes');
      await new Promise((r) => setTimeout(r, 100));
    }
    const landedMs = performance.now() - t0;

    // The floor: the same points, one batched write, same server.
    const points = [];
    for (let i = 0; i < all.length; i += BATCH) {
      const parsed = parseEventInputs(all.slice(i, i + BATCH), 'http');
      if (!parsed.ok) throw new Error('bench events do not validate');
      points.push(...parsed.records.map(eventToPoint));
    }
    await db.createDatabase('bench_direct');
    const direct = new InfluxV1Sink({ url: db.url, database: 'bench_direct', timeoutMs: 60_000 });
    const t1 = performance.now();
    await direct.write(points);
    const directMs = performance.now() - t1;
    return [
      `events: ${EVENTS} action_taken events, POST /v1/events in batches of ${BATCH}, ${IN_FLIGHT} requests in flight`,
      `  accepted (202): ${secs(acceptedMs)} s, ${Math.round(EVENTS / (acceptedMs / 1000))} events/s`,
      `  landed in InfluxDB 1.x (queue -> worker -> group commit): ${secs(landedMs)} s, ${Math.round(EVENTS / (landedMs / 1000))} events/s`,
      `  direct batched write of the same points: ${secs(directMs)} s, ${Math.round(EVENTS / (directMs / 1000))} points/s`,
      `  ratio landed/direct wall time: ${ratio(landedMs, directMs)}`,
    ];
  } finally {
    await stop(server);
    await stop(worker);
    await dropPrefix(prefix);
    await db.close();
    rmSync(out, { recursive: true, force: true });
  }
}
