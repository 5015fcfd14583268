// `harvest shards compact --in DIR... --out DIR` merges several hosts' dataset folders into one;
// `harvest shards recover --out DIR` seals the open shards of workers that are gone.
import { join, resolve } from 'node:path';
import type { Command } from 'commander';
import { loadConfig } from '../config.ts';
import { createLogger } from '../log.ts';
import { compactShards, samplesRoot, CompactError } from '../pipeline/compact-shards.ts';
import { recoverOpenShards } from '../sinks/shards/shard-files.ts';
import { WorkerRegistry } from '../state/worker-registry.ts';
import { opsRedis } from './ops-redis.ts';

const collect = (v: string, prev: string[] = []): string[] => [...prev, v];

export function registerShardsCommand(program: Command): void {
  const shards = program.command('shards').description('merge and repair dataset folders');

  shards
    .command('compact')
    .description('merge dataset folders (of several hosts) into one: latest versions, no duplicate content, fresh shards and manifests')
    .requiredOption('--in <dirs...>', 'dataset folders to read (the --out of workers, or their samples/ folders)')
    .requiredOption('--out <dir>', 'new, empty dataset folder to write')
    .option('--json', 'print the result as one JSON object')
    .action(async (o: { in: string[]; out: string; json?: boolean }) => {
      const cfg = loadConfig();
      let res;
      try {
        res = await compactShards(o.in, o.out, { maxBytes: cfg.shardMaxBytes });
      } catch (e) {
        if (!(e instanceof CompactError)) throw e;
        process.stderr.write(`harvest: ${e.message}\n`);
        process.exitCode = 1;
        return;
      }
      if (o.json) {
        process.stdout.write(JSON.stringify(res) + '\n');
        return;
      }
      const dropped = Object.entries(res.dropped).map(([k, v]) => `${v} ${k}`).join(', ') || 'nothing';
      process.stdout.write(`compacted ${res.inputs.length} folder(s) into ${join(res.out, 'samples')}: ${res.written} records in ${res.shards} shard(s); dropped ${dropped}\n`);
    });

  shards
    .command('recover')
    .description('seal now the open shards left by workers that are no longer alive (by heartbeat)')
    .requiredOption('--out <dir>', 'dataset folder')
    .option('--dead <worker-id>', 'treat this worker as gone even if its heartbeat has not expired yet (repeatable)', collect)
    .option('--json', 'print the result as one JSON object')
    .action(async (o: { out: string; dead?: string[]; json?: boolean }) => {
      const cfg = loadConfig();
      const log = createLogger();
      const redis = await opsRedis(cfg);
      const registry = new WorkerRegistry(redis, cfg.prefix);
      const dead = new Set(o.dead ?? []);
      try {
        const sealed = await recoverOpenShards(samplesRoot(resolve(o.out)), async (id) => !dead.has(id) && (await registry.isAlive(id)));
        for (const m of sealed) log.info({ shard: m.shard, worker: m.worker_id, records: m.records }, 'sealed a shard left open');
        const records = sealed.reduce((a, m) => a + m.records, 0);
        process.stdout.write((o.json
          ? JSON.stringify({ sealed: sealed.map((m) => ({ shard: m.shard, worker: m.worker_id, records: m.records })), records })
          : `sealed ${sealed.length} open shard(s) with ${records} record(s)`) + '\n');
      } finally {
        redis.disconnect();
      }
    });
}
