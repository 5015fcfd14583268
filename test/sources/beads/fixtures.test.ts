// The committed beads fixtures are exactly what fixtures/beads/generate.ts writes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generate } from '../../../fixtures/beads/generate.ts';

const FIX = fileURLToPath(new URL('../../../fixtures/beads', import.meta.url));

function files(root: string, dirs: string[]): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (d: string) => {
    for (const n of readdirSync(d)) {
      const p = join(d, n);
      if (statSync(p).isDirectory()) walk(p);
      else out.set(relative(root, p), readFileSync(p, 'utf8'));
    }
  };
  for (const d of dirs) walk(join(root, d));
  return out;
}

test('fixtures/beads matches its generator', () => {
  const tmp = mkdtempSync(join(tmpdir(), 'beads-fix-'));
  generate(tmp);
  const want = files(tmp, ['harvest', 'sessions']);
  const got = files(FIX, ['harvest', 'sessions']);
  assert.deepEqual([...got.keys()].sort(), [...want.keys()].sort());
  for (const [k, v] of want) assert.equal(got.get(k), v, `${k} differs: run node --import tsx fixtures/beads/generate.ts`);
});
