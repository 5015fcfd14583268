import { test, describe, before } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import Database from 'better-sqlite3';
import {
  encodeCwd,
  generateHugePirSession,
  generatePirCorpus,
  pirFileName,
  type PirCorpusResult,
} from '../../../scripts/pir-corpus.ts';
import { main } from '../../../scripts/generate-pir-corpus.ts';
import { discoverPiSessions } from '../../../src/sources/pi/discover.ts';
import { readPiSession } from '../../../src/sources/pi/read.ts';
import { mergeCounts, type Counts } from '../../../src/model/session.ts';
import { tempRoot } from './session-files.ts';

/** relative path -> sha256 of every file under root (the index aside: it holds absolute paths). */
function digestTree(root: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (dir: string) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const p = join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (!e.name.startsWith('session-index.sqlite')) out.set(relative(root, p), createHash('sha256').update(readFileSync(p)).digest('hex'));
    }
  };
  walk(root);
  return out;
}

describe('generatePirCorpus', () => {
  let corpus: PirCorpusResult;
  before(async () => {
    corpus = await generatePirCorpus({ out: tempRoot('harvest-pir-gen-'), sessions: 20, seed: 7, small: true });
  });

  test('is deterministic for a seed and differs across seeds', async () => {
    const again = await generatePirCorpus({ out: tempRoot('harvest-pir-gen-'), sessions: 20, seed: 7, small: true });
    const a = digestTree(corpus.root);
    const b = digestTree(again.root);
    assert.ok(a.size >= 20);
    assert.deepEqual([...a.entries()].sort(), [...b.entries()].sort());
    const other = await generatePirCorpus({ out: tempRoot('harvest-pir-gen-'), sessions: 20, seed: 8, small: true });
    assert.notDeepEqual([...digestTree(other.root).entries()].sort(), [...a.entries()].sort());
  });

  test('pir layout: --<cwd>-- folders, <timestamp>_<8 chars of the id>.jsonl, Gas Town roles', () => {
    for (const s of corpus.sessions) {
      assert.equal(relative(corpus.root, s.path), join(encodeCwd(s.cwd), pirFileName(s.startMs, s.id)));
      assert.match(s.path, /_[0-9a-f]{8}\.jsonl$/);
      assert.ok(s.cwd.startsWith('/home/ubuntu/gt/'));
    }
    assert.ok(new Set(corpus.sessions.map((s) => s.role)).size >= 3);
  });

  test('the index lists the files with their size and mtime, but for a few left out and a row or two for gone files', () => {
    const db = new Database(corpus.indexPath!, { readonly: true });
    const rows = db.prepare('SELECT path, id, size_bytes, last_modified_ms, message_count FROM sessions').all() as
      { path: string; id: string; size_bytes: number; last_modified_ms: number; message_count: number }[];
    const mode = db.pragma('journal_mode', { simple: true });
    db.close();
    assert.equal(mode, 'wal');
    assert.ok(corpus.unlisted.length >= 1);
    assert.ok(corpus.missingRows.length >= 1);
    const listed = new Map(rows.map((r) => [r.path, r]));
    for (const s of corpus.sessions) {
      const r = listed.get(s.path);
      if (corpus.unlisted.includes(s.path)) {
        assert.equal(r, undefined);
        continue;
      }
      assert.ok(r, `row for ${s.path}`);
      const st = statSync(s.path);
      assert.equal(r.size_bytes, st.size);
      assert.equal(r.last_modified_ms, Math.trunc(st.mtimeMs));
      assert.equal(r.id, s.id);
      assert.equal(r.message_count, s.messages);
    }
    for (const p of corpus.missingRows) {
      assert.ok(listed.has(p));
      assert.equal(existsSync(p), false);
    }
    assert.equal(rows.length, corpus.sessions.length - corpus.unlisted.length + corpus.missingRows.length);
  });

  test('discovery and the reader agree with what was generated', async () => {
    const d = discoverPiSessions(corpus.root);
    assert.equal(d.mode, 'index');
    const found = [];
    for await (const f of d.files) found.push(f);
    assert.equal(d.counts.walk_files, corpus.unlisted.length);
    assert.equal(d.counts.index_missing_files, corpus.missingRows.length);
    assert.equal(found.length, corpus.sessions.length + corpus.missingRows.length);

    const total: Counts = {};
    let abandoned = 0;
    for (const s of corpus.sessions) {
      const r = await readPiSession(s.path, { runtime: 'pir' });
      mergeCounts(total, r.counts);
      assert.ok(r.session, `session ${s.path}`);
      abandoned += r.session.abandoned.length;
      assert.equal(r.counts.tool_calls ?? 0, s.toolCalls);
      assert.equal(r.counts.assistant_messages ?? 0, s.assistantMessages);
      assert.equal(r.counts.blobs_missing ?? 0, s.blobsMissing);
      assert.equal(r.counts.blob_refs ?? 0, s.blobs);
      assert.equal(r.session.abandoned.length, s.branches, `branches of ${s.path}`);
      assert.ok((r.counts.parent_id_missing ?? 0) <= s.modelChangesWithoutParent);
      if (s.cwdInHeader) assert.equal(r.session.cwd, s.cwd);
      else assert.equal(r.session.extra.encodedFolder, s.folder);
      assert.ok(r.session.turns.length > 0);
      assert.equal(r.session.turns.at(-1)?.role, 'assistant');
    }
    assert.equal(total.tool_results_unmatched, undefined);
    assert.equal(total.orphans, undefined);
    assert.equal(total.malformed_json, undefined);
    assert.equal(abandoned, corpus.sessions.reduce((a, s) => a + s.branches, 0));
  });

  test('a full-size corpus has heavy-tailed lengths, branches, compactions, blobs and the pir quirks', async () => {
    const big = await generatePirCorpus({ out: tempRoot('harvest-pir-gen-'), sessions: 60, seed: 1, scale: 0.25, index: false });
    const lengths = big.sessions.map((s) => s.assistantMessages).sort((a, b) => a - b);
    assert.ok(lengths[0] < 30, `shortest ${lengths[0]}`);
    assert.ok(lengths.at(-1)! >= 500, `longest ${lengths.at(-1)}`);
    const sum = (f: (s: (typeof big.sessions)[number]) => number) => big.sessions.reduce((a, s) => a + f(s), 0);
    assert.ok(sum((s) => s.branches) > 0);
    assert.ok(sum((s) => s.compactions) > 0);
    assert.ok(sum((s) => s.modelChangesWithoutParent) > 0);
    assert.ok(big.sessions.some((s) => s.emptyToolIds));
    assert.ok(sum((s) => s.thinkingLevelChanges) > 0);
    assert.equal(big.indexPath, null);
  });
});

describe('generateHugePirSession and the CLI', () => {
  test('one huge session is written streaming and reads back in bounded fields', async () => {
    const out = tempRoot('harvest-pir-huge-');
    const r = generateHugePirSession({ out, mb: 12, seed: 3 });
    assert.ok(r.bytes >= 12 * 1024 * 1024);
    assert.equal(statSync(r.path).size, r.bytes);
    assert.ok(r.hugeOutputs >= 1);
    const read = await readPiSession(r.path, { runtime: 'pir', maxFieldChars: 65536 });
    assert.ok(read.session);
    assert.equal(read.counts.assistant_messages, r.assistantMessages);
    assert.ok((read.counts.fields_capped ?? 0) >= r.hugeOutputs);
    for (const t of read.session.turns) for (const res of t.toolResults) assert.ok(res.content.length < 65536 + 100);
  });

  test('main writes a small corpus and rebuilds an index', async () => {
    const out = tempRoot('harvest-pir-cli-');
    const { log, error } = console;
    const lines: string[] = [];
    console.log = (...a: unknown[]) => lines.push(a.join(' '));
    console.error = () => {};
    try {
      assert.equal(await main(['--out', out, '--sessions', '6', '--small', '--seed', '2']), 0);
      assert.equal(await main(['--index-for', out, '--relative']), 0);
      assert.equal(await main(['--sessions', '3']), 2);
    } finally {
      Object.assign(console, { log, error });
    }
    assert.match(lines[0], /6 sessions/);
    const db = new Database(join(out, 'session-index.sqlite'), { readonly: true });
    const n = (db.prepare('SELECT count(*) AS n FROM sessions WHERE path NOT LIKE \'/%\'').get() as { n: number }).n;
    db.close();
    assert.equal(n, 6);
  });
});
