import { test } from 'node:test';
import assert from 'node:assert/strict';
import { eventBatchSchema, eventId, eventInputSchema, eventToPoint, parseEventInputs, toEventRecord } from '../../src/model/event.ts';

const action = { type: 'action_taken', repo: 'o/r', pr: 12, action: 'wait', reason: 'checks running', at: '2025-03-01T10:00:00Z' } as const;

test('a key fixes the id whatever the content; without one the content does', () => {
  const a = eventInputSchema.parse({ ...action, key: 'k1' });
  const b = eventInputSchema.parse({ ...action, reason: 'other', key: 'k1' });
  assert.equal(eventId(a), eventId(b));
  const c = eventInputSchema.parse(action);
  const d = eventInputSchema.parse({ ...action, at: Date.parse(action.at) });
  assert.equal(eventId(c), eventId(d), 'the same instant as ISO or ms is the same event');
  assert.notEqual(eventId(c), eventId(eventInputSchema.parse({ ...action, at: '2025-03-01T10:00:01Z' })));
  assert.match(eventId(c), /^ev-[0-9a-f]{32}$/);
});

test('records carry normalised times; points carry the contract tags and fields', () => {
  const r = toEventRecord(eventInputSchema.parse({ ...action, pr: '12' }), 'http', Date.parse('2025-03-02T00:00:00Z'));
  assert.equal(r.at, '2025-03-01T10:00:00.000Z');
  assert.equal(r.received_at, '2025-03-02T00:00:00.000Z');
  assert.equal(r.type === 'action_taken' && r.pr, 12);
  const p = eventToPoint(r);
  assert.deepEqual(p.tags, { repo: 'o/r', pr: '12' });
  assert.equal(p.fields.action, 'wait');
  assert.equal(p.fields.reason, 'checks running');
  assert.equal(p.timestamp, Date.parse(action.at));
  const o = eventToPoint(toEventRecord(eventInputSchema.parse({ type: 'outcome', repo: 'o/r', pr: 12, result: 'success', detail: 'merged', resolution_hours: 0.5 }), 'cli'));
  assert.equal(o.measurement, 'outcome');
  assert.deepEqual([o.fields.result, o.fields.detail, o.fields.resolution_hours], ['success', 'merged', 0.5]);
});

test('bad bodies name their fields', () => {
  const bad = parseEventInputs([action, { ...action, pr: -1, result: 'x' }], 'http');
  assert.equal(bad.ok, false);
  if (!bad.ok) {
    assert.ok(bad.issues.some((i) => i.path === '1.pr'), JSON.stringify(bad.issues));
    assert.ok(bad.issues.some((i) => i.path.startsWith('1')), JSON.stringify(bad.issues));
  }
  const typo = parseEventInputs({ type: 'outcome', repo: 'o/r', pr: 1, result: 'sucess' }, 'http');
  assert.equal(typo.ok, false);
  if (!typo.ok) assert.deepEqual(typo.issues.map((i) => i.path), ['result']);
  const unknownKey = parseEventInputs({ ...action, reson: 'x' }, 'http');
  assert.equal(unknownKey.ok, false);
  const tooMany = parseEventInputs(Array.from({ length: 1001 }, () => action), 'http');
  assert.equal(tooMany.ok, false);
  assert.equal(eventBatchSchema.safeParse({ events: [action, action] }).success, true);
  assert.equal(eventBatchSchema.safeParse([]).success, false);
});
