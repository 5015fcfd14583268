// The bundled omp sample (fixtures/omp/sessions) reads as fixtures/README.md says it does.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { assertCommitted } from '../../support/fixture-files.ts';
import { join } from 'node:path';
import { ompFixtureFiles } from '../../../fixtures/omp/generate.ts';
import { readSessionFile } from '../../../src/sources/readers.ts';

const FIXTURES = fileURLToPath(new URL('../../../fixtures/omp/', import.meta.url));

test('the committed omp fixture is exactly what fixtures/omp/generate.ts writes', () => assertCommitted(ompFixtureFiles(), FIXTURES, 'fixtures/omp/generate.ts'));

test('the boot dog session: title slot, declared tools, 6 turns, 3 calls answered, no credential pin', async () => {
  const [f] = ompFixtureFiles();
  const { format, results } = await readSessionFile(join(FIXTURES, f.path), { runtime: 'omp' });
  assert.equal(format, 'pi');
  const { session, counts } = results[0];
  assert.ok(session);
  assert.equal(session.runtime, 'omp');
  assert.equal(session.cwd, '/home/agent/gt/deacon/dogs/boot');
  assert.equal(session.extra.title, 'Boot: wake the deacon');
  assert.deepEqual(session.tools?.map((t) => t.function.name), ['bash', 'read']);
  assert.equal(session.turns.length, 6);
  assert.equal(counts.tool_calls, 3);
  assert.equal(counts.tool_results, 3);
  assert.equal(counts.credential_pins, 1);
  assert.doesNotMatch(JSON.stringify(session), /fixture-pin-hash/);
});
