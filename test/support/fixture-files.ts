// Checks that the committed fixture files are exactly what their generator writes.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FixtureFile } from '../../fixtures/fixture-files.ts';

export function assertCommitted(files: FixtureFile[], dir: string, generator: string): void {
  for (const f of files) {
    assert.ok(readFileSync(join(dir, f.path)).equals(f.bytes), `${f.path} differs from the generator: run node --import tsx ${generator}`);
  }
}
