// The event pipeline against the real Redis: an event records once (even after its job is long
// gone), a transient point failure records nothing until the retry, a permanent refusal still keeps
// the event in the shards, and secrets in free text are scrubbed.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { REDIS_URL, uniquePrefix, dropPrefix } from '../support/redis.ts';
import { processEvent, processEvents, PointRefusedError, type EventSinks } from '../../src/pipeline/events.ts';
import { eventInputSchema, toEventRecord } from '../../src/model/event.ts';
import type { PointRecord, PointSink } from '../../src/model/point.ts';
import { PermanentWriteError, TransientWriteError } from '../../src/sinks/influx/errors.ts';
import { ShardWriter } from '../../src/sinks/shards/shard-writer.ts';
import { RecordLedger } from '../../src/state/record-ledger.ts';
import { readEventShards } from '../../src/sources/events/read-shards.ts';

const redis = new Redis(REDIS_URL);
const prefix = uniquePrefix('event-pipeline');
after(async () => {
  await dropPrefix(prefix);
  redis.disconnect();
});

class ScriptedSink implements PointSink {
  written: PointRecord[] = [];
  failures: Error[] = [];
  async write(points: PointRecord[]): Promise<void> {
    const f = this.failures.shift();
    if (f) throw f;
    this.written.push(...points);
  }
  async close(): Promise<void> {}
}

const record = (over: Record<string, unknown> = {}) =>
  toEventRecord(eventInputSchema.parse({ type: 'action_taken', repo: 'o/r', pr: 5, action: 'wait', reason: 'r', at: '2025-02-01T00:00:00Z', ...over }), 'cli');

test('records once, retries after a transient failure, keeps a refused event in the shards, scrubs secrets', async () => {
  const root = mkdtempSync(join(tmpdir(), 'harvest-events-'));
  const ledger = new RecordLedger(redis, `${prefix}:events`);
  const writer = new ShardWriter({ root, workerId: 'pipe', maxBytes: 1 << 20, ledger });
  const points = new ScriptedSink();
  const actions: string[] = [];
  const sinks: EventSinks = { writer, points, ledger, recordActions: async (rs) => void actions.push(...rs.map((r) => r.id)) };

  const a = record();
  assert.equal((await processEvent(a, sinks)).written, true);
  assert.equal((await processEvent(a, sinks)).written, false, 'the same id again writes nothing');

  const b = record({ key: 'b' });
  points.failures.push(new TransientWriteError('influx', 'down'));
  await assert.rejects(processEvent(b, sinks), TransientWriteError);
  assert.equal((await processEvent(b, sinks)).written, true, 'the retry records it');

  const c = record({ key: 'c', reason: 'token ghp_abcdefghijklmnopqrstuvwxyz0123456789 leaked' });
  points.failures.push(new PermanentWriteError(400, 'bad field type', 'influx'));
  await assert.rejects(processEvent(c, sinks), PointRefusedError);
  assert.equal((await processEvent(c, sinks)).written, false, 'recorded: a redelivery does not write it again');

  await writer.sealAll();
  const got = [];
  for await (const e of readEventShards(root)) got.push(e);
  assert.deepEqual(got.map((e) => e.id).sort(), [a.id, b.id, c.id].sort());
  const cr = got.find((e) => e.id === c.id);
  assert.ok(cr?.type === 'action_taken' && !cr.reason.includes('ghp_abcdefghijklmnopqrstuvwxyz0123456789'), 'the token is scrubbed');
  assert.deepEqual(points.written.map((p) => p.fields.event_id), [a.id, b.id]);
  assert.deepEqual(actions, [a.id, b.id, c.id]);
});

test('a batch: one ledger call decides every event (repeats within and across batches write nothing), one point write, refused points pinned to their events', async () => {
  const root = mkdtempSync(join(tmpdir(), 'harvest-events-batch-'));
  const ledger = new RecordLedger(redis, `${prefix}:events-batch`);
  const writer = new ShardWriter({ root, workerId: 'batch', maxBytes: 1 << 20, ledger });
  class RefusingSink extends ScriptedSink {
    calls = 0;
    override async write(points: PointRecord[]): Promise<void> {
      this.calls++;
      if (points.some((p) => p.fields.reason === 'bad')) throw new PermanentWriteError(400, 'field type conflict', 'influx');
      this.written.push(...points);
    }
  }
  const points = new RefusingSink();
  const actions: string[] = [];
  const sinks: EventSinks = { writer, points, ledger, recordActions: async (rs) => void actions.push(...rs.map((r) => r.id)) };
  const batch = Array.from({ length: 50 }, (_, i) => record({ key: `k${i}`, reason: `r${i}` }));
  const first = await processEvents([...batch, batch[3]], sinks);
  assert.equal(first.written, true);
  assert.equal(first.counts.events_action_taken, 50);
  assert.equal(first.counts.events_repeated, 1, 'the id repeated inside the batch');
  assert.equal(points.calls, 1, 'one point write for the batch');
  const again = await processEvents([batch[0], record({ key: 'new' })], sinks);
  assert.deepEqual([again.counts.events_repeated, again.counts.events_action_taken], [1, 1]);
  await assert.rejects(processEvents([record({ key: 'x1' }), record({ key: 'x2', reason: 'bad' }), record({ key: 'x3' })], sinks), PointRefusedError);
  await writer.sealAll();
  const got = [];
  for await (const e of readEventShards(root)) got.push(e.id);
  assert.equal(got.length, 54, 'every event once in the shards, the refused one too');
  assert.equal(new Set(got).size, 54);
  assert.equal(points.written.length, 53, 'only the refused point is missing');
  assert.equal(actions.length, 54);
});
