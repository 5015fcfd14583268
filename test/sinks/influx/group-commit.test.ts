import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { PointRecord, PointSink } from '../../../src/model/point.ts';
import { GroupCommitSink } from '../../../src/sinks/influx/group-commit.ts';

const p = (n: number): PointRecord => ({ measurement: 'm', tags: {}, fields: { n }, timestamp: n });
const many = (from: number, count: number) => Array.from({ length: count }, (_, i) => p(from + i));

/** Records each request; fails those whose first point's value is listed. */
class RecordingSink implements PointSink {
  batches: PointRecord[][] = [];
  closed = false;
  constructor(
    private readonly failOn = new Set<number>(),
    private readonly latencyMs = 5,
  ) {}
  async write(points: PointRecord[]): Promise<void> {
    await new Promise((r) => setTimeout(r, this.latencyMs));
    this.batches.push(points);
    if (points.some((x) => this.failOn.has(x.fields.n as number))) throw new Error(`batch with ${points.length} points refused`);
  }
  async close(): Promise<void> {
    this.closed = true;
  }
}

describe('GroupCommitSink', () => {
  test('writes within the window go out as one request; every caller resolves', async () => {
    const inner = new RecordingSink();
    const sink = new GroupCommitSink(inner, { maxPoints: 5000, maxDelayMs: 30 });
    await Promise.all(Array.from({ length: 40 }, (_, i) => sink.write(many(i * 10, 10))));
    assert.equal(inner.batches.length, 1);
    assert.equal(inner.batches[0].length, 400);
    assert.deepEqual(inner.batches[0].map((x) => x.fields.n), Array.from({ length: 400 }, (_, i) => i), 'in call order');
    await sink.close();
    assert.equal(inner.closed, true);
  });

  test('a full batch goes at once; while it is in flight the next one gathers', async () => {
    const inner = new RecordingSink(new Set(), 40);
    const sink = new GroupCommitSink(inner, { maxPoints: 100, maxDelayMs: 10_000 });
    const t0 = Date.now();
    await Promise.all(Array.from({ length: 25 }, (_, i) => sink.write(many(i * 10, 10))));
    assert.ok(Date.now() - t0 < 5000, 'did not wait for the timer');
    assert.deepEqual(inner.batches.map((b) => b.length), [100, 100, 50]);
    assert.ok(inner.batches.flat().every((x, i) => x.fields.n === i));
    await sink.close();
  });

  test("a caller's write is never split; one larger than maxPoints goes alone", async () => {
    const inner = new RecordingSink();
    const sink = new GroupCommitSink(inner, { maxPoints: 100, maxDelayMs: 5 });
    await Promise.all([sink.write(many(0, 60)), sink.write(many(60, 60)), sink.write(many(120, 250))]);
    assert.deepEqual(inner.batches.map((b) => b.length), [60, 60, 250]);
    await sink.close();
  });

  test("a failed batch rejects exactly its callers, with the batch's error", async () => {
    const inner = new RecordingSink(new Set([150]), 20);
    const sink = new GroupCommitSink(inner, { maxPoints: 100, maxDelayMs: 5 });
    const results = await Promise.allSettled([
      sink.write(many(0, 50)),
      sink.write(many(50, 50)), // batch 1: fine
      sink.write(many(100, 50)),
      sink.write(many(150, 50)), // batch 2: refused
      sink.write(many(200, 50)), // batch 3: fine
    ]);
    assert.deepEqual(results.map((r) => r.status), ['fulfilled', 'fulfilled', 'rejected', 'rejected', 'fulfilled']);
    const [e1, e2] = [results[2], results[3]].map((r) => (r as PromiseRejectedResult).reason as Error);
    assert.equal(e1, e2, 'the same error object');
    assert.match(e1.message, /100 points refused/);
    await sink.close();
  });

  test('close sends what is pending, then refuses writes', async () => {
    const inner = new RecordingSink();
    const sink = new GroupCommitSink(inner, { maxPoints: 1000, maxDelayMs: 60_000 });
    const w = sink.write(many(0, 3));
    await sink.close();
    await w;
    assert.equal(inner.batches.length, 1);
    await assert.rejects(sink.write(many(0, 1)), /after close/);
  });
});
