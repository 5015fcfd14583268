// Which roots a command reads: the flags given (any harness), else every default root that holds
// sessions (each harness's own variables honoured: CODEX_HOME, GEMINI_CLI_HOME, XDG_DATA_HOME, ...),
// else the bundled fixtures, which hold a session of each harness.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { allRoots, chooseRoots, FIXTURE_ROOTS } from '../../src/cli/session-roots.ts';
import { defaultRoots } from '../../src/config.ts';

test('flags name roots of any harness', () => {
  const { roots, origin } = chooseRoots({ codex: ['/tmp/c'], opencode: ['/tmp/o'] });
  assert.equal(origin, 'flags');
  assert.deepEqual(roots.codex, ['/tmp/c']);
  assert.deepEqual(roots.opencode, ['/tmp/o']);
  assert.equal(roots.claude, undefined);
});

test('defaults follow each harness\'s variables and count only folders that hold sessions', () => {
  const home = mkdtempSync(join(tmpdir(), 'harvest-roots-'));
  const env = { HOME: home, CLAUDE_CONFIG_DIR: join(home, 'claude'), PI_SESSIONS_DIR: join(home, 'pi'), CODEX_HOME: join(home, 'codex'), GEMINI_CLI_HOME: join(home, 'g'), XDG_DATA_HOME: join(home, 'xdg') };
  const d = defaultRoots(env);
  assert.equal(d.codex, join(home, 'codex', 'sessions'));
  assert.equal(d.gemini, join(home, 'g', '.gemini', 'tmp'));
  assert.equal(d.opencode, join(home, 'xdg', 'opencode'));
  // An empty tool folder is no root; a rollout three folders down, a recording and a store are.
  mkdirSync(d.codex, { recursive: true });
  assert.equal(chooseRoots({}, env).origin, 'fixtures');
  mkdirSync(join(d.codex, '2026', '03', '05'), { recursive: true });
  writeFileSync(join(d.codex, '2026', '03', '05', 'rollout-2026-03-05T10-00-00-x.jsonl'), '{}\n');
  mkdirSync(join(d.gemini, 'proj', 'chats'), { recursive: true });
  writeFileSync(join(d.gemini, 'proj', 'chats', 'session-2026-01-01T00-00-abcd1234.json'), '{}');
  mkdirSync(d.opencode, { recursive: true });
  writeFileSync(join(d.opencode, 'opencode.db'), '');
  const { roots, origin } = chooseRoots({}, env);
  assert.equal(origin, 'defaults');
  assert.deepEqual(roots.codex, [d.codex]);
  assert.deepEqual(roots.gemini, [d.gemini]);
  assert.deepEqual(roots.opencode, [d.opencode]);
  assert.deepEqual(roots.claude, []);
});

test('the fixture roots hold a session of every harness', () => {
  const kinds = Object.entries(FIXTURE_ROOTS);
  assert.deepEqual(kinds.map(([k]) => k).sort(), ['claude', 'codex', 'gemini', 'omp', 'opencode', 'pir']);
  for (const r of allRoots(FIXTURE_ROOTS)) assert.ok(existsSync(r), r);
});
