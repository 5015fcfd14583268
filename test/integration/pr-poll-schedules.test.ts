// `harvest repos add|list|remove` through commander against the real Redis: one Job Scheduler per
// repository, re-adding updates it (any case of the name), list shows them, remove removes them.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { Command } from 'commander';
import { Redis } from 'ioredis';
import { registerReposCommand } from '../../src/cli/repos.ts';
import { listRepositorySchedules, prPollQueue, repoSchedulerId, scheduleRepository } from '../../queues/pr-poll.ts';
import { REDIS_URL, dropPrefix, uniquePrefix } from '../support/redis.ts';

const prefix = uniquePrefix('repos');
const saved = { prefix: process.env.HARVEST_PREFIX, url: process.env.REDIS_URL };
let redis: Redis;

async function harvest(...args: string[]): Promise<{ out: string; exitCode: number }> {
  const program = new Command('harvest').exitOverride();
  let out = '';
  registerReposCommand(program, { write: (s: string) => (out += s) });
  process.exitCode = 0;
  await program.parseAsync(args, { from: 'user' });
  const exitCode = Number(process.exitCode ?? 0);
  process.exitCode = 0;
  return { out, exitCode };
}

before(() => {
  process.env.HARVEST_PREFIX = prefix;
  process.env.REDIS_URL = REDIS_URL;
  redis = new Redis(REDIS_URL);
});
after(async () => {
  if (saved.prefix === undefined) delete process.env.HARVEST_PREFIX;
  else process.env.HARVEST_PREFIX = saved.prefix;
  if (saved.url === undefined) delete process.env.REDIS_URL;
  else process.env.REDIS_URL = saved.url;
  redis.disconnect();
  await dropPrefix(prefix);
});

test('repos add twice -> one scheduler, updated; list shows them; remove removes them', async () => {
  const queue = prPollQueue({ redisUrl: REDIS_URL, prefix }, redis);
  try {
    assert.match((await harvest('repos', 'add', 'dappcore/core', '--every', '1h')).out, /^dappcore\/core: polled every 1h, next at /);
    assert.match((await harvest('repos', 'add', 'DappCore/Core', '--every', '15m')).out, /polled every 15m/);
    await harvest('repos', 'add', 'dappcore/core-php', '--every', '1h');
    assert.equal(await queue.getJobSchedulersCount(), 2);
    const list = await listRepositorySchedules(queue);
    assert.deepEqual(list.map((s) => [s.repo.toLowerCase(), s.everyMs]), [['dappcore/core', 900_000], ['dappcore/core-php', 3_600_000]]);
    assert.ok((await queue.getJobScheduler(repoSchedulerId('dappcore/core')))?.every === 900_000);
    // Each schedule holds exactly one next poll, however often it was re-added.
    const counts = await queue.getJobCounts('delayed', 'waiting');
    assert.equal(counts.delayed + counts.waiting, 2);

    const shown = (await harvest('repos', 'list')).out;
    assert.match(shown, /^repository\s+every\s+next poll$/m);
    assert.match(shown, /^DappCore\/Core\s+15m\s+\d{4}-/m);
    assert.match(shown, /^dappcore\/core-php\s+1h\s+\d{4}-/m);
    const json = JSON.parse((await harvest('repos', 'list', '--json')).out) as { repo: string; everyMs: number }[];
    assert.equal(json.length, 2);

    assert.match((await harvest('repos', 'remove', 'dappcore/core')).out, /no longer polled/);
    assert.deepEqual((await listRepositorySchedules(queue)).map((s) => s.repo), ['dappcore/core-php']);
    const again = await harvest('repos', 'remove', 'dappcore/core');
    assert.match(again.out, /was not polled/);
    assert.equal(again.exitCode, 1);
    await harvest('repos', 'remove', 'dappcore/core-php');
    assert.match((await harvest('repos', 'list')).out, /no repositories are polled/);
    assert.equal(await queue.getJobSchedulersCount(), 0);
    assert.equal((await queue.getJobCounts('delayed')).delayed, 0, 'the pending polls went with them');
  } finally {
    await queue.close();
  }
});

test('bad input is refused before anything is stored', async () => {
  await assert.rejects(harvest('repos', 'add', 'not-a-repo'), /OWNER\/NAME/);
  await assert.rejects(harvest('repos', 'add', 'a/b', '--every', 'soon'), /not a duration/);
  const queue = prPollQueue({ redisUrl: REDIS_URL, prefix }, redis);
  try {
    await assert.rejects(scheduleRepository(queue, 'a/b', 10), RangeError);
    assert.equal(await queue.getJobSchedulersCount(), 0);
  } finally {
    await queue.close();
  }
});
