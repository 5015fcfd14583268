// The bundled Codex sample (fixtures/codex/sessions) reads as fixtures/README.md says it does.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { assertCommitted } from '../../support/fixture-files.ts';
import { join } from 'node:path';
import { codexFixtureFiles } from '../../../fixtures/codex/generate.ts';
import { discoverCodexSessions } from '../../../src/sources/codex/discover.ts';
import { readSessionFile } from '../../../src/sources/readers.ts';

const FIXTURES = fileURLToPath(new URL('../../../fixtures/codex/', import.meta.url));

test('the committed Codex fixture is exactly what fixtures/codex/generate.ts writes', () => assertCommitted(codexFixtureFiles(), FIXTURES, 'fixtures/codex/generate.ts'));

test('the polecat rollout: 10 turns, 5 calls answered, usage on every reply, harness context stripped', async () => {
  const found = [];
  for await (const f of discoverCodexSessions(join(FIXTURES, 'sessions'))) found.push(f);
  assert.equal(found.length, 1);
  const { format, results } = await readSessionFile(found[0].path);
  assert.equal(format, 'codex');
  const { session, counts } = results[0];
  assert.ok(session);
  assert.equal(session.runtime, 'codex');
  assert.equal(session.cwd, '/home/agent/gt/harvest/polecats/furiosa');
  assert.equal(session.gitBranch, 'polecat/furiosa-hv-7mq');
  assert.equal(session.turns.length, 10);
  assert.equal(counts.tool_calls, 5);
  assert.equal(counts.tool_results, 5);
  assert.equal(counts.ui_copies_skipped, 3);
  assert.equal(counts.token_counts_paired, 5);
  assert.equal(counts.stripped_agents_md, 1);
  assert.equal(counts.stripped_environment_context, 1);
  assert.ok(session.turns.filter((t) => t.role === 'assistant').every((t) => t.usage));
  assert.ok(session.turns[0].text.startsWith('[GAS TOWN] polecat furiosa (rig: harvest) <- witness'));
  assert.equal(session.turns.filter((t) => t.role === 'user' && t.text !== '').length, 1);
});
