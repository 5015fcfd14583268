import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import {
  defaultPiRoot,
  discoverPiSessionFiles,
  discoverPiSessions,
  SESSION_INDEX_FILE,
  type PiDiscovered,
  type PiSessionFile,
} from '../../../src/sources/pi/discover.ts';
import { writeSessionIndex, type SessionIndexRow } from '../../../scripts/pir-corpus.ts';
import { header, tempRoot, user, writeLines } from './session-files.ts';

async function all(files: AsyncIterable<PiDiscovered>): Promise<PiDiscovered[]> {
  const out: PiDiscovered[] = [];
  for await (const f of files) out.push(f);
  return out;
}

/** A sessions root with three session files (and a blobs folder and a stray file the walk ignores). */
function tree(): { root: string; a: string; b: string; c: string } {
  const root = tempRoot('harvest-pi-disc-');
  const a = writeLines(root, '--home-ubuntu-gt-mayor--/2026-01-01T10-00-00.000Z_aaaaaaaa.jsonl', [header({ id: 'aaaaaaaa-1' }), user('u', null, 'a')]);
  const b = writeLines(root, '--home-ubuntu-gt-deacon--/2026-01-02T10-00-00.000Z_bbbbbbbb.jsonl', [header({ id: 'bbbbbbbb-1' }), user('u', null, 'b')]);
  const c = writeLines(root, '--home-ubuntu-gt-deacon--/2026-01-03T10-00-00.000Z_cccccccc.jsonl', [header({ id: 'cccccccc-1' }), user('u', null, 'c')]);
  mkdirSync(`${b}.blobs`, { recursive: true });
  writeFileSync(join(`${b}.blobs`, 'f'.repeat(64)), 'blob');
  writeFileSync(join(root, '--home-ubuntu-gt-deacon--', 'notes.txt'), 'not a session');
  writeFileSync(`${a}.lock`, '');
  return { root, a, b, c };
}

function row(path: string, id: string, size: number, mtime: number): SessionIndexRow {
  return { path, id, cwd: '/x', timestamp: '2026-01-01T00:00:00.000Z', message_count: 1, last_modified_ms: mtime, size_bytes: size, name: null };
}

describe('defaultPiRoot', () => {
  test('PI_SESSIONS_DIR, then PI_CODING_AGENT_DIR/sessions, then ~/.pi/agent/sessions; omp has its own', () => {
    const home = '/home/u';
    assert.equal(defaultPiRoot({}, 'pi', home), '/home/u/.pi/agent/sessions');
    assert.equal(defaultPiRoot({}, 'pir', home), '/home/u/.pi/agent/sessions');
    assert.equal(defaultPiRoot({ PI_CODING_AGENT_DIR: '/opt/agent' }, 'pi', home), '/opt/agent/sessions');
    assert.equal(defaultPiRoot({ PI_CODING_AGENT_DIR: '~/agent' }, 'pi', home), '/home/u/agent/sessions');
    assert.equal(defaultPiRoot({ PI_CODING_AGENT_DIR: '/opt/agent', PI_SESSIONS_DIR: '/data/s' }, 'pir', home), '/data/s');
    assert.equal(defaultPiRoot({ PI_SESSIONS_DIR: '  ' }, 'pi', home), '/home/u/.pi/agent/sessions');
    assert.equal(defaultPiRoot({ PI_SESSIONS_DIR: '/data/s' }, 'omp', home), '/home/u/.omp/agent/sessions');
  });
});

describe('with an index', () => {
  test('rows give size and mtime without a stat; unlisted files come from the walk; gone files are reported', async () => {
    const { root, a, b, c } = tree();
    const gone = join(root, '--home-ubuntu-gt-mayor--/2025-12-01T10-00-00.000Z_dddddddd.jsonl');
    const goneDir = join(root, '--home-ubuntu-gt-witness--/2025-12-02T10-00-00.000Z_eeeeeeee.jsonl');
    // Sizes and mtimes the files do not have: proof they came from the index.
    writeSessionIndex(root, [row(a, 'aaaaaaaa-1', 111, 1000.9), row(b, 'bbbbbbbb-1', 222, 2000), row(gone, 'dddddddd-1', 1, 1), row(goneDir, 'eeeeeeee-1', 1, 1)]);
    const d = discoverPiSessions(root);
    assert.equal(d.mode, 'index');
    assert.equal(d.notice, undefined);
    const found = await all(d.files);
    assert.deepEqual(found.map((f) => f.path), [goneDir, gone, a, b, c].sort());
    const byPath = new Map(found.map((f) => [f.path, f]));
    assert.deepEqual(byPath.get(a), { path: a, size: 111, mtimeMs: 1000, source: 'index', indexId: 'aaaaaaaa-1' });
    assert.deepEqual(byPath.get(b), { path: b, size: 222, mtimeMs: 2000, source: 'index', indexId: 'bbbbbbbb-1' });
    const st = statSync(c);
    assert.deepEqual(byPath.get(c), { path: c, size: st.size, mtimeMs: Math.trunc(st.mtimeMs), source: 'walk' });
    assert.deepEqual(byPath.get(gone), { missing: true, path: gone, source: 'index', indexId: 'dddddddd-1' });
    assert.deepEqual(byPath.get(goneDir), { missing: true, path: goneDir, source: 'index', indexId: 'eeeeeeee-1' });
    assert.deepEqual(d.counts, { index_rows: 4, index_files: 2, walk_files: 1, index_missing_files: 2 });
  });

  test('statListed checks listed files too and counts stale rows', async () => {
    const { root, a, b } = tree();
    const sa = statSync(a);
    writeSessionIndex(root, [row(a, 'a', sa.size, Math.trunc(sa.mtimeMs)), row(b, 'b', 1, 1)]);
    const d = discoverPiSessions(root, { statListed: true });
    const found = (await all(d.files)) as PiSessionFile[];
    const fb = found.find((f) => f.path === b)!;
    assert.equal(fb.size, statSync(b).size);
    assert.equal(fb.source, 'index');
    assert.equal(d.counts.index_stale_rows, 1);
  });

  test('relative paths in the index are taken from the root', async () => {
    const { root, a } = tree();
    writeSessionIndex(root, [row('--home-ubuntu-gt-mayor--/2026-01-01T10-00-00.000Z_aaaaaaaa.jsonl', 'a', 5, 6)], { wal: false });
    const found = await all(discoverPiSessions(root).files);
    assert.deepEqual(found.find((f) => f.path === a), { path: a, size: 5, mtimeMs: 6, source: 'index', indexId: 'a' });
    assert.equal(found.length, 3);
  });

  test('a WAL index is read while pir holds a write transaction on it', async () => {
    const { root, a } = tree();
    writeSessionIndex(root, [row(a, 'a', 5, 6)], { wal: true });
    const writer = new Database(join(root, SESSION_INDEX_FILE));
    try {
      writer.exec('BEGIN IMMEDIATE');
      writer.prepare("UPDATE sessions SET size_bytes = 99 WHERE id = 'a'").run();
      const d = discoverPiSessions(root, { busyTimeoutMs: 50 });
      assert.equal(d.mode, 'index');
      const fa = (await all(d.files)).find((f) => f.path === a) as PiSessionFile;
      assert.equal(fa.size, 5); // the committed snapshot
    } finally {
      writer.exec('ROLLBACK');
      writer.close();
    }
  });
});

describe('without a usable index', () => {
  async function walked(root: string, opts = {}) {
    const d = discoverPiSessions(root, { busyTimeoutMs: 50, ...opts });
    const found = await all(d.files);
    assert.equal(d.mode, 'walk');
    assert.equal(found.length, 3);
    assert.ok(found.every((f) => !('missing' in f) && f.source === 'walk'));
    assert.equal(d.counts.walk_files, 3);
    return d;
  }

  test('no index: the walk, and a notice saying so', async () => {
    const { root } = tree();
    const d = await walked(root);
    assert.match(d.notice ?? '', /no session-index\.sqlite in .*walking/);
  });

  test('a corrupt index: the walk, and a notice with the reason', async () => {
    const { root } = tree();
    writeFileSync(join(root, SESSION_INDEX_FILE), 'this is not a database, it is a text file that got in the way'.repeat(100));
    const d = await walked(root);
    assert.match(d.notice ?? '', /cannot be read \(SQLITE_NOTADB/);
  });

  test('an index without the sessions table: the walk, and a notice', async () => {
    const { root } = tree();
    const db = new Database(join(root, SESSION_INDEX_FILE));
    db.exec('CREATE TABLE other (x)');
    db.close();
    const d = await walked(root);
    assert.match(d.notice ?? '', /no such table: sessions/);
  });

  test('a locked index: the walk after the busy timeout, and a notice', async () => {
    const { root, a } = tree();
    writeSessionIndex(root, [row(a, 'a', 5, 6)], { wal: false });
    const writer = new Database(join(root, SESSION_INDEX_FILE));
    try {
      writer.exec('BEGIN EXCLUSIVE');
      writer.prepare("UPDATE sessions SET size_bytes = 99 WHERE id = 'a'").run();
      const d = await walked(root);
      assert.match(d.notice ?? '', /is locked \(SQLITE_BUSY/);
    } finally {
      writer.exec('ROLLBACK');
      writer.close();
    }
  });

  test('useIndex false walks without a notice; a missing root yields nothing', async () => {
    const { root } = tree();
    writeSessionIndex(root, []);
    const d = await walked(root, { useIndex: false });
    assert.equal(d.notice, undefined);
    const none = discoverPiSessions(join(root, 'nope'));
    assert.deepEqual(await all(none.files), []);
    assert.equal(none.notice, undefined);
  });

  test('discoverPiSessionFiles hands the notice over once and adds its counts', async () => {
    const { root } = tree();
    const notices: string[] = [];
    const counts = {};
    const found = await all(discoverPiSessionFiles(root, { onNotice: (m) => notices.push(m), counts }));
    assert.equal(found.length, 3);
    assert.equal(notices.length, 1);
    assert.deepEqual(counts, { walk_files: 3 });
  });
});
