// `harvest shards compact --in DIR... --out DIR` merges several hosts' dataset folders into one;
// `harvest shards recover --out DIR` seals the shards of workers that are gone and removes repeats.
import { join, resolve } from 'node:path';
import type { Command } from 'commander';
import { loadConfig } from '../config.ts';
import { createLogger } from '../log.ts';
import { compactShards, CompactError } from '../pipeline/compact-shards.ts';
import { recoverDataset } from '../pipeline/recover-shards.ts';
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
    .description('put a dataset folder in order: seal the shards of workers that are gone (mending torn commit logs, writing missing manifests), remove records repeated across shards')
    .requiredOption('--out <dir>', 'dataset folder')
    .option('--dead <worker-id>', 'a worker on another machine that is gone, even if its lock and heartbeat look recent (repeatable)', collect)
    .option('--json', 'print the result as one JSON object')
    .action(async (o: { out: string; dead?: string[]; json?: boolean }) => {
      const cfg = loadConfig();
      const log = createLogger();
      const redis = await opsRedis(cfg);
      try {
        const res = await recoverDataset(resolve(o.out), redis, cfg.prefix, new Set(o.dead ?? []));
        for (const m of res.sealed) log.info(m, 'sealed a shard left open');
        process.stdout.write((o.json
          ? JSON.stringify(res)
          : `sealed ${res.sealed.length} open shard(s) with ${res.records} record(s); removed ${res.repeats_removed} repeated line(s)${res.live ? `; left ${res.live} shard(s) of live workers alone` : ''}`) + '\n');
      } finally {
        redis.disconnect();
      }
    });
}
