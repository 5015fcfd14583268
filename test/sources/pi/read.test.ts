import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { readPiSession, parentSessionIdFrom, EMPTY_ID_PREFIX } from '../../../src/sources/pi/read.ts';
import type { Session } from '../../../src/model/session.ts';
import { assistant, entry, header, tempRoot, toolResult, user, writeLines } from './session-files.ts';

const root = tempRoot();
let n = 0;
const folder = '--home-ubuntu-gt-harvest-polecats-nux--';
function file(lines: unknown[], rel = `${folder}/2026-01-01T10-00-00.000Z_s${++n}.jsonl`): string {
  return writeLines(root, rel, lines);
}
async function read(lines: unknown[], opts: { maxFieldChars?: number; rel?: string } = {}) {
  const path = file(lines, opts.rel);
  const r = await readPiSession(path, { runtime: 'pir', maxFieldChars: opts.maxFieldChars });
  return { ...r, path };
}
function must(s: Session | null): Session {
  assert.ok(s, 'expected a session');
  return s;
}
const texts = (s: Session) => s.turns.map((t) => `${t.role}:${t.text}`);

describe('the tree', () => {
  test('the active path runs from the last entry to the root; other leaves are abandoned branches', async () => {
    const { session, counts } = await read([
      header(),
      user('u1', null, 'q1'),
      assistant('a1', 'u1', 'answer 1'),
      user('u2', 'a1', 'q2'),
      assistant('a2', 'u2', 'bad answer'),
      assistant('a2c', 'u2', 'another bad answer'),
      user('u2b', 'a1', 'q2 rephrased'),
      assistant('a2b', 'u2b', 'good answer'),
    ]);
    const s = must(session);
    assert.deepEqual(texts(s), ['user:q1', 'assistant:answer 1', 'user:q2 rephrased', 'assistant:good answer']);
    assert.deepEqual(s.turns.map((t) => t.entryId), ['u1', 'a1', 'u2b', 'a2b']);
    assert.equal(s.abandoned.length, 2);
    for (const [i, leaf, text] of [[0, 'a2', 'bad answer'], [1, 'a2c', 'another bad answer']] as const) {
      const b = s.abandoned[i];
      assert.equal(b.leafId, leaf);
      assert.equal(b.branchPointId, 'a1');
      assert.equal(b.branchPointTurnIndex, 2);
      assert.deepEqual(texts({ ...s, turns: b.turns }), ['user:q2', `assistant:${text}`]);
    }
    assert.equal(counts.abandoned_branches, 2);
    assert.equal(counts.abandoned_turns, 4);
    assert.equal(counts.turns, 4);
  });

  test('a second root is an abandoned branch with no branch point; a leaf without turns is not', async () => {
    const s = must((await read([
      header(),
      user('r1', null, 'first try'),
      assistant('r2', 'r1', 'meh'),
      entry('lab', 'r2', { type: 'label', targetId: 'r1', label: 'old' }),
      user('u1', null, 'fresh start'),
      entry('l2', 'u1', { type: 'label', targetId: 'u1', label: 'x' }),
      entry('l3', 'u1', { type: 'thinking_level_change', thinkingLevel: 'high' }),
      assistant('a1', 'u1', 'better'),
    ])).session);
    assert.deepEqual(texts(s), ['user:fresh start', 'assistant:better']);
    assert.equal(s.abandoned.length, 1);
    assert.equal(s.abandoned[0].branchPointId, null);
    assert.equal(s.abandoned[0].branchPointTurnIndex, 0);
    assert.equal(s.abandoned[0].leafId, 'lab');
    assert.deepEqual(texts({ ...s, turns: s.abandoned[0].turns }), ['user:first try', 'assistant:meh']);
  });

  test('tool results gather in one user turn; a branch that starts with a result keeps its own turn', async () => {
    const s = must((await read([
      header(),
      user('u1', null, 'run both'),
      assistant('a1', 'u1', '', [{ id: 'c1', name: 'bash' }, { id: 'c2', name: 'read' }]),
      toolResult('r1', 'a1', 'c1', 'out 1'),
      toolResult('r2', 'r1', 'c2', 'out 2'),
      assistant('a2', 'r2', 'done'),
      toolResult('r2b', 'r1', 'c2', 'out 2, second try', true),
      assistant('a2b', 'r2b', 'done again'),
    ])).session);
    assert.equal(s.turns.length, 4);
    assert.deepEqual(s.turns[2].toolResults.map((r) => [r.id, r.content, r.isError]), [['c1', 'out 1', false], ['c2', 'out 2, second try', true]]);
    assert.equal(s.turns[2].entryId, 'r1');
    const b = s.abandoned[0];
    assert.equal(b.branchPointId, 'r1');
    assert.equal(b.branchPointTurnIndex, 3);
    assert.deepEqual(b.turns.map((t) => t.toolResults.map((r) => r.id)), [['c2'], []]);
    assert.equal(b.turns[1].text, 'done');
  });

  test('orphans become roots; cycles and self-parents are cut; a later duplicate id wins', async () => {
    const { session, counts, warnings } = await read([
      header(),
      user('u1', null, 'start'),
      assistant('dup', 'u1', 'first dup'),
      assistant('dup', 'u1', 'second dup'),
      user('u2', 'dup', 'after dup'),
      user('o1', 'nowhere', 'orphan'),
      user('c1', 'c2', 'cycle a'),
      user('c2', 'c1', 'cycle b'),
      user('self', 'self', 'selfie'),
      assistant('a9', 'u2', 'end'),
    ]);
    const s = must(session);
    assert.deepEqual(texts(s), ['user:start', 'assistant:second dup', 'user:after dup', 'assistant:end']);
    assert.equal(counts.duplicate_ids, 1);
    assert.equal(counts.orphans, 1);
    assert.equal(counts.cycles, 2);
    assert.ok(warnings.some((w) => /nowhere/.test(w)));
    // The walk from c1 meets itself at c1: the edge c2 -> c1 is cut, so c2 is a root and c1 its leaf.
    assert.deepEqual(s.abandoned.map((b) => b.leafId).sort(), ['c1', 'o1', 'self']);
    assert.ok(s.abandoned.every((b) => b.branchPointId === null));
  });
});

describe('versions', () => {
  test('v1 (no version, no ids) chains entries in file order', async () => {
    const { session, counts } = await read([
      { type: 'session', id: 'v1-sess', timestamp: '2025-11-20T10:00:00.000Z', cwd: '/home/ubuntu/gt/mayor', provider: 'anthropic', modelId: 'claude-sonnet-4-5', thinkingLevel: 'off' },
      user(undefined, undefined, 'hello'),
      entry(undefined, undefined, { type: 'thinking_level_change', thinkingLevel: 'high' }),
      assistant(undefined, undefined, '', [{ id: 't1', name: 'bash', arguments: { command: 'ls' } }]),
      toolResult(undefined, undefined, 't1', 'a b c'),
      entry(undefined, undefined, { type: 'compaction', summary: 'sum', firstKeptEntryIndex: 1, tokensBefore: 1234 }),
      assistant(undefined, undefined, 'three files'),
    ]);
    const s = must(session);
    assert.deepEqual(texts(s), ['user:hello', 'assistant:', 'user:', 'assistant:three files']);
    assert.deepEqual(s.turns.map((t) => t.entryId), ['v1-1', 'v1-3', 'v1-4', 'v1-6']);
    assert.equal(counts.version_1, 1);
    assert.equal(counts.migrated_from_v1, 1);
    assert.equal(counts.version_missing, undefined);
    assert.deepEqual(s.extra.thinkingLevels, ['off', 'high']);
    assert.deepEqual(s.extra.compactions, { count: 1, tokensBefore: [1234] });
    assert.equal(s.extra.version, 1);
  });

  test('v2 hookMessage and v3 custom messages reach the model as user turns; custom entries do not', async () => {
    for (const [version, role] of [[2, 'hookMessage'], [3, 'custom']] as const) {
      const { session, counts } = await read([
        header({ version }),
        user('u1', null, 'go'),
        entry('h1', 'u1', { type: 'message', message: { role, customType: 'gt-mail', content: 'mail: witness says hi', display: false, timestamp: 1 } }),
        entry('h2', 'h1', { type: 'message', message: { role, customType: 'gt-mail', content: [{ type: 'text', text: '' }], display: true, timestamp: 2 } }),
        entry('x1', 'h2', { type: 'custom', customType: 'state', data: { n: 1 } }),
        entry('cm', 'x1', { type: 'custom_message', customType: 'gt-prime', content: [{ type: 'text', text: 'primed' }], display: true }),
        assistant('a1', 'cm', 'ok'),
      ]);
      const s = must(session);
      assert.deepEqual(texts(s), ['user:go', 'user:mail: witness says hi', 'user:primed', 'assistant:ok'], `v${version}`);
      assert.equal(counts.custom_messages, 3);
      assert.equal(counts.custom_messages_empty, 1);
      assert.equal(counts.custom_entries, 1);
      assert.equal(counts.hook_messages_migrated, version === 2 ? 2 : undefined);
      assert.equal(counts[`version_${version}`], 1);
    }
  });

  test('a missing version with ids in the entries is read as current and counted', async () => {
    const { session, counts, warnings } = await read([
      header({ version: undefined }),
      user('u1', null, 'a'),
      user('u2', 'u1', 'b'),
      user('u3', 'u1', 'c'),
    ]);
    assert.deepEqual(texts(must(session)), ['user:a', 'user:c']);
    assert.equal(counts.version_missing, 1);
    assert.ok(warnings.some((w) => /no session version/.test(w)));
  });

  test('an unknown version is read as current and counted', async () => {
    const { session, counts, warnings } = await read([header({ version: 9 }), user('u1', null, 'a')]);
    assert.equal(must(session).turns.length, 1);
    assert.equal(counts.version_unknown, 1);
    assert.ok(warnings.some((w) => /unknown session version 9/.test(w)));
  });
});

describe('pir quirks', () => {
  test('empty tool call ids pair with results by order', async () => {
    const { session, counts } = await read([
      header(),
      user('u1', null, 'go'),
      assistant('a1', 'u1', '', [{ id: '', name: 'read' }, { id: '', name: 'bash' }]),
      toolResult('r1', 'a1', '', 'first'),
      toolResult('r2', 'r1', '', 'second'),
      assistant('a2', 'r2', '', [{ id: 'real', name: 'bash' }]),
      toolResult('r3', 'a2', '', 'third'),
    ]);
    const s = must(session);
    const ids = s.turns[1].toolCalls.map((c) => c.id);
    assert.equal(ids.length, 2);
    assert.ok(ids.every((id) => id.startsWith(EMPTY_ID_PREFIX)));
    assert.notEqual(ids[0], ids[1]);
    assert.deepEqual(s.turns[2].toolResults.map((r) => [r.id, r.content]), [[ids[0], 'first'], [ids[1], 'second']]);
    assert.deepEqual(s.turns[4].toolResults.map((r) => r.id), ['real']);
    assert.equal(counts.tool_call_ids_empty, 2);
    assert.equal(counts.tool_ids_paired_by_order, 3);
    assert.equal(counts.tool_results_unmatched, undefined);
  });

  test('model_change without parentId hangs off the entry before it, in the middle and at the end', async () => {
    const mid = must((await read([
      header(),
      user('u1', null, 'go'),
      entry('m1', undefined, { type: 'model_change', provider: 'openai', modelId: 'gpt-5.1-codex' }),
      assistant('a1', 'm1', 'hi', [], { provider: 'openai', model: 'gpt-5.1-codex' }),
    ])).session);
    assert.deepEqual(texts(mid), ['user:go', 'assistant:hi']);
    assert.deepEqual(mid.models, ['gpt-5.1-codex']);
    assert.equal(mid.provider, 'openai');

    const { session, counts } = await read([
      header(),
      user('u1', null, 'go'),
      assistant('a1', 'u1', 'hi'),
      entry('m1', undefined, { type: 'model_change', provider: 'google', modelId: 'gemini-2.5-pro' }),
    ]);
    const end = must(session);
    assert.deepEqual(texts(end), ['user:go', 'assistant:hi']);
    assert.deepEqual(end.models, ['claude-opus-4-5', 'gemini-2.5-pro']);
    assert.equal(counts.parent_id_missing, 1);
    assert.equal(end.abandoned.length, 0);
  });

  test('branchedFrom / parentSession give the parent id: from the parent file header, else its name', async () => {
    const parentPath = file([header({ id: '4e1d9b27-6c1a-4f0e-9b3d-2a7c5e8f1d04' }), user('u', null, 'p')], `${folder}/2026-01-01T09-00-00.000Z_4e1d9b27.jsonl`);
    const viaHeader = await read([header({ branchedFrom: parentPath }), user('u1', null, 'x')]);
    assert.equal(must(viaHeader.session).parentSessionId, '4e1d9b27-6c1a-4f0e-9b3d-2a7c5e8f1d04');
    assert.equal(viaHeader.counts.parent_id_from_header, 1);
    assert.equal(must(viaHeader.session).extra.parentSession, parentPath);

    const gone = '/home/ubuntu/.pi/agent/sessions/--x--/2026-01-01T09-00-00.000Z_9a0b1c2d.jsonl';
    const viaName = await read([header({ branchedFrom: gone }), user('u1', null, 'x')]);
    assert.equal(must(viaName.session).parentSessionId, '9a0b1c2d');
    assert.equal(viaName.counts.parent_id_from_name, 1);

    const pi = await read([header({ parentSession: '/p/--y--/2025-01-01T09-00-00-000Z_parent-uuid.jsonl' }), user('u1', null, 'x')]);
    assert.equal(must(pi.session).parentSessionId, 'parent-uuid');
    assert.equal(parentSessionIdFrom('plain-id'), 'plain-id');
    assert.equal(parentSessionIdFrom(''), undefined);
  });
});

describe('attachments', () => {
  const hex = (c: string) => c.repeat(64);
  const ref = (h: string, extra: Record<string, unknown> = {}) => ({ $piBlob: `sha256:${h}`, sizeBytes: 70000, encoding: 'base64', ...extra });

  test('blob references: present, missing, malformed; images and media are counted and dropped', async () => {
    const rel = `${folder}/2026-01-01T11-00-00.000Z_blobby.jsonl`;
    const blobs = join(root, `${rel}.blobs`);
    mkdirSync(blobs, { recursive: true });
    writeFileSync(join(blobs, hex('a')), 'not read');
    const { session, counts, warnings } = await read([
      header(),
      entry('u1', null, { type: 'message', message: { role: 'user', timestamp: 1, content: [
        { type: 'text', text: 'look' },
        { type: 'image', mimeType: 'image/png', data: ref(hex('a')) },
        { type: 'image', mimeType: 'image/png', data: ref(hex('b')) },
        { type: 'image', mimeType: 'image/png', data: 'aGVsbG8=' },
        { type: 'media', mimeType: 'video/mp4', name: 'clip.mp4', data: ref(hex('a'), { encoding: 'base64NoPad' }) },
      ] } }),
      assistant('a1', 'u1', '', [{ id: 'c1', name: 'read' }]),
      entry('r1', 'a1', { type: 'message', message: { role: 'toolResult', toolCallId: 'c1', toolName: 'read', isError: false, timestamp: 2, content: [
        { type: 'text', text: 'an image:' },
        { type: 'image', mimeType: 'image/png', data: { $piBlob: 'md5:abc', sizeBytes: 1, encoding: 'base64' } },
        { type: 'image', mimeType: 'image/png', data: { $piBlob: `sha256:${hex('c')}`, encoding: 'base64' } },
        { type: 'image', mimeType: 'image/png', data: ref(hex('d'), { extra: 1 }) },
        { type: 'image', mimeType: 'image/png', data: ref(hex('A')) },
      ] } }),
    ], { rel });
    const s = must(session);
    assert.equal(s.turns[0].text, 'look');
    assert.equal(s.turns[2].toolResults[0].content, 'an image:');
    assert.equal(counts.images, 7);
    assert.equal(counts.media, 1);
    assert.equal(counts.blob_refs, 7);
    assert.equal(counts.blobs_missing, 1);
    assert.equal(counts.blob_refs_malformed, 4);
    assert.ok(warnings.some((w) => w.includes(`blobby.jsonl.blobs/${hex('b')} is missing`)));
    assert.ok(warnings.some((w) => /malformed \$piBlob/.test(w)));
  });
});

describe('messages and metadata', () => {
  test('assistant turns carry thinking, tool calls, usage, model, provider, api, stop reason, time', async () => {
    const s = must((await read([
      header({ provider: 'anthropic', modelId: 'claude-opus-4-5', thinkingLevel: 'low' }),
      user('u1', null, 'go'),
      entry('a1', 'u1', { type: 'message', message: {
        role: 'assistant', api: 'openai-responses', provider: 'openai', model: 'gpt-5.1-codex', stopReason: 'toolUse',
        timestamp: Date.UTC(2026, 0, 2),
        usage: { input: 3, output: 191, cacheRead: 7, cacheWrite: 1684, totalTokens: 1885, cost: { input: 0.1, total: 0.009189 } },
        content: [
          { type: 'thinking', thinking: 'plan A' },
          { type: 'thinking', thinking: '', thinkingSignature: 'x', redacted: true },
          { type: 'thinking', thinking: 'plan B' },
          { type: 'text', text: 'part 1' },
          { type: 'text', text: 'part 2' },
          { type: 'toolCall', id: 't1', name: 'edit', arguments: { path: 'a.ts', oldText: 'x', newText: 'y' } },
        ],
      } }),
    ])).session);
    const t = s.turns[1];
    assert.equal(t.text, 'part 1\npart 2');
    assert.equal(t.thinking, 'plan A\nplan B');
    assert.deepEqual(t.toolCalls, [{ id: 't1', name: 'edit', input: { path: 'a.ts', oldText: 'x', newText: 'y' } }]);
    assert.deepEqual(t.usage, { input: 3, output: 191, cacheRead: 7, cacheWrite: 1684, totalTokens: 1885, cost: 0.009189 });
    assert.equal(t.model, 'gpt-5.1-codex');
    assert.equal(t.provider, 'openai');
    assert.equal(t.api, 'openai-responses');
    assert.equal(t.stopReason, 'toolUse');
    assert.match(t.timestamp ?? '', /^2026-01-01T/);
    assert.equal(s.provider, 'openai');
    assert.deepEqual(s.extra.thinkingLevels, ['low']);
    assert.equal(s.extra.initialModel, 'claude-opus-4-5');
  });

  test('turn time falls back to the message milliseconds when the entry has none', async () => {
    const e = user('u1', null, 'x');
    delete e.timestamp;
    (e.message as Record<string, unknown>).timestamp = Date.UTC(2026, 4, 5, 6, 7, 8);
    const s = must((await read([header(), e])).session);
    assert.equal(s.turns[0].timestamp, '2026-05-05T06:07:08.000Z');
  });

  test('bash executions become human-command user turns; excluded ones are skipped', async () => {
    const { session, counts } = await read([
      header(),
      entry('b1', null, { type: 'message', message: { role: 'bashExecution', command: 'git status', output: 'clean', exitCode: 0, cancelled: false, truncated: false, timestamp: 1 } }),
      entry('b2', 'b1', { type: 'message', message: { role: 'bashExecution', command: 'false', output: '', exitCode: 1, cancelled: false, truncated: false, timestamp: 2 } }),
      entry('b3', 'b2', { type: 'message', message: { role: 'bashExecution', command: 'secret', output: 'x', exitCode: 0, cancelled: false, truncated: false, excludeFromContext: true, timestamp: 3 } }),
      assistant('a1', 'b3', 'noted'),
    ]);
    const s = must(session);
    assert.equal(s.turns.length, 3);
    assert.equal(s.turns[0].humanCommand, true);
    assert.equal(s.turns[0].text, 'Ran `git status`\n```\nclean\n```');
    assert.equal(s.turns[1].text, 'Ran `false`\n(no output)\n\nCommand exited with code 1');
    assert.equal(counts.bash_executions, 3);
    assert.equal(counts.bash_excluded, 1);
  });

  test('session facts: models in order, name, labels, compactions, branch summaries, times, cwd', async () => {
    const s = must((await read([
      header({ timestamp: '2026-01-01T09:00:00.000Z' }),
      user('u1', null, 'go'),
      entry('m1', 'u1', { type: 'model_change', provider: 'openai', modelId: 'gpt-5.1-codex' }),
      assistant('a1', 'm1', 'one'),
      entry('n1', 'a1', { type: 'session_info', name: ' first name ' }),
      entry('n2', 'n1', { type: 'session_info', name: 'better name' }),
      entry('n3', 'n2', { type: 'session_info', name: '' }),
      entry('l1', 'n3', { type: 'label', targetId: 'u1', label: 'start' }),
      entry('l2', 'l1', { type: 'label', targetId: 'a1', label: 'gone soon' }),
      entry('l3', 'l2', { type: 'label', targetId: 'a1' }),
      entry('c1', 'l3', { type: 'compaction', summary: 's', firstKeptEntryId: 'a1', tokensBefore: 50000 }),
      entry('c2', 'c1', { type: 'compaction', summary: 's', firstKeptEntryId: 'a1', tokensBefore: 60000 }),
      entry('bs', 'c2', { type: 'branch_summary', fromId: 'zz', summary: 'tried' }),
      entry('t1', 'bs', { type: 'thinking_level_change', thinkingLevel: 'xhigh' }),
      { type: 'message', id: 'a2', parentId: 't1', timestamp: '2026-01-03T00:00:00.000Z', message: { role: 'assistant', model: 'claude-sonnet-4-5', provider: 'anthropic', content: [{ type: 'text', text: 'two' }], timestamp: 5 } },
    ])).session);
    assert.deepEqual(s.models, ['gpt-5.1-codex', 'claude-opus-4-5', 'claude-sonnet-4-5']);
    assert.equal(s.extra.name, 'better name');
    assert.deepEqual(s.extra.labels, { u1: 'start' });
    assert.deepEqual(s.extra.compactions, { count: 2, tokensBefore: [50000, 60000] });
    assert.equal(s.extra.branchSummaries, 1);
    assert.deepEqual(s.extra.thinkingLevels, ['xhigh']);
    assert.equal(s.startedAt, '2026-01-01T09:00:00.000Z');
    assert.equal(s.endedAt, '2026-01-03T00:00:00.000Z');
    assert.equal(s.cwd, '/home/ubuntu/gt/harvest/polecats/nux');
    assert.equal(s.extra.encodedFolder, undefined);
    assert.equal(s.format, 'pi');
    assert.equal(s.runtime, 'pir');
    assert.deepEqual(texts(s), ['user:go', 'assistant:one', 'assistant:two']);
  });

  test('without a cwd the encoded folder name is kept for role detection', async () => {
    const s = must((await read([header({ cwd: undefined }), user('u1', null, 'x')], { rel: '--home-ubuntu-gt-deacon--/2026-01-01T10-00-00.000Z_d1.jsonl' })).session);
    assert.equal(s.cwd, undefined);
    assert.equal(s.extra.encodedFolder, '--home-ubuntu-gt-deacon--');
  });

  test('long fields are capped (tool output, tool arguments, text) and counted', async () => {
    const big = 'x'.repeat(5000);
    const { session, counts } = await read([
      header(),
      user('u1', null, big),
      assistant('a1', 'u1', '', [{ id: 'c1', name: 'write', arguments: { path: 'a', content: big, nested: [big] } }]),
      toolResult('r1', 'a1', 'c1', big),
    ], { maxFieldChars: 100 });
    const s = must(session);
    assert.ok(s.turns[0].text.startsWith('x'.repeat(100)));
    assert.match(s.turns[0].text, /\[truncated 4900 chars\]$/);
    assert.ok(s.turns[0].text.length < 150);
    const input = s.turns[1].toolCalls[0].input as { content: string; nested: string[]; path: string };
    assert.ok(input.content.length < 150 && input.nested[0].length < 150);
    assert.equal(input.path, 'a');
    assert.ok(s.turns[2].toolResults[0].content.length < 150);
    assert.equal(counts.fields_capped, 4);
  });
});

describe('bad input', () => {
  test('malformed lines, unknown types and roles, non-entries: counted, warned, the rest read', async () => {
    const { session, counts, warnings } = await read([
      header(),
      user('u1', null, 'go'),
      'not json at all {',
      entry('f1', 'u1', { type: 'future_thing', payload: 1 }),
      entry('f2', 'f1', { type: 'message', message: { role: 'telepathy', content: 'hm' } }),
      [1, 2, 3],
      assistant('a1', 'f2', 'still here'),
    ]);
    const s = must(session);
    assert.deepEqual(texts(s), ['user:go', 'assistant:still here']);
    assert.equal(counts.malformed_json, 1);
    assert.equal(counts.skipped_type_future_thing, 1);
    assert.equal(counts.skipped_role_telepathy, 1);
    assert.equal(counts.skipped_no_type, 1);
    assert.ok(warnings.some((w) => /future_thing/.test(w)));
    assert.ok(warnings.some((w) => /malformed_json/.test(w)));
  });

  test('a header that is not the first line is used and counted; a missing header names the session by its file', async () => {
    const late = await read([user('u1', null, 'early'), header({ id: 'late-header' }), assistant('a1', 'u1', 'ok')]);
    assert.equal(must(late.session).id, 'late-header');
    assert.equal(late.counts.header_not_first, 1);
    assert.equal(must(late.session).turns.length, 2);

    const none = await read([user('u1', null, 'no header'), assistant('a1', 'u1', 'ok')], { rel: `${folder}/2026-01-01T10-00-00.000Z_abcd1234.jsonl` });
    assert.equal(must(none.session).id, 'abcd1234');
    assert.equal(none.counts.header_missing, 1);
    assert.equal(none.counts.session_id_from_filename, 1);
  });

  test('entries without ids get one made up; an empty assistant message is not a turn', async () => {
    const { session, counts } = await read([
      header(),
      user(undefined, undefined, 'no id'),
      assistant('a0', undefined, '', [], { stopReason: 'aborted' }),
      assistant('a1', undefined, 'fine'),
    ]);
    const s = must(session);
    assert.deepEqual(texts(s), ['user:no id', 'assistant:fine']);
    assert.match(s.turns[0].entryId ?? '', /^line-\d+$/);
    assert.equal(counts.ids_missing, 1);
    assert.equal(counts.assistant_empty, 1);
  });

  test('nothing usable gives a null session; an unreadable file rejects', async () => {
    const empty = await read([header()]);
    assert.equal(empty.session, null);
    assert.equal(empty.counts.no_turns, 1);
    const blank = file(['']);
    assert.equal((await readPiSession(blank, { runtime: 'pi' })).session, null);
    await assert.rejects(readPiSession(join(root, 'nope.jsonl'), { runtime: 'pi' }));
  });
});
