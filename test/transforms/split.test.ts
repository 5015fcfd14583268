import assert from 'node:assert/strict';
import { test } from 'node:test';
import { splitFor } from '../../src/transforms/split.ts';

test('the same id always gets the same split', () => {
  for (let i = 0; i < 50; i++) assert.equal(splitFor(`session-${i}`), splitFor(`session-${i}`));
});

test('about valPercent of ids go to val', () => {
  const ids = Array.from({ length: 20000 }, (_, i) => `3f2c${i}-session`);
  const val = ids.filter((id) => splitFor(id, 5) === 'val').length / ids.length;
  assert.ok(val > 0.04 && val < 0.06, `val share ${val}`);
  const val20 = ids.filter((id) => splitFor(id, 20) === 'val').length / ids.length;
  assert.ok(val20 > 0.18 && val20 < 0.22, `val share ${val20}`);
});

test('0 and 100 are all train and all val; out of range is refused', () => {
  assert.equal(splitFor('x', 0), 'train');
  assert.equal(splitFor('x', 100), 'val');
  assert.throws(() => splitFor('x', 101), /valPercent must be within 0..100, got 101/);
  assert.throws(() => splitFor('x', Number.NaN), /valPercent/);
});
