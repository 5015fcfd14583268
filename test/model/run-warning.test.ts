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
});

test('groups: most frequent kind first, the first few distinct files of each', () => {
  const w = (kind: string, path: string) => ({ kind, path, message: kind });
  const g = groupWarnings([w('a', '1'), w('b', '1'), w('b', '1'), w('b', '2'), w('b', '3'), w('b', '4')], 3);
  assert.deepEqual(g, [{ kind: 'b', count: 5, first: ['1', '2', '3'] }, { kind: 'a', count: 1, first: ['1'] }]);
});
