import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Turn } from '../../src/model/session.ts';
import { chunkTurns, type Chunk } from '../../src/transforms/chunk.ts';
import { turnChars } from '../../src/transforms/turn-size.ts';
import { assistant, toolPair, user } from './build-turns.ts';

const chat = (pairs: number, size = 10): Turn[] =>
  Array.from({ length: pairs }, (_, i) => [user(`q${i} ${'u'.repeat(size)}`), assistant(`a${i} ${'a'.repeat(size)}`)]).flat();

/** A chunk ending right before the results of its last assistant turn's calls. */
const partsPairAtEnd = (turns: Turn[], c: Chunk): boolean =>
  c.end < turns.length && turns[c.end - 1].role === 'assistant' && turns[c.end - 1].toolCalls.length > 0 &&
  turns[c.end].toolResults.length > 0;

function assertInvariants(turns: Turn[], chunks: Chunk[], budget: number, window: number, label = ''): void {
  for (const [i, c] of chunks.entries()) {
    assert.equal(turns[c.start].role, 'user', `${label} chunk ${i} opens on a user turn`);
    assert.ok(c.turns.some((t) => t.role === 'assistant'), `${label} chunk ${i} has a reply`);
    assert.ok(!partsPairAtEnd(turns, c), `${label} chunk ${i} ends between a call and its result`);
    assert.equal(c.turns.length, c.end - c.start);
    const size = c.turns.reduce((n, t) => n + turnChars(t), 0);
    assert.ok(size <= budget, `${label} chunk ${i} is ${size} chars over ${budget}`);
    if (i > 0) {
      assert.ok(c.start > chunks[i - 1].start, `${label} starts increase`);
      assert.ok(c.end > chunks[i - 1].end, `${label} chunk ${i} is not inside an earlier one`);
      assert.ok(c.start <= chunks[i - 1].end, `${label} no gap before chunk ${i}`);
    }
    void window;
  }
  // Every tool call (after the first user turn) is together with its result in at least one chunk.
  for (let k = Math.max(0, turns.findIndex((t) => t.role === 'user')); k + 1 < turns.length; k++) {
    if (turns[k].toolCalls.length > 0 && turns[k + 1].toolResults.length > 0) {
      assert.ok(chunks.some((c) => c.start <= k && c.end >= k + 2), `${label} call at ${k} is with its result`);
    }
  }
}

test('short conversations are one chunk', () => {
  const turns = chat(3);
  const { chunks, counts } = chunkTurns(turns);
  assert.deepEqual(chunks.map((c) => [c.start, c.end]), [[0, 6]]);
  assert.equal(counts.chunks, 1);
  assert.equal(counts.chunk_turns_uncovered, 0);
});

test('windows of 16 turns advance by 8 and cover everything', () => {
  const turns = chat(20);
  const { chunks } = chunkTurns(turns);
  assert.deepEqual(chunks.map((c) => [c.start, c.end]), [[0, 16], [8, 24], [16, 32], [24, 40]]);
  assertInvariants(turns, chunks, 16384, 16);
});

test('a window never ends between an assistant tool call and its results', () => {
  // u, then (call, result) pairs: position 16 would fall between a call (15) and its result.
  const turns: Turn[] = [user('fix the bug please')];
  for (let i = 0; i < 12; i++) turns.push(...toolPair('bash', { command: `step ${i}` }, `out ${i}`));
  turns.push(assistant('done'));
  const { chunks } = chunkTurns(turns);
  assert.ok(chunks.length >= 2);
  assertInvariants(turns, chunks, 16384, 16);
  assert.equal(chunks[0].end, 15, 'the first window shrinks to end after a result');
  for (const c of chunks) assert.ok(c.end - c.start <= 16);
});

test('the char budget, system prompt included, shrinks windows', () => {
  const turns = chat(20, 900); // ~ 1800+ chars a pair
  const { chunks } = chunkTurns(turns, { charBudget: 6000, systemPromptChars: 1000 });
  assert.ok(chunks.length > 4, `${chunks.length} chunks`);
  assertInvariants(turns, chunks, 5000, 16);
  assert.equal(chunks.at(-1)!.end, turns.length);
});

test('a chunk too big even at its smallest is cut in the middle of its longest strings, not dropped', () => {
  const turns = [user('small question'), assistant('x'.repeat(50_000)), user('next'), assistant('fine')];
  const { chunks, counts } = chunkTurns(turns, { charBudget: 4000 });
  assert.equal(counts.chunks_truncated_to_budget, 1);
  assert.equal(counts.chunk_turns_truncated, 1);
  assert.deepEqual(chunks.map((c) => [c.start, c.end]), [[0, 2], [2, 4]]);
  assert.equal(chunks[0].turns[0].text, 'small question', 'short strings stay whole');
  assert.match(chunks[0].turns[1].text, /truncated \d+ chars/);
  assert.equal(turns[1].text.length, 50_000, 'input untouched');
  assertInvariants(turns, chunks, 4000, 16);
});

test('a long single-prompt tool loop still chunks, each window opening on a user turn', () => {
  const turns: Turn[] = [user('[GAS TOWN] polecat nux <- witness\nimplement the feature')];
  for (let i = 0; i < 40; i++) turns.push(...toolPair('edit', { path: `f${i}.ts`, text: 'z'.repeat(300) }, 'ok '.repeat(100)));
  turns.push(assistant('all done, tests pass'));
  const { chunks, counts } = chunkTurns(turns, { charBudget: 8000 });
  assertInvariants(turns, chunks, 8000, 16);
  assert.equal(counts.chunk_turns_uncovered, 0);
  assert.equal(chunks.at(-1)!.end, turns.length);
});

test('leading assistant turns and an unanswered last prompt are counted as uncovered', () => {
  const turns = [assistant('summary of earlier work'), ...chat(2), user('and now?')];
  const { chunks, counts } = chunkTurns(turns);
  assert.deepEqual(chunks.map((c) => [c.start, c.end]), [[1, 6]]);
  assert.equal(counts.chunk_turns_uncovered, 1);
});

test('a session of user turns only has no chunk', () => {
  const { chunks, counts } = chunkTurns([user('a'), user('b')]);
  assert.equal(chunks.length, 0);
  assert.equal(counts.chunk_turns_uncovered, 2);
});

test('a stride longer than the window still leaves no turn out', () => {
  const turns = chat(20);
  const { chunks } = chunkTurns(turns, { window: 4, stride: 10 });
  assertInvariants(turns, chunks, 16384, 4);
  assert.equal(chunks.at(-1)!.end, turns.length);
});

test('bad options are refused with the value', () => {
  assert.throws(() => chunkTurns([], { window: 1 }), /window must be an integer >= 2, got 1/);
  assert.throws(() => chunkTurns([], { stride: 0 }), /stride must be an integer >= 1, got 0/);
});

test('random sessions keep every invariant', () => {
  let seed = 42;
  const rand = (): number => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  for (let run = 0; run < 200; run++) {
    const turns: Turn[] = [];
    const length = 1 + Math.floor(rand() * 60);
    while (turns.length < length) {
      const r = rand();
      const size = Math.floor(rand() * (rand() < 0.1 ? 9000 : 800));
      if (r < 0.3) turns.push(user('p'.repeat(size + 1)));
      else if (r < 0.7) turns.push(...toolPair('bash', { c: 'c'.repeat(size) }, 'o'.repeat(size), rand() < 0.2));
      else turns.push(assistant('t'.repeat(size + 1)));
    }
    const window = 2 + Math.floor(rand() * 20);
    const stride = 1 + Math.floor(rand() * 12);
    const budget = 3000 + Math.floor(rand() * 20000);
    const { chunks, counts } = chunkTurns(turns, { window, stride, charBudget: budget });
    const label = `run ${run}`;
    assertInvariants(turns, chunks, budget, window, label);
    const covered = new Set(chunks.flatMap((c) => Array.from({ length: c.end - c.start }, (_, i) => c.start + i)));
    assert.equal(turns.length - covered.size, counts.chunk_turns_uncovered, `${label} uncovered count`);
    const firstUser = turns.findIndex((t) => t.role === 'user');
    const lastAssistant = turns.findLastIndex((t) => t.role === 'assistant');
    for (let i = 0; i < turns.length; i++) {
      if (firstUser !== -1 && i >= firstUser && i <= lastAssistant) assert.ok(covered.has(i), `${label} turn ${i} covered`);
    }
  }
});
