import assert from 'node:assert/strict';
import { test } from 'node:test';
import { truncateMiddle } from '../../src/transforms/truncate.ts';

test('short text is returned as is', () => {
  assert.equal(truncateMiddle('hello', 10), 'hello');
});

test('long text keeps 60% head and the tail around a marker naming the cut', () => {
  const text = 'H'.repeat(3000) + 'T'.repeat(3000);
  const out = truncateMiddle(text, 2000);
  assert.ok(out.length <= 2000 && out.length >= 1990, `length ${out.length}`);
  const [head, tail] = out.split(/\n\[\.\.\. truncated \d+ chars \.\.\.\]\n/);
  assert.ok(head.length > tail.length, 'head is the larger part');
  assert.ok(Math.abs(head.length / (head.length + tail.length) - 0.6) < 0.01);
  const removed = Number(/truncated (\d+) chars/.exec(out)![1]);
  assert.equal(head.length + tail.length + removed, text.length);
  assert.ok(out.startsWith('HHH') && out.endsWith('TTT'));
});

test('never splits a surrogate pair', () => {
  const text = '😀'.repeat(2000);
  for (const max of [100, 101, 102, 103, 500]) {
    const out = truncateMiddle(text, max);
    assert.ok(out.length <= max);
    assert.doesNotThrow(() => encodeURIComponent(out), `lone surrogate at max ${max}`);
  }
});

test('a budget below the marker keeps only a head', () => {
  assert.equal(truncateMiddle('abcdefghijklmnopqrstuvwxyz'.repeat(10), 5), 'abcde');
});
