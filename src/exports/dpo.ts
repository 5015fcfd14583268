// `harvest export dpo --format trl|llamafactory|openai`: preference pairs in each target's shape,
// rendered from the lossless `PreferencePair` (prompt, chosen, rejected, tools, metadata).
//   trl           {prompt, chosen, rejected, tools?, metadata}: TRL's explicit-prompt conversational
//                 preference form; the sides are the continuations with structured tool calls
//                 (object arguments, `reasoning_content`, tool messages with `name`), as in `export
//                 openai --target trl`.
//   llamafactory  {conversations, system, tools, chosen: {from, value}, rejected: {from, value}}:
//                 LLaMA-Factory's ShareGPT ranking form (`"ranking": true` in dataset_info.json); each
//                 side is one message, so a trajectory side keeps its first assistant message (counted).
//                 No metadata column: Arrow would have to unify its varying shapes across lines.
//   openai        {input: {messages, tools?}, preferred_output: [assistant], non_preferred_output:
//                 [assistant]}: OpenAI's preference fine-tuning format; its outputs are one text
//                 message, so a side that calls tools cannot be said (skipped, counted).
import { dirname, join } from 'node:path';
import { readFile } from 'node:fs/promises';
import type { PreferencePair, SampleMessage } from '../model/sample.ts';
import { addCount, type Counts } from '../model/session.ts';
import { writeFileAtomic } from '../sinks/shards/shard-files.ts';
import { JsonlFileWriter } from '../sinks/training-files.ts';
import { ExportRuleError } from './export-run.ts';
import { lfDatasetEntry, renderLfConversation, LLAMAFACTORY_DEFAULTS, type LfMessage, type LlamaFactoryOptions } from './llamafactory.ts';
import { openAiOptions, renderOpenAiMessages, type OpenAiMessage } from './openai.ts';
import { checkDpoLine, DPO_RULES, type DpoFormat } from './dpo-rules.ts';
import type { ToolSpec } from '../model/tool-spec.ts';

export { DPO_FORMATS } from './dpo-rules.ts';
export type { DpoFormat } from './dpo-rules.ts';

/** A pair as the selection yields it; `tools` may be missing from pairs made before tools existed. */
export type PairInput = Omit<PreferencePair, 'tools'> & { tools?: ToolSpec[] };

/** A pair whose prompt does not end on an input, or whose sides are the same, trains nothing. */
function pairUsable(pair: PairInput, counts?: Counts): boolean {
  const last = pair.prompt.at(-1)?.role;
  if (last !== 'user' && last !== 'tool') {
    if (counts) addCount(counts, 'dpo_prompt_not_ending_on_input');
    return false;
  }
  if (JSON.stringify(pair.chosen) === JSON.stringify(pair.rejected)) {
    if (counts) addCount(counts, 'dpo_sides_identical');
    return false;
  }
  return true;
}

const firstAssistant = (side: readonly SampleMessage[]): SampleMessage[] => {
  const a = side.find((m) => m.role === 'assistant');
  return a ? [a] : [];
};

export function renderDpoTrl(pair: PairInput, counts?: Counts): Record<string, unknown> | null {
  const opts = openAiOptions('trl');
  const prompt = renderOpenAiMessages(pair.prompt, opts, counts, false);
  const chosen = renderOpenAiMessages(pair.chosen, opts, counts, false);
  const rejected = renderOpenAiMessages(pair.rejected, opts, counts, false);
  if (!chosen.length || !rejected.length) return null;
  const tools = pair.tools ?? [];
  return { prompt, chosen, rejected, ...(tools.length ? { tools } : {}), metadata: pair.metadata };
}

const samePrompt = (a: LfMessage[], b: LfMessage[]): boolean => JSON.stringify(a.slice(0, -1)) === JSON.stringify(b.slice(0, -1));

export function renderDpoLlamaFactory(pair: PairInput, opts: LlamaFactoryOptions = LLAMAFACTORY_DEFAULTS, counts?: Counts): Record<string, unknown> | null {
  if (pair.chosen.filter((m) => m.role === 'assistant').length > 1 || pair.rejected.filter((m) => m.role === 'assistant').length > 1) {
    if (counts) addCount(counts, 'dpo_sides_cut_to_first_message');
  }
  // Each side rendered after the prompt, so the prompt's alignment is the one a full line would have.
  const a = renderLfConversation([...pair.prompt, ...firstAssistant(pair.chosen)], opts);
  const b = renderLfConversation([...pair.prompt, ...firstAssistant(pair.rejected)], opts);
  // A prompt ending on an assistant message would merge into the sides: not a ranking prompt.
  const endsOnInput = pair.prompt.at(-1)?.role === 'user' || pair.prompt.at(-1)?.role === 'tool';
  const sameSide = JSON.stringify(a?.at(-1)) === JSON.stringify(b?.at(-1));
  if (!endsOnInput || !a || !b || a.length < 2 || !samePrompt(a, b) || sameSide) {
    if (counts) addCount(counts, 'dpo_llamafactory_prompt_not_aligned');
    return null;
  }
  const system = pair.prompt.filter((m) => m.role === 'system').map((m) => m.content).join('\n\n');
  return {
    conversations: a.slice(0, -1),
    system,
    tools: JSON.stringify(pair.tools ?? []),
    chosen: a.at(-1) as LfMessage,
    rejected: b.at(-1) as LfMessage,
  };
}

export function renderDpoOpenAi(pair: PairInput, counts?: Counts): Record<string, unknown> | null {
  const opts = openAiOptions('openai');
  const messages = renderOpenAiMessages(pair.prompt, opts, counts, false);
  const side = (s: readonly SampleMessage[]): OpenAiMessage[] | null => {
    const out = renderOpenAiMessages(firstAssistant(s), opts, counts, false);
    if (out.length !== 1 || out[0].role !== 'assistant' || out[0].tool_calls || out[0].content.trim() === '') return null;
    return out;
  };
  const preferred = side(pair.chosen);
  const nonPreferred = side(pair.rejected);
  if (!preferred || !nonPreferred) {
    if (counts) addCount(counts, 'dpo_openai_side_not_text');
    return null;
  }
  if (JSON.stringify(preferred) === JSON.stringify(nonPreferred)) {
    if (counts) addCount(counts, 'dpo_sides_identical');
    return null;
  }
  const tools = pair.tools ?? [];
  return { input: { messages, ...(tools.length ? { tools } : {}) }, preferred_output: preferred, non_preferred_output: nonPreferred };
}

export function renderDpo(pair: PairInput, format: DpoFormat, counts?: Counts): Record<string, unknown> | null {
  if (!pairUsable(pair, counts)) return null;
  if (format === 'trl') return renderDpoTrl(pair, counts);
  if (format === 'llamafactory') return renderDpoLlamaFactory(pair, LLAMAFACTORY_DEFAULTS, counts);
  return renderDpoOpenAi(pair, counts);
}

export interface DpoExportResult {
  pairs: number;
  bySource: Record<string, number>;
  counts: Counts;
  sha256: string;
  bytes: number;
}

/** Merges this file's entry into the `dataset_info.json` beside it (an SFT export may share the folder). */
async function writeRankingDatasetInfo(out: string, file: string): Promise<void> {
  const path = join(dirname(out), 'dataset_info.json');
  let info: Record<string, unknown> = {};
  try {
    info = JSON.parse(await readFile(path, 'utf8')) as Record<string, unknown>;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
  }
  info[`harvest_${file.replace(/\.jsonl$/, '')}`] = lfDatasetEntry(file, { ranking: true });
  await writeFileAtomic(path, JSON.stringify(info, null, 2) + '\n');
}

/** Streams `pairs` into `out` (JSONL) in `format`, checking each line; then `<out>.manifest.json`. */
export async function writeDpoFile(pairs: AsyncIterable<PairInput>, out: string, format: DpoFormat, meta: { dataset: string; options: Record<string, unknown> }, counts: Counts = {}): Promise<DpoExportResult> {
  const w = await JsonlFileWriter.open(out);
  const bySource: Record<string, number> = {};
  try {
    for await (const p of pairs) {
      const line = renderDpo(p, format, counts);
      if (!line) {
        addCount(counts, 'pairs_not_expressible');
        continue;
      }
      const breaks = checkDpoLine(line, format);
      if (breaks.length) throw new ExportRuleError(`dpo --format ${format}`, p.metadata.pair_id, out, breaks);
      await w.write(line);
      bySource[p.metadata.source] = (bySource[p.metadata.source] ?? 0) + 1;
    }
  } catch (e) {
    await w.abort();
    throw e;
  }
  const info = await w.close();
  if (format === 'llamafactory') await writeRankingDatasetInfo(out, info.file);
  const manifest = {
    schema_version: 2,
    created_at: new Date().toISOString(),
    dataset: meta.dataset,
    format: `${format}-preference`,
    file: info.file,
    records: info.records,
    bytes: info.bytes,
    sha256: info.sha256,
    pairs_by_source: bySource,
    options: meta.options,
    rules: DPO_RULES[format],
    counts,
  };
  await writeFileAtomic(out.replace(/\.jsonl$/, '') + '.manifest.json', JSON.stringify(manifest, null, 2) + '\n');
  return { pairs: info.records, bySource, counts, sha256: info.sha256, bytes: info.bytes };
}
