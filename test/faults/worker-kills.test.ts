// kill -9 of one of two workers sharing a folder, at each step a crash can interrupt (a failpoint
// kills the process from inside: after the data write, after the commit log, after the ledger
// heard of the lines, in the middle of a seal) and once from outside. After each, every raw line
// of every shard equals the undisturbed run's, each record once (support.ts reads them with plain
// fs + JSON.parse).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { REDIS_URL, dropPrefix } from '../support/redis.ts';
import { waitExit } from '../support/harvest-cli.ts';
import { writeClaudeCorpus } from '../support/claude-corpus.ts';
import { FaultBench, committedBy, until } from './support.ts';

const bench = new FaultBench(40, dropPrefix, REDIS_URL);
before(() => bench.setup((dir, n) => void writeClaudeCorpus(dir, n, 10)));
after(() => bench.teardown());

for (const point of ['after-data:3', 'after-commit:3', 'after-keep:3', 'mid-seal:2']) {
  const name = point.split(':')[0];
  test(`kill -9 of one of two workers ${name}`, async () => {
    const t0 = Date.now();
    const { env } = bench.fresh(`kill-${name}`);
    const { out, workers } = await bench.twoWorkers('kill', env, REDIS_URL, async (f, [victim]) => {
      await until('the victim to die at its failpoint', () => victim.child.exitCode !== null || victim.child.signalCode !== null, 120_000);
      assert.equal(victim.child.signalCode, 'SIGKILL', victim.output().slice(-2000));
      await bench.drained(f);
    }, [{ HARVEST_FAILPOINT: point, HARVEST_WORKER_ID: 'victim' }, {}]);
    await bench.finish(out, env, workers);
    bench.verify(`kill -9 ${name}`, out, t0);
  });
}

test('kill -9 of one of two workers, from outside, mid-run', async () => {
  const t0 = Date.now();
  const { env } = bench.fresh('kill-outside');
  const { out, workers } = await bench.twoWorkers('kill-outside', env, REDIS_URL, async (f, [victim], folder) => {
    await until('the victim to commit something', () => committedBy(folder, 'victim'), 120_000, 5);
    victim.child.kill('SIGKILL');
    await waitExit(victim.child);
    await bench.drained(f);
  }, [{ HARVEST_WORKER_ID: 'victim' }, {}]);
  await bench.finish(out, env, workers);
  bench.verify('kill -9 from outside', out, t0);
});
