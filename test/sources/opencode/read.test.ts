// The OpenCode readers on hand-made data: the older JSON storage layout (a reverted session keeps
// its undone messages as an abandoned branch; files, synthetic parts and compaction summaries),
// a store read while OpenCode holds a write open, and bytes read from `readFrom` while names
// come from the logical path.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { closeSync, copyFileSync, mkdirSync, mkdtempSync, openSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { openCodeFixtureRows, writeOpenCodeStore, WITNESS_SESSION } from '../../../fixtures/opencode/generate.ts';
import { readOpenCodeStorageSession, readOpenCodeStore } from '../../../src/sources/opencode/read.ts';
import { discoverOpenCodeSessions } from '../../../src/sources/opencode/discover.ts';
import { detectFormat } from '../../../src/sources/detect-format.ts';
import { readSessionFile } from '../../../src/sources/readers.ts';

const root = mkdtempSync(join(tmpdir(), 'harvest-opencode-'));
function put(rel: string, value: unknown): string {
  const p = join(root, rel);
  mkdirSync(join(p, '..'), { recursive: true });
  writeFileSync(p, JSON.stringify(value, null, 2));
  return p;
}

test('the older JSON storage: messages and parts by id; a reverted session keeps the undone part as a branch', async () => {
  const sid = 'ses_storage0001';
  const info = put(`data/storage/session/proj1/${sid}.json`, {
    id: sid, projectID: 'proj1', directory: '/home/agent/gt/harvest/refinery', title: 'Merge queue', version: '0.15.0',
    time: { created: 1772787600000, updated: 1772787690000 }, revert: { messageID: 'msg_0004' },
  });
  const msg = (id: string, role: string, extra: Record<string, unknown> = {}) => put(`data/storage/message/${sid}/${id}.json`, { id, sessionID: sid, role, time: { created: 1772787600000 + Number(id.slice(-1)) * 1000 }, ...extra });
  const part = (mid: string, id: string, data: Record<string, unknown>) => put(`data/storage/part/${mid}/${id}.json`, { id, sessionID: sid, messageID: mid, ...data });
  msg('msg_0001', 'user');
  part('msg_0001', 'prt_01', { type: 'text', text: 'Merge the ready branches.' });
  part('msg_0001', 'prt_02', { type: 'file', mime: 'image/png', filename: 'queue.png', url: 'data:...' });
  part('msg_0001', 'prt_03', { type: 'text', text: 'Called the Read tool ...', synthetic: true });
  msg('msg_0002', 'assistant', { modelID: 'gpt-5.3-codex', providerID: 'openai', tokens: { input: 100, output: 10, reasoning: 5, cache: { read: 50, write: 0 } }, cost: 0.01 });
  part('msg_0002', 'prt_04', { type: 'step-start' });
  part('msg_0002', 'prt_05', { type: 'tool', callID: 'c1', tool: 'bash', state: { status: 'completed', input: { command: 'gt mq list' }, output: 'hv-4kq ready' } });
  part('msg_0002', 'prt_06', { type: 'tool', callID: 'c2', tool: 'bash', state: { status: 'error', input: { command: 'gt mq merge hv-4kq' }, error: 'conflict in src/a.ts' } });
  part('msg_0002', 'prt_07', { type: 'step-finish', tokens: { input: 100, output: 10, reasoning: 5, cache: { read: 50, write: 0 } } });
  msg('msg_0003', 'assistant', { summary: true, modelID: 'gpt-5.3-codex' });
  part('msg_0003', 'prt_08', { type: 'text', text: 'Summary of the session so far.' });
  msg('msg_0004', 'user');
  part('msg_0004', 'prt_09', { type: 'text', text: 'Force-merge it.' });
  msg('msg_0005', 'assistant', { modelID: 'gpt-5.3-codex' });
  part('msg_0005', 'prt_10', { type: 'text', text: 'Force-merging hv-4kq.' });

  assert.equal(await detectFormat(info), 'opencode-storage');
  const { session, counts } = await readOpenCodeStorageSession(info);
  assert.ok(session);
  assert.equal(session.cwd, '/home/agent/gt/harvest/refinery');
  assert.deepEqual(session.turns.map((t) => [t.role, t.text, t.toolCalls.length, t.toolResults.length]), [
    ['user', 'Merge the ready branches.\n[image: queue.png]', 0, 0],
    ['assistant', '', 2, 0],
    ['user', '', 0, 2],
  ]);
  assert.deepEqual(session.turns[2].toolResults.map((r) => r.isError), [false, true]);
  assert.deepEqual(session.turns[1].usage, { input: 100, output: 15, cacheRead: 50, cacheWrite: 0, cost: 0.01 });
  assert.equal(session.abandoned.length, 1);
  assert.deepEqual(session.abandoned[0].turns.map((t) => t.text), ['Force-merge it.', 'Force-merging hv-4kq.']);
  assert.equal(counts.reverted_messages, 2);
  assert.equal(counts.compaction_summaries, 1);
  assert.equal(counts.stripped_synthetic_part, 1);
  assert.equal(counts.images, 1);

  // Discovery: the storage session is one entry; the data folder's other JSON is not a session.
  put('data/auth.json', { openai: { type: 'oauth' } });
  const found = [];
  for await (const f of discoverOpenCodeSessions(join(root, 'data'))) found.push(f.path);
  assert.deepEqual(found, [info]);
});

test('the store is read while OpenCode holds a write transaction open (WAL)', async () => {
  const path = join(root, 'live', 'opencode.db');
  writeOpenCodeStore(path);
  const writer = new Database(path);
  writer.pragma('journal_mode = WAL');
  writer.exec('BEGIN IMMEDIATE');
  writer.prepare("UPDATE session SET title = 'renamed' WHERE id = ?").run(WITNESS_SESSION);
  try {
    const results = await readOpenCodeStore(path);
    assert.equal(results.length, 2);
    assert.equal(results.find((r) => r.session?.id === WITNESS_SESSION)?.session?.extra.title, 'Witness patrol of harvest');
  } finally {
    writer.exec('ROLLBACK');
    writer.close();
  }
});

test('bytes come from readFrom (a descriptor link); the path names the session file', async () => {
  const real = join(root, 'real', 'opencode.db');
  writeOpenCodeStore(real);
  const logical = join(root, 'logical', 'opencode.db');
  mkdirSync(join(root, 'logical'), { recursive: true });
  const fd = openSync(real, 'r');
  try {
    const r = await readSessionFile(logical, { readFrom: `/proc/self/fd/${fd}`, sessionKey: WITNESS_SESSION });
    assert.equal(r.format, 'opencode-store');
    assert.equal(r.results[0].session?.path, logical);
    assert.equal(r.results[0].session?.turns.length, 10);
  } finally {
    closeSync(fd);
  }
  // And for a JSON document, the same.
  const exportFile = join(root, 'real', 'export.json');
  const rows = openCodeFixtureRows();
  writeFileSync(exportFile, JSON.stringify({ info: { id: 'ses_x', directory: '/w' }, messages: [{ info: { id: 'msg_1', role: 'user' }, parts: [{ type: 'text', text: rows.session[0].title }] }] }));
  const copy = join(root, 'logical', 'export.json');
  copyFileSync(exportFile, join(root, 'real', 'export-copy.json'));
  const fd2 = openSync(join(root, 'real', 'export-copy.json'), 'r');
  try {
    const r = await readSessionFile(copy, { readFrom: `/proc/self/fd/${fd2}` });
    assert.equal(r.format, 'opencode-export');
    assert.equal(r.results[0].session?.path, copy);
    assert.equal(r.results[0].session?.turns[0].text, 'Witness patrol of harvest');
  } finally {
    closeSync(fd2);
  }
});
