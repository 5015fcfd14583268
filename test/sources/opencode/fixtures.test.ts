// The bundled OpenCode store (fixtures/opencode/opencode.db) holds the generator's rows and reads
// as fixtures/README.md says it does; discovery yields one entry per session of it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { openCodeFixtureRows, SCOUT_SESSION, WITNESS_SESSION } from '../../../fixtures/opencode/generate.ts';
import { discoverOpenCodeSessions } from '../../../src/sources/opencode/discover.ts';
import { readSessionFile } from '../../../src/sources/readers.ts';

const ROOT = fileURLToPath(new URL('../../../fixtures/opencode/', import.meta.url));
const DB = join(ROOT, 'opencode.db');

test('the committed store holds exactly the rows fixtures/opencode/generate.ts writes', () => {
  const want = openCodeFixtureRows();
  const db = new Database(DB, { readonly: true });
  try {
    for (const table of ['project', 'session', 'message', 'part'] as const) {
      assert.deepEqual(db.prepare(`SELECT * FROM ${table} ORDER BY id`).all(), [...want[table]].sort((a, b) => (String(a.id) < String(b.id) ? -1 : 1)), `${table}: run node --import tsx fixtures/opencode/generate.ts`);
    }
  } finally {
    db.close();
  }
});

test('one entry per session of the store, each read on its own by its session key', async () => {
  const found = [];
  for await (const f of discoverOpenCodeSessions(ROOT)) found.push(f);
  assert.deepEqual(found.map((f) => f.sessionKey).sort(), [WITNESS_SESSION, SCOUT_SESSION].sort());
  const witness = await readSessionFile(DB, { sessionKey: WITNESS_SESSION });
  assert.equal(witness.format, 'opencode-store');
  assert.equal(witness.results.length, 1);
  const w = witness.results[0];
  assert.ok(w.session);
  assert.equal(w.session.runtime, 'opencode');
  assert.equal(w.session.cwd, '/home/agent/gt/harvest/witness');
  assert.equal(w.session.turns.length, 10);
  assert.equal(w.counts.tool_calls, 4);
  assert.equal(w.counts.tool_results, 4);
  assert.equal(w.counts.stripped_synthetic_part, 1);
  assert.equal(w.counts.reasoning_empty, 1);
  assert.equal(witness.version, found.find((f) => f.sessionKey === WITNESS_SESSION)!.mtimeMs);
  const scout = (await readSessionFile(DB, { sessionKey: SCOUT_SESSION })).results[0];
  assert.equal(scout.session?.parentSessionId, WITNESS_SESSION);
  assert.equal(scout.session?.subagentType, 'scout');
  assert.equal(scout.session?.turns.length, 4);
  const gone = (await readSessionFile(DB, { sessionKey: 'ses_nope' })).results[0];
  assert.equal(gone.session, null);
  assert.equal(gone.counts.session_missing, 1);
});
