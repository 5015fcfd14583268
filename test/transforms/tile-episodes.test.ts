import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Sample } from '../../src/model/sample.ts';
import { sampleProblems } from '../../src/model/sample-rules.ts';
import type { Session, Turn } from '../../src/model/session.ts';
import { segmentEpisodes } from '../../src/transforms/episodes.ts';
import { StepMessageCache } from '../../src/transforms/step-messages.ts';
import { tileEpisodes, type Tile } from '../../src/transforms/tile-episodes.ts';
import { SessionToolSpecs } from '../../src/transforms/tool-specs.ts';
import { SampleTokenCounter } from '../../src/transforms/tokens/sample-tokens.ts';
import { getTokenizer } from '../../src/transforms/tokens/tokenizer.ts';
import { assistant, call, result, toolPair, user } from './build-turns.ts';

const SYSTEM = '[GAS TOWN ROLE: polecat]\nYou are a polecat.';
const tokens = new SampleTokenCounter(getTokenizer('qwen3'));

function tile(turns: Turn[], maxTokens: number, extra: { contextSteps?: number; tools?: Session['tools'] } = {}) {
  const session: Session = { id: 's', format: 'claude', runtime: 'claude-code', path: '/x', models: [], turns, abandoned: [], extra: {}, tools: extra.tools };
  const { episodes } = segmentEpisodes(turns);
  return tileEpisodes(episodes, { maxTokens, systemPrompt: SYSTEM, contextSteps: extra.contextSteps }, {
    tokens, messages: new StepMessageCache('keep'), specs: new SessionToolSpecs(session),
  });
}

const asSample = (t: Tile): Sample => JSON.parse(JSON.stringify({ messages: t.messages, tools: t.tools, metadata: {
  schema_version: 2, record_id: 'r', version: 1, source: 'claude-code', session_id: 's', role: 'polecat', split: 'train',
  episode_index: t.episodeIndex, step_start: t.stepStart, step_end: t.stepEnd, token_count: t.tokenCount, tokenizer: 'qwen3',
  quality_score: 0.5, quality_components: {}, gpt_hash: 'h',
} }));

/** Every rule, the budget by a whole-text count, and each step a target exactly once. */
function checkTiles(tiles: Tile[], budget: number, steps: number): void {
  const trained: number[] = [];
  for (const t of tiles) {
    assert.deepEqual(sampleProblems(asSample(t)), []);
    const whole = tokens.whole(t.messages, t.tools);
    assert.equal(whole, t.tokenCount, 'per-message counts add up to the whole text');
    assert.ok(whole <= budget, `${whole} > ${budget}`);
    for (let k = t.stepStart; k < t.stepEnd; k++) trained.push(k);
  }
  assert.deepEqual(trained, [...Array(steps).keys()]);
}

test('steps tile the episode in order, each once, within the budget, every later sample with the progress note', () => {
  const turns: Turn[] = [user('Port every handler in src/api to the new router.')];
  for (let i = 0; i < 20; i++) turns.push(...toolPair('Edit', { file_path: `/repo/src/api/h${i}.ts`, old_string: 'x'.repeat(200), new_string: 'y'.repeat(200) }, 'The file was updated.'));
  turns.push(assistant('All 20 handlers use the router.'));
  const { tiles, counts } = tile(turns, 1200);
  assert.ok(tiles.length >= 4, `${tiles.length} tiles`);
  checkTiles(tiles, 1200, 21);
  assert.equal(counts.targets, 21);
  for (const t of tiles.slice(1)) {
    const u = t.messages[1];
    assert.equal(u.role, 'user');
    assert.match(u.content, new RegExp(`^Port every handler[\\s\\S]*\\[Progress so far: ${t.stepStart} steps?\\. Tools used: Edit \\(${t.stepStart}\\)\\. Files changed: /repo/src/api/h0\\.ts`));
  }
  assert.deepEqual(tiles[0].tools.map((s) => s.function.name), ['Edit']);
});

test('parallel calls stay in one step: the calls and all their results are in the same sample', () => {
  const calls = [0, 1, 2].map((i) => call('Read', { file_path: `/r/f${i}.ts` }));
  const turns: Turn[] = [
    user('Compare the three files.'),
    assistant('Reading all three.', { toolCalls: calls }),
    user('', { toolResults: calls.map((c, i) => result(c.id, `content ${i}`)) }),
    assistant('f1 differs from the others.'),
  ];
  const { tiles } = tile(turns, 4096);
  assert.equal(tiles.length, 1);
  assert.deepEqual(tiles[0].messages.map((m) => m.role), ['system', 'user', 'assistant', 'tool', 'tool', 'tool', 'assistant']);
  checkTiles(tiles, 4096, 2);
});

test("a subagent's final report is a target like any other step, even after a long run", () => {
  const turns: Turn[] = [user('Survey the repository layout and report.')];
  for (let i = 0; i < 12; i++) turns.push(...toolPair('Glob', { pattern: `src/m${i}/**` }, `src/m${i}/a.ts\n`.repeat(40)));
  const report = 'Report: the repository has twelve modules under src/, each with its own tests. '.repeat(8);
  turns.push(assistant(report, { stopReason: 'end_turn' }));
  const { tiles } = tile(turns, 1500);
  checkTiles(tiles, 1500, 13);
  const last = tiles.at(-1)!.messages.at(-1)!;
  assert.equal(last.role === 'assistant' && last.content, report.trim());
});

test('a budget smaller than one step: the task is cut, then reasoning; what still cannot fit is counted, never half-emitted', () => {
  const big = 'word '.repeat(3000);
  const turns: Turn[] = [
    user(`Summarise this: ${'lorem ipsum '.repeat(400)}`),
    assistant('Short answer.', { thinking: big }),
    user('And one more thing.'),
    assistant(big),
  ];
  const { tiles, counts } = tile(turns, 600);
  assert.equal(tiles.length, 1, 'the first step fits once its reasoning is cut');
  assert.equal(tiles[0].reasoningTruncated, true);
  assert.equal(tiles[0].taskTruncated, true);
  assert.ok(tokens.whole(tiles[0].messages, tiles[0].tools) <= 600);
  assert.deepEqual(sampleProblems(asSample(tiles[0])), []);
  assert.equal(counts['uncovered.too_large'], 1, 'the 3000-word answer cannot be cut without teaching a cut answer');
  assert.equal(counts.targets, 1);
});

test('a step whose calls have no result yet ends its sample', () => {
  const open = call('Bash', { command: 'npm test' });
  const turns: Turn[] = [user('Run the tests.'), assistant('', { toolCalls: [open] }), user('Also, skip the slow ones.'), assistant('Skipping them.')];
  const { tiles } = tile(turns, 4096);
  checkTiles(tiles.filter((t) => t.episodeIndex === 0), 4096, 1);
  assert.equal(tiles[0].messages.at(-1)!.role, 'assistant');
});

test('context steps: as many earlier steps as fit, with their results, weight 0, never an unanswered one', () => {
  const turns: Turn[] = [user('Rename the helpers.')];
  for (let i = 0; i < 10; i++) turns.push(...toolPair('Edit', { file_path: `/r/h${i}.ts`, old_string: 'a'.repeat(150), new_string: 'b'.repeat(150) }, 'ok'));
  turns.push(assistant('Renamed.'));
  const { tiles, counts } = tile(turns, 1000, { contextSteps: 2 });
  checkTiles(tiles, 1000, 11);
  for (const t of tiles.slice(1)) {
    assert.equal(t.stepStart - t.contextStart, 2);
    const roles = t.messages.slice(2, 6).map((m) => (m.role === 'assistant' ? `a${m.weight ?? 1}` : m.role));
    assert.deepEqual(roles, ['a0', 'tool', 'a0', 'tool']);
  }
  assert.ok((counts.context_steps ?? 0) > 0);
});

test('tools the session declares win over the built-in registry; unknown tools get an inferred schema', () => {
  const declared = { type: 'function' as const, function: { name: 'Read', description: 'declared', parameters: { type: 'object' } } };
  const turns: Turn[] = [
    user('Use the tools.'),
    ...toolPair('Read', { file_path: '/a' }, 'A'),
    ...toolPair('mcp__db__query', { sql: 'select 1', limit: 5 }, '1'),
    ...toolPair('mcp__db__query', { sql: 'select 2' }, '2'),
    assistant('Done.'),
  ];
  const { tiles } = tile(turns, 4096, { tools: [declared] });
  const specs = Object.fromEntries(tiles[0].tools.map((t) => [t.function.name, t.function]));
  assert.equal(specs.Read.description, 'declared');
  assert.deepEqual(specs.mcp__db__query.parameters, { type: 'object', properties: { sql: { type: 'string' }, limit: { type: 'integer' } }, required: ['sql'] });
});
