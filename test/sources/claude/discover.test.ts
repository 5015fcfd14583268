import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { discoverClaudeSessions, type ClaudeSessionFile } from '../../../src/sources/claude/discover.ts';
import type { Counts } from '../../../src/model/session.ts';

async function collect(root: string, counts: Counts = {}): Promise<ClaudeSessionFile[]> {
  const out: ClaudeSessionFile[] = [];
  for await (const f of discoverClaudeSessions(root, { counts })) out.push(f);
  return out;
}

function tree(): string {
  const root = mkdtempSync(join(tmpdir(), 'harvest-claude-discover-'));
  const proj = join(root, '-home-agent-gt-mayor');
  mkdirSync(join(proj, 'sess-1', 'subagents'), { recursive: true });
  writeFileSync(join(proj, 'sess-1.jsonl'), '{}\n');
  writeFileSync(join(proj, 'sess-1', 'subagents', 'agent-a1.jsonl'), '{}\n');
  writeFileSync(join(proj, 'sess-1', 'subagents', 'agent-acompact-b2.jsonl'), '{}\n');
  writeFileSync(join(proj, 'sess-1', 'subagents', 'notes.txt'), 'x');
  writeFileSync(join(proj, 'agent-legacy.jsonl'), '{}\n{}\n');
  writeFileSync(join(proj, 'readme.txt'), 'not a session');
  writeFileSync(join(root, 'history.jsonl'), '{}\n'); // files at the root are not sessions
  mkdirSync(join(root, 'empty-project'));
  return root;
}

test('finds sessions, subagents/agent-*.jsonl and sibling agent-*.jsonl with size and mtime', async () => {
  const root = tree();
  const files = await collect(root);
  assert.deepEqual(
    files.map((f) => [relative(root, f.path), f.kind]),
    [
      ['-home-agent-gt-mayor/agent-legacy.jsonl', 'subagent'],
      ['-home-agent-gt-mayor/sess-1.jsonl', 'session'],
      ['-home-agent-gt-mayor/sess-1/subagents/agent-a1.jsonl', 'subagent'],
      ['-home-agent-gt-mayor/sess-1/subagents/agent-acompact-b2.jsonl', 'subagent'],
    ],
  );
  const legacy = files[0];
  assert.equal(legacy.size, 6);
  assert.ok(legacy.mtimeMs > 0);
  assert.ok(files.every((f) => f.path.startsWith('/')));
});

test('a missing root yields nothing and does not throw', async () => {
  const counts: Counts = {};
  assert.deepEqual(await collect('/nonexistent/harvest/claude/projects', counts), []);
  assert.deepEqual(counts, {});
});

test('directory symlinks are not followed (no loops); file symlinks are', async () => {
  const root = tree();
  const proj = join(root, '-home-agent-gt-mayor');
  symlinkSync(root, join(proj, 'loop')); // would recurse forever if followed
  symlinkSync(proj, join(root, 'project-link')); // a linked project is not walked twice
  symlinkSync(join(proj, 'sess-1.jsonl'), join(proj, 'sess-2.jsonl'));
  symlinkSync(join(root, 'nowhere.jsonl'), join(proj, 'dangling.jsonl'));
  const counts: Counts = {};
  const files = await collect(root, counts);
  const names = files.map((f) => relative(root, f.path));
  assert.equal(names.length, 5);
  assert.ok(names.includes('-home-agent-gt-mayor/sess-2.jsonl'));
  assert.ok(!names.some((n) => n.startsWith('project-link')));
  assert.equal(counts.discover_vanished, 1); // the dangling link
});

test('an unreadable project folder is skipped and counted', { skip: process.getuid?.() === 0 ? 'root reads everything' : false }, async () => {
  const root = tree();
  const locked = join(root, '-locked');
  mkdirSync(locked);
  writeFileSync(join(locked, 's.jsonl'), '{}\n');
  chmodSync(locked, 0o000);
  try {
    const counts: Counts = {};
    const files = await collect(root, counts);
    assert.equal(files.length, 4);
    assert.equal(counts.discover_unreadable_dirs, 1);
  } finally {
    chmodSync(locked, 0o755);
  }
});

test('a root that is a file yields nothing', async () => {
  const root = tree();
  assert.deepEqual(await collect(join(root, 'history.jsonl')), []);
});
