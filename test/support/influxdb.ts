// A real InfluxDB 1.x (Debian's `influxd`) for tests: free loopback ports, a temp config and data
// dir, /ping awaited, one database created; query() speaks InfluxQL. stop()/start() keep the
// ports and data, for outage tests. close() kills it and removes its files.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { closeSync, openSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, waitFor } from './free-port.ts';

export const INFLUXD_BIN = process.env.INFLUXD_BIN ?? '/usr/bin/influxd';

export interface InfluxSeries {
  name: string;
  tags?: Record<string, string>;
  columns: string[];
  values: unknown[][];
}

export interface InfluxdbHandle {
  /** http://127.0.0.1:<port> */
  url: string;
  database: string;
  dir: string;
  /** Runs InfluxQL; returns the first statement's series (throws on an error). */
  query(q: string, db?: string): Promise<InfluxSeries[]>;
  /** Rows as objects (column -> value, tags merged in), times in epoch ms. */
  rows(q: string, db?: string): Promise<Record<string, unknown>[]>;
  createDatabase(name: string): Promise<void>;
  running(): boolean;
  stop(): Promise<void>;
  start(): Promise<void>;
  close(): Promise<void>;
  /** The server's own log, for a failing test's message. */
  log(): Promise<string>;
}

// A test that dies before its after() still leaves no server running and no files behind.
const live = new Set<ChildProcess>();
const dirs = new Set<string>();
process.on('exit', () => {
  for (const p of live) p.kill('SIGKILL');
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

export async function startInfluxdb(opts: { database?: string } = {}): Promise<InfluxdbHandle> {
  const dir = await mkdtemp(join(tmpdir(), 'harvest-influxd-'));
  dirs.add(dir);
  const httpPort = await freePort();
  const rpcPort = await freePort();
  const url = `http://127.0.0.1:${httpPort}`;
  const database = opts.database ?? 'harvest_test';
  const configPath = join(dir, 'influxdb.conf');
  await writeFile(
    configPath,
    `reporting-disabled = true
bind-address = "127.0.0.1:${rpcPort}"

[meta]
  dir = "${join(dir, 'meta')}"
  logging-enabled = false

[data]
  dir = "${join(dir, 'data')}"
  wal-dir = "${join(dir, 'wal')}"
  wal-fsync-delay = "0s"
  query-log-enabled = false

[monitor]
  store-enabled = false

[http]
  enabled = true
  bind-address = "127.0.0.1:${httpPort}"
  log-enabled = false
  auth-enabled = false

[continuous_queries]
  enabled = false

[retention]
  enabled = false

[subscriber]
  enabled = false
`,
  );
  const logPath = join(dir, 'influxd.log');
  let child: ChildProcess | null = null;

  async function start(): Promise<void> {
    if (child) return;
    const fd = openSync(logPath, 'a');
    const p = spawn(INFLUXD_BIN, ['run', '-config', configPath], { stdio: ['ignore', fd, fd] });
    closeSync(fd);
    live.add(p);
    child = p;
    p.once('exit', () => {
      live.delete(p);
      if (child === p) child = null;
    });
    await waitFor(
      `influxd on ${url}`,
      async () => {
        if (!child) throw new Error(`influxd exited; log:\n${await readFile(logPath, 'utf8').catch(() => '')}`);
        const r = await fetch(`${url}/ping`);
        return r.status === 204;
      },
      30_000,
    );
  }

  async function stop(): Promise<void> {
    const p = child;
    if (!p) return;
    const exited = new Promise<void>((resolve) => p.once('exit', () => resolve()));
    p.kill('SIGTERM');
    const timer = setTimeout(() => p.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(timer);
  }

  async function query(q: string, db = database): Promise<InfluxSeries[]> {
    const u = new URL('/query', url);
    u.searchParams.set('db', db);
    u.searchParams.set('epoch', 'ms');
    const res = await fetch(u, { method: 'POST', body: new URLSearchParams({ q }) });
    const json = (await res.json()) as { error?: string; results?: { error?: string; series?: InfluxSeries[] }[] };
    if (json.error) throw new Error(`InfluxQL ${q}: ${json.error}`);
    const first = json.results?.[0];
    if (first?.error) throw new Error(`InfluxQL ${q}: ${first.error}`);
    return first?.series ?? [];
  }

  async function rows(q: string, db = database): Promise<Record<string, unknown>[]> {
    const out: Record<string, unknown>[] = [];
    for (const s of await query(q, db)) {
      for (const v of s.values) {
        const row: Record<string, unknown> = { ...(s.tags ?? {}) };
        s.columns.forEach((c, i) => (row[c] = v[i]));
        out.push(row);
      }
    }
    return out;
  }

  async function createDatabase(name: string): Promise<void> {
    await query(`CREATE DATABASE "${name.replace(/"/g, '\\"')}"`, name);
  }

  try {
    await start();
    await createDatabase(database);
  } catch (err) {
    await stop();
    await rm(dir, { recursive: true, force: true });
    dirs.delete(dir);
    throw err;
  }

  return {
    url,
    database,
    dir,
    query,
    rows,
    createDatabase,
    running: () => child !== null,
    stop,
    start,
    async close() {
      await stop();
      await rm(dir, { recursive: true, force: true });
      dirs.delete(dir);
    },
    log: () => readFile(logPath, 'utf8').catch(() => ''),
  };
}
