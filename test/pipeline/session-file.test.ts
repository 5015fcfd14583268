// The session-file job's guards: a path outside the configured roots is refused, a vanished file
// fails at once with a clear message; neither touches the ledger or the shards.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { processSessionFile, PermanentJobError, type SessionFileDeps } from '../../src/pipeline/session-file.ts';

const untouchable = new Proxy({}, { get: () => { throw new Error('must not be reached'); } }) as SessionFileDeps;
const opts = (roots: string[]) => ({ roots, townRoot: '/nowhere', valPercent: 5, thinking: 'keep' as const, minScore: 0, maxLineBytes: 1 << 20 });

test('a path outside the configured roots is refused, also through a symlink or a foreign root', async () => {
  const root = mkdtempSync(join(tmpdir(), 'sf-root-'));
  const elsewhere = mkdtempSync(join(tmpdir(), 'sf-else-'));
  const secret = join(elsewhere, 'secret.jsonl');
  writeFileSync(secret, '{"type":"user"}\n');
  await assert.rejects(processSessionFile({ path: secret, root, runtime: 'claude-code' }, opts([root]), untouchable), (e: Error) => e instanceof PermanentJobError && /outside the configured roots/.test(e.message));
  // A job naming a root this worker was not given.
  await assert.rejects(processSessionFile({ path: secret, root: elsewhere, runtime: 'claude-code' }, opts([root]), untouchable), PermanentJobError);
  // A link inside the root that points out of it.
  symlinkSync(secret, join(root, 'link.jsonl'));
  await assert.rejects(processSessionFile({ path: join(root, 'link.jsonl'), root, runtime: 'claude-code' }, opts([root]), untouchable), PermanentJobError);
});

test('a file that vanished fails with a message naming it', async () => {
  const root = mkdtempSync(join(tmpdir(), 'sf-root-'));
  const gone = join(root, 'gone.jsonl');
  await assert.rejects(processSessionFile({ path: gone, root, runtime: 'pir' }, opts([root]), untouchable), (e: Error) => e instanceof PermanentJobError && e.message.includes('gone.jsonl') && /gone/.test(e.message));
});

test('an empty file is counted, not an error', async () => {
  const root = mkdtempSync(join(tmpdir(), 'sf-root-'));
  const empty = join(root, 'empty.jsonl');
  writeFileSync(empty, '');
  const r = await processSessionFile({ path: empty, root, runtime: 'claude-code' }, opts([root]), untouchable);
  assert.equal(r.counts.empty_files, 1);
  assert.equal(r.sessionId, null);
});
