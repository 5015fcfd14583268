// What is read is what was checked: a file is opened once, the real path of that descriptor is
// checked against the roots, and readers read it through readFrom, whatever the name points to later.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, renameSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NotRegularFileError, OutsideRootsError, openInsideRoots, withSideFile } from '../../src/sources/checked-file.ts';
import { readClaudeSession } from '../../src/sources/claude/read.ts';

const setup = () => {
  const root = mkdtempSync(join(tmpdir(), 'checked-root-'));
  const outside = mkdtempSync(join(tmpdir(), 'checked-out-'));
  writeFileSync(join(root, 'inside.jsonl'), '{"where":"inside"}\n');
  writeFileSync(join(outside, 'secret.jsonl'), '{"where":"outside"}\n');
  return { root, outside };
};

test('a name flipped after the check: the checked descriptor still reads the file that was checked', async () => {
  const { root, outside } = setup();
  const link = join(root, 'link.jsonl');
  symlinkSync(join(root, 'inside.jsonl'), link);
  const f = await openInsideRoots(link, [root]);
  try {
    // The attacker's move, between the check and the read.
    symlinkSync(join(outside, 'secret.jsonl'), `${link}.tmp`);
    renameSync(`${link}.tmp`, link);
    assert.equal(readFileSync(link, 'utf8'), '{"where":"outside"}\n', 'the name now points outside');
    assert.equal(readFileSync(f.readFrom, 'utf8'), '{"where":"inside"}\n', 'readFrom is the checked file');
  } finally {
    await f.close();
  }
  await assert.rejects(openInsideRoots(link, [root]), OutsideRootsError);
});

test('only regular files inside a root: a FIFO is refused without blocking, a directory too', async () => {
  const { root } = setup();
  const fifo = join(root, 'pipe.jsonl');
  if (spawnSync('mkfifo', [fifo]).status === 0) await assert.rejects(openInsideRoots(fifo, [root]), NotRegularFileError);
  mkdirSync(join(root, 'dir.jsonl'));
  await assert.rejects(openInsideRoots(join(root, 'dir.jsonl'), [root]), NotRegularFileError);
  await assert.rejects(openInsideRoots(join(root, 'missing.jsonl'), [root]), { code: 'ENOENT' });
});

test('side files: outside the roots they are treated as absent; without roots they are read as they are', async () => {
  const { root, outside } = setup();
  const read = (p: string) => Promise.resolve(readFileSync(p, 'utf8'));
  assert.equal(await withSideFile(join(outside, 'secret.jsonl'), [root], read), null);
  assert.equal(await withSideFile(join(root, 'inside.jsonl'), [root], read), '{"where":"inside"}\n');
  assert.equal(await withSideFile(join(outside, 'secret.jsonl'), undefined, read), '{"where":"outside"}\n');
});

test('a Claude subagent whose parent session lies outside the roots: the parent is not read', async () => {
  const { root, outside } = setup();
  // projects/<p>/<session>/subagents/agent-x.jsonl with <session>.jsonl linked to a file outside.
  const project = join(root, 'proj');
  const sid = '11111111-2222-4333-8444-555555555555';
  mkdirSync(join(project, sid, 'subagents'), { recursive: true });
  const task = { type: 'assistant', sessionId: sid, uuid: 'p1', message: { role: 'assistant', content: [{ type: 'tool_use', id: 't1', name: 'Task', input: { subagent_type: 'secret-agent-type', prompt: 'do it' } }] } };
  writeFileSync(join(outside, 'parent.jsonl'), JSON.stringify(task) + '\n');
  symlinkSync(join(outside, 'parent.jsonl'), join(project, `${sid}.jsonl`));
  const agent = join(project, sid, 'subagents', 'agent-x.jsonl');
  const lines = [
    { type: 'user', sessionId: sid, agentId: 'x', uuid: 'a1', isSidechain: true, message: { role: 'user', content: 'do it' } },
    { type: 'assistant', sessionId: sid, agentId: 'x', uuid: 'a2', parentUuid: 'a1', isSidechain: true, message: { role: 'assistant', content: [{ type: 'text', text: 'done' }] } },
  ];
  writeFileSync(agent, lines.map((l) => JSON.stringify(l)).join('\n') + '\n');
  const open = await readClaudeSession(agent, {});
  const checked = await readClaudeSession(agent, { roots: [root] });
  assert.equal(open.session?.subagentType, 'secret-agent-type', 'without roots the parent is read (and links the type)');
  assert.equal(checked.counts.parent_unreadable, 1, 'its parent outside the roots is not read');
  assert.notEqual(checked.session?.subagentType, 'secret-agent-type');
});
