// A real VictoriaMetrics (single node) for tests: free loopback port, temp storage. It accepts
// InfluxDB line protocol on /write and /api/v2/write and stores each numeric field as a series
// named <measurement>_<field>; export() reads them back.
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync, rmSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, waitFor } from './free-port.ts';

export const VICTORIA_METRICS_BIN = process.env.VICTORIA_METRICS_BIN ?? '/usr/bin/victoria-metrics';

export interface ExportedSeries {
  metric: Record<string, string>;
  values: number[];
  timestamps: number[];
}

export interface VictoriaMetricsHandle {
  url: string;
  dir: string;
  /** Makes recent writes searchable now (otherwise they show up within a couple of seconds). */
  flush(): Promise<void>;
  /** /api/v1/export for a series selector, e.g. `{__name__=~"pr_observation_.*"}`. */
  exportSeries(selector: string): Promise<ExportedSeries[]>;
  close(): Promise<void>;
  log(): Promise<string>;
}

// A test that dies before its after() still leaves no server running and no files behind.
const live = new Set<ChildProcess>();
const dirs = new Set<string>();
process.on('exit', () => {
  for (const p of live) p.kill('SIGKILL');
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

export async function startVictoriaMetrics(): Promise<VictoriaMetricsHandle> {
  const dir = await mkdtemp(join(tmpdir(), 'harvest-vm-'));
  dirs.add(dir);
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const logPath = join(dir, 'victoria-metrics.log');
  const fd = openSync(logPath, 'a');
  const child = spawn(
    VICTORIA_METRICS_BIN,
    [
      `-httpListenAddr=127.0.0.1:${port}`,
      `-storageDataPath=${join(dir, 'data')}`,
      '-retentionPeriod=100y',
      '-search.latencyOffset=0s',
      '-loggerLevel=ERROR',
      '-http.shutdownDelay=0s',
    ],
    { stdio: ['ignore', fd, fd] },
  );
  closeSync(fd);
  live.add(child);
  let exited = false;
  const exit = new Promise<void>((resolve) =>
    child.once('exit', () => {
      exited = true;
      live.delete(child);
      resolve();
    }),
  );
  const close = async (): Promise<void> => {
    if (!exited) {
      child.kill('SIGTERM');
      const t = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exit;
      clearTimeout(t);
    }
    await rm(dir, { recursive: true, force: true });
    dirs.delete(dir);
  };
  try {
    await waitFor(`victoria-metrics on ${url}`, async () => {
      if (exited) throw new Error(`victoria-metrics exited; log:\n${await readFile(logPath, 'utf8').catch(() => '')}`);
      const r = await fetch(`${url}/health`);
      return r.ok;
    });
  } catch (err) {
    await close();
    throw err;
  }
  return {
    url,
    dir,
    async flush() {
      const r = await fetch(`${url}/internal/force_flush`);
      await r.body?.cancel();
    },
    async exportSeries(selector: string) {
      const u = new URL('/api/v1/export', url);
      u.searchParams.set('match[]', selector);
      const r = await fetch(u);
      if (!r.ok) throw new Error(`export ${selector}: HTTP ${r.status} ${await r.text()}`);
      const text = await r.text();
      return text
        .split('\n')
        .filter((l) => l.trim())
        .map((l) => JSON.parse(l) as ExportedSeries);
    },
    close,
    log: () => readFile(logPath, 'utf8').catch(() => ''),
  };
}
