import { test } from 'node:test';
import assert from 'node:assert/strict';
import { groupWarnings, toRunWarning, warningKind } from '../../src/model/run-warning.ts';

test('a warning\'s kind leaves out its paths and numbers; its own file is taken off the front', () => {
  const p = '/s/--a--/x.jsonl';
  assert.deepEqual(toRunWarning(p, `${p}: 3 line(s) skipped (malformed_json)`), { kind: 'N line(s) skipped (malformed_json)', path: p, message: '3 line(s) skipped (malformed_json)' });
  assert.equal(toRunWarning(p, `${p}:17: blob missing for entry e4`).message, 'blob missing for entry e4');
  assert.equal(toRunWarning(p, `${p}: parent session /s/p.jsonl not readable (ENOENT)`).kind, 'parent session <path> not readable (ENOENT)');
  assert.equal(toRunWarning(p, 'failed: the file is gone').message, 'failed: the file is gone');
  assert.equal(warningKind('no Task/Agent call in /a/b.jsonl names agent 12'), 'no Task/Agent call in <path> names agent N');
  // pi names blobs by the session file and a content hash: one kind however many files.
  assert.equal(warningKind('attachment blob 2026-01-14T17-40-11.902Z_9a0b1c2d.jsonl.blobs/ffc620d16ba0b8b61dcf9830 is missing'), 'attachment blob <file> is missing');
  assert.equal(warningKind('tool result for call_9f8e7d6c5b4a3f2e has no call'), 'tool result for call_<hash> has no call');
});

test('groups: most frequent kind first, the first few distinct files of each', () => {
  const w = (kind: string, path: string) => ({ kind, path, message: kind });
  const g = groupWarnings([w('a', '1'), w('b', '1'), w('b', '1'), w('b', '2'), w('b', '3'), w('b', '4')], 3);
  assert.deepEqual(g, [{ kind: 'b', count: 5, first: ['1', '2', '3'] }, { kind: 'a', count: 1, first: ['1'] }]);
});
