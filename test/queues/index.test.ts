// The list of queues every face shows: complete (each queue a worker serves is in it), unique, and
// every queue trims its history.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { QUEUES, queueInfo, UnknownQueueError } from '../../queues/index.ts';
import { WORKERS } from '../../workers/registry.ts';

test('every queue a worker serves is listed, once, with a one-line description', () => {
  const names = QUEUES.map((q) => q.name);
  assert.equal(new Set(names).size, names.length, 'no queue twice');
  for (const w of Object.keys(WORKERS)) assert.ok(names.includes(w), `queue ${w} (served by workers/registry.ts) is listed in queues/index.ts`);
  for (const q of QUEUES) {
    assert.match(q.name, /^[a-z0-9-]+$/, q.name);
    assert.ok(q.description.length > 0 && !q.description.includes('\n'), `${q.name}: one-line description`);
  }
});

test('every queue bounds its completed and failed history', () => {
  for (const q of QUEUES) {
    assert.ok(q.jobOptions.removeOnComplete !== undefined && q.jobOptions.removeOnComplete !== false, `${q.name}: removeOnComplete`);
    assert.ok(q.jobOptions.removeOnFail !== undefined && q.jobOptions.removeOnFail !== false, `${q.name}: removeOnFail (failed jobs kept for triage, but not forever)`);
    assert.ok((q.jobOptions.attempts ?? 1) >= 1, `${q.name}: attempts`);
  }
});

test('queueInfo names the known queues when asked for an unknown one', () => {
  assert.equal(queueInfo(QUEUES[0].name), QUEUES[0]);
  assert.throws(() => queueInfo('nope'), (e: Error) => e instanceof UnknownQueueError && e.message.includes(QUEUES[0].name));
});
