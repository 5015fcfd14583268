// `harvest beads ingest DIR [--inline] [--out DIR] [--json]`: finds the beads exports under DIR
// (`.beads/issues.jsonl` with `events.jsonl`, `.beads/backup/`, `<name>-issues.jsonl`) and enqueues
// one `beads` job each; `--inline` also runs a beads worker here until they are done and prints
// what was read. `harvest beads show ID`: a bead's lifecycle as the workers see it.
import { randomBytes } from 'node:crypto';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { loadConfig, type HarvestConfig } from '../config.ts';
import { createLogger } from '../log.ts';
import type { Counts } from '../model/session.ts';
import { discoverBeadsExports } from '../sources/beads/discover.ts';
import { BeadStore } from '../state/bead-store.ts';
import { RunStats } from '../state/run-stats.ts';
import { clientConnection } from '../../queues/connection.ts';
import { beadsQueue, enqueueBeadsExports, type BeadsJob } from '../../queues/beads.ts';
import { startBeadsWorker } from '../../workers/beads.ts';
import { ensureRedis } from './ensure-redis.ts';

export interface BeadsIngestOptions {
  out?: string;
  /** Redo exports already ingested (same files), e.g. into a new dataset folder. */
  force?: boolean;
  inline?: boolean;
  json?: boolean;
}

export interface BeadsIngestSummary {
  run_id: string;
  dir: string;
  exports: { source: string; issues: string; events: string | null }[];
  enqueued: number;
  unchanged: number;
  counts: Counts;
}

async function withConfig(out: string | undefined, fn: (cfg: HarvestConfig) => Promise<void>): Promise<void> {
  const cfg = loadConfig(process.env, out ? { outDir: resolve(out) } : {});
  const redis = await ensureRedis(cfg.redisUrl, cfg.redisUrlExplicit, cfg.outDir);
  try {
    await fn({ ...cfg, redisUrl: redis.url });
  } finally {
    await redis.stop();
  }
}

export async function beadsIngest(cfg: HarvestConfig, dir: string, opts: BeadsIngestOptions): Promise<BeadsIngestSummary> {
  const log = createLogger();
  const root = resolve(dir);
  const found = await discoverBeadsExports(root);
  if (found.length === 0) throw new Error(`${root}: no beads export here (looked for .beads/issues.jsonl, issues.jsonl, <name>-issues.jsonl)`);
  const runId = `${new Date().toISOString().replace(/[-:.TZ]/g, '').slice(0, 14)}-${randomBytes(3).toString('hex')}`;
  const ctx = { redisUrl: cfg.redisUrl, prefix: cfg.prefix };
  const redis = clientConnection(ctx);
  const queue = beadsQueue(ctx, redis);
  const runs = new RunStats(redis, cfg.prefix);
  const worker = opts.inline ? await startBeadsWorker(cfg, log, 1, { extraRoots: [root] }) : null;
  try {
    const jobs: BeadsJob[] = found.map((f) => ({ ...f, runId }));
    const { added, existing } = await enqueueBeadsExports(queue, jobs, { force: opts.force });
    log.info({ run: runId, exports: found.length, enqueued: added.length, unchanged: existing.length }, 'enqueued beads exports');
    if (worker) {
      for (;;) {
        const c = await runs.get(runId);
        if ((c.exports ?? 0) + (c.exports_failed ?? 0) >= added.length) break;
        await new Promise((r) => setTimeout(r, 200));
      }
    }
    return {
      run_id: runId,
      dir: root,
      exports: found.map((f) => ({ source: f.source, issues: f.issuesPath, events: f.eventsPath ?? null })),
      enqueued: added.length,
      unchanged: existing.length,
      counts: await runs.get(runId),
    };
  } finally {
    await worker?.close();
    await queue.close();
    redis.disconnect();
  }
}

export function formatBeadsIngest(s: BeadsIngestSummary): string {
  const c = s.counts;
  const pick = (prefix: string) => Object.entries(c).filter(([k]) => k.startsWith(prefix)).map(([k, v]) => `${k.slice(prefix.length)}=${v}`).join(' ') || '-';
  const bad = Object.entries(c)
    .filter(([k]) => /unknown|malformed|orphan|not_json|invalid|oversize|truncated|without|incomplete|bad_time|repeated/.test(k))
    .map(([k, v]) => `${k}=${v}`).join(' ') || '-';
  return [
    `beads run ${s.run_id}: ${s.exports.length} export(s) under ${s.dir}, enqueued ${s.enqueued}, unchanged ${s.unchanged}`,
    ...s.exports.map((e) => `  ${e.source}: ${e.issues}${e.events ? ` + ${e.events}` : ' (no events file)'}`),
    `issues ${c.issues ?? 0}, events ${c.events ?? 0}, lifecycles ${c.lifecycles ?? 0}, written ${c.beads_written ?? 0}, points ${c.points_written ?? 0}`,
    `outcomes: ${pick('outcome.')}`,
    `bad input (counted, skipped): ${bad}`,
  ].join('\n');
}

export function registerBeadsCommand(program: Command): Command {
  const beads = program.command('beads').description('beads (issue tracker) exports: bead lifecycles for outcome-linked quality');
  beads
    .command('ingest')
    .argument('<dir>', 'a folder holding beads exports (a rig, the town root, a .beads folder) or an issues file')
    .description('enqueue every beads export under DIR; with --inline also process them here and print what was read')
    .option('--out <dir>', 'dataset folder (HARVEST_OUT, default ./data)')
    .option('--inline', 'run a beads worker in this process until the exports are done')
    .option('--force', 'redo exports already ingested from the same files')
    .option('--json', 'print the summary as one JSON object on the last line of stdout')
    .action(async (dir: string, o: BeadsIngestOptions) => {
      await withConfig(o.out, async (cfg) => {
        const s = await beadsIngest(cfg, dir, o);
        process.stdout.write((o.json ? JSON.stringify(s) : formatBeadsIngest(s)) + '\n');
        if ((s.counts.exports_failed ?? 0) > 0) process.exitCode = 1;
      });
    });
  beads
    .command('show')
    .argument('<id>', 'bead id')
    .description('print a bead\'s lifecycle as stored in Redis (JSON)')
    .action(async (id: string) => {
      await withConfig(undefined, async (cfg) => {
        const redis = clientConnection({ redisUrl: cfg.redisUrl, prefix: cfg.prefix });
        try {
          const lc = (await new BeadStore(redis, cfg.prefix).get([id])).get(id);
          if (!lc) {
            process.stderr.write(`harvest: no bead ${id} (ingest its export with \`harvest beads ingest DIR\`)\n`);
            process.exitCode = 1;
            return;
          }
          process.stdout.write(JSON.stringify(lc, null, 2) + '\n');
        } finally {
          redis.disconnect();
        }
      });
    });
  return beads;
}
