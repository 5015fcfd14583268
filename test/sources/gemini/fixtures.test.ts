// The bundled Gemini CLI sample (fixtures/gemini/tmp) reads as fixtures/README.md says it does.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { assertCommitted } from '../../support/fixture-files.ts';
import { join } from 'node:path';
import { geminiFixtureFiles } from '../../../fixtures/gemini/generate.ts';
import { discoverGeminiSessions } from '../../../src/sources/gemini/discover.ts';
import { readSessionFile } from '../../../src/sources/readers.ts';

const FIXTURES = fileURLToPath(new URL('../../../fixtures/gemini/', import.meta.url));

test('the committed Gemini fixtures are exactly what fixtures/gemini/generate.ts writes', () => assertCommitted(geminiFixtureFiles(), FIXTURES, 'fixtures/gemini/generate.ts'));

test('the crew recording and its subagent: replacements, a rewind kept as a branch, the cwd from .project_root', async () => {
  const found = [];
  for await (const f of discoverGeminiSessions(join(FIXTURES, 'tmp'))) found.push(f.path);
  assert.equal(found.length, 2);
  const main = (await readSessionFile(found.find((p) => p.includes('session-'))!)).results[0];
  assert.ok(main.session);
  assert.equal(main.session.cwd, '/home/agent/gt/harvest/crew/max');
  assert.equal(main.session.turns.length, 10);
  assert.equal(main.counts.tool_calls, 3);
  assert.equal(main.counts.tool_results, 3);
  assert.equal(main.counts.records_replaced, 1);
  assert.equal(main.counts.rewinds, 1);
  assert.equal(main.session.abandoned.length, 1);
  assert.deepEqual(main.session.abandoned[0].turns.map((t) => t.text.slice(0, 16)), ['Shorter, please.', '**Shard writer.*']);
  const sub = (await readSessionFile(found.find((p) => !p.includes('session-'))!)).results[0];
  assert.ok(sub.session);
  assert.equal(sub.session.parentSessionId, main.session.id);
  assert.equal(sub.session.subagentType, 'codebase_investigator');
  assert.equal(sub.session.turns.length, 4);
});
