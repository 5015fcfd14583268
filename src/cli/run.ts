// `harvest run`: everything one host needs in one process tree: workers for every queue, the board
// (serve), and the producers (watchers, repository schedules). `worker`, `serve` and the producers'
// own commands split the same parts across processes and machines.
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { loadConfig } from '../config.ts';
import { createLogger } from '../log.ts';
import { runWorkerProcess } from '../../workers/main.ts';
import { ensureRedis } from './ensure-redis.ts';
import { PRODUCERS, type RunningProducer } from './producers.ts';
import { addServeOptions, startServe } from './serve.ts';

export function registerRunCommand(program: Command): void {
  addServeOptions(program
    .command('run')
    .description('one host, one command: workers for every queue, the board, and every producer, until SIGTERM')
    .option('--out <dir>', 'dataset folder (HARVEST_OUT, default ./data)')
    .option('--no-serve', 'do not start the board / HTTP server'))
    .action(async (o: { host: string; port: number; readOnly?: boolean; out?: string; serve: boolean }) => {
      const log = createLogger();
      const base = loadConfig(process.env, o.out ? { outDir: resolve(o.out) } : {});
      const redis = await ensureRedis(base.redisUrl, base.redisUrlExplicit, base.outDir);
      if (redis.private) log.info({ url: redis.url }, 'no Redis at the default address; started a private redis-server for this run');
      const cfg = { ...base, redisUrl: redis.url };
      const server = o.serve ? await startServe(cfg, log, o) : null;
      const producers: { name: string; p: RunningProducer }[] = [];
      const stopProducers = async () => {
        for (const { name, p } of producers.splice(0).reverse()) {
          await p.stop().catch((err) => log.error({ err, producer: name }, 'stopping producer failed'));
        }
      };
      // On SIGTERM the producers stop enqueueing while the workers finish what they hold.
      const onSignal = () => void stopProducers();
      process.once('SIGTERM', onSignal);
      process.once('SIGINT', onSignal);
      try {
        for (const pr of PRODUCERS) {
          producers.push({ name: pr.name, p: await pr.start(cfg, log) });
          log.info({ producer: pr.name }, 'producer started');
        }
        await runWorkerProcess(cfg, log);
      } finally {
        await stopProducers();
        await server?.close();
        await redis.stop();
      }
    });
}
