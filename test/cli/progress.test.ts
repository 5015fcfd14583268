import { test } from 'node:test';
import assert from 'node:assert/strict';
import { barLines, Eta, progressMode } from '../../src/cli/progress.ts';

const state = { discovered: 10, enqueuing: false, enqueued: 8, unchanged: 2, processed: 4, failed: 0, samples: 30, warnings: 3 };

test('the ETA is "--" until there is a rate and a final total, then a duration (never NF)', () => {
  const eta = new Eta();
  assert.equal(eta.estimate(0, 8, true, 0), null);
  assert.equal(eta.estimate(2, 8, false, 1000), null, 'the total still grows');
  assert.equal(eta.estimate(2, 8, true, 1500), null, 'no time since the first file yet');
  assert.equal(eta.estimate(4, 8, true, 3000), 4, '2 files in 2 s, 4 left');
  const lines = barLines(state, null, 3);
  assert.match(lines[2], /4\/8 · 3s · eta --$/);
  assert.match(barLines(state, 75, 3)[2], /eta 1m15s$/);
  for (const l of lines) assert.doesNotMatch(l, /NF|NULL|INF/);
});

test('one row per phase', () => {
  const [d, e, p, s] = barLines({ ...state, enqueuing: true, unchanged: 0 }, null, 0);
  assert.match(d, /^discovered +10 session files …$/);
  assert.match(e, /^enqueued +█+░+ 8 new$/, 'unchanged is known once enqueueing is done');
  assert.match(p, /^processed +█+░+ 4\/8/);
  assert.match(s, /^samples +30 written · 3 warnings$/);
});

test('bars only on a terminal, never with --quiet or --json', () => {
  assert.equal(progressMode({ tty: true, quiet: false, json: false }), 'bars');
  assert.equal(progressMode({ tty: false, quiet: false, json: false }), 'lines');
  assert.equal(progressMode({ tty: true, quiet: false, json: true }), 'lines');
  assert.equal(progressMode({ tty: true, quiet: true, json: false }), 'none');
});
