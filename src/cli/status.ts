// `harvest status [--json]`: queues, workers, fleet counters and the GitHub rate limit at a glance.
import type { Command } from 'commander';
import { loadConfig, type HarvestConfig } from '../config.ts';
import { QUEUES } from '../../queues/index.ts';
import { QueueSet, takeSnapshot, type HarvestSnapshot } from '../ops/snapshot.ts';
import { safeUrl } from './ensure-redis.ts';
import { opsRedis } from './ops-redis.ts';

export async function readStatus(cfg: HarvestConfig): Promise<HarvestSnapshot> {
  const redis = await opsRedis(cfg);
  const set = new QueueSet(redis, cfg.prefix, QUEUES);
  try {
    return await takeSnapshot(redis, cfg.prefix, set);
  } finally {
    await set.close();
    redis.disconnect();
  }
}

function bytes(n: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let i = 0;
  while (n >= 1024 && i < units.length - 1) {
    n /= 1024;
    i++;
  }
  return `${i === 0 ? n : n.toFixed(1)} ${units[i]}`;
}

function table(rows: string[][]): string {
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
  return rows.map((r) => r.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]) : cell.padStart(widths[c]))).join('  ')).join('\n');
}

export function formatStatus(s: HarvestSnapshot, redisUrl: string): string {
  const out: string[] = [];
  out.push(`redis    ${safeUrl(redisUrl)}  prefix ${s.prefix}  ${s.redis.ok ? `ok (${s.redis.latencyMs} ms)` : `UNREACHABLE: ${s.redis.error}`}`);
  if (!s.redis.ok) return out.join('\n');
  out.push('');
  const rows = [['queue', 'waiting', 'active', 'delayed', 'failed', 'completed', 'workers', 'done(total)', 'failed(total)', 'paused']];
  for (const q of s.queues) {
    const c = q.counts;
    rows.push([q.name, String(c.waiting + c.prioritized), String(c.active), String(c.delayed), String(c.failed), String(c.completed),
      String(q.workers), String(q.metrics.completed), String(q.metrics.failed), q.paused ? 'PAUSED' : 'no']);
  }
  out.push(table(rows));
  out.push('');
  if (s.workers.length === 0) out.push('workers  none alive');
  for (const w of s.workers) out.push(`worker   ${w.id}  host ${w.host}  pid ${w.pid}  queues ${w.queues.join(',')}  beat ${Math.round(w.lastBeatMs / 1000)}s ago`);
  const written = s.queues.reduce((a, q) => ({ b: a.b + q.metrics.bytesWritten, n: a.n + q.metrics.samplesWritten }), { b: 0, n: 0 });
  out.push(`written  ${written.n} samples, ${bytes(written.b)}`);
  out.push(s.github ? `github   ${s.github.remaining} requests left${s.github.resetAt ? `, window resets ${s.github.resetAt}` : ''}` : 'github   no rate-limit reading yet');
  return out.join('\n');
}

export function registerStatusCommand(program: Command): void {
  program
    .command('status')
    .description('queues, live workers, fleet counters and the GitHub rate limit at a glance')
    .option('--json', 'print one JSON object')
    .action(async (o: { json?: boolean }) => {
      const cfg = loadConfig();
      const s = await readStatus(cfg);
      process.stdout.write((o.json ? JSON.stringify(s) : formatStatus(s, cfg.redisUrl)) + '\n');
    });
}
