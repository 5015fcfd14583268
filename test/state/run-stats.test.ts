// Run counters and warnings in Redis: a job that runs twice counts and lists once.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { Redis } from 'ioredis';
import { REDIS_URL, uniquePrefix, dropPrefix } from '../support/redis.ts';
import { RunStats } from '../../src/state/run-stats.ts';

const prefix = uniquePrefix('runstats');
const redis = new Redis(REDIS_URL);
after(async () => {
  await dropPrefix(prefix);
  redis.disconnect();
});

test('counts and warnings of a job land once, however often it runs', async () => {
  const runs = new RunStats(redis, prefix);
  const w = (path: string) => ({ kind: 'no conversation turns; nothing to emit', path, message: 'no conversation turns; nothing to emit' });
  await runs.addOnce('r1', 'job-a', { files: 1, samples_written: 3 }, [w('/a'), w('/a2')]);
  await runs.addOnce('r1', 'job-a', { files: 1, samples_written: 3 }, [w('/a'), w('/a2')]);
  await runs.addOnce('r1', 'job-b', { files: 1 }, [w('/b')]);
  await runs.addOnce('r1', 'job-c', { files: 1 });
  assert.deepEqual(await runs.get('r1'), { files: 3, samples_written: 3, warnings: 3 });
  assert.deepEqual((await runs.warnings('r1')).map((x) => x.path), ['/a', '/a2', '/b']);
  assert.deepEqual(await runs.warnings('other'), []);
});
