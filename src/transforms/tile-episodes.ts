// Episodes into samples that tile them: every step is the training target of exactly one sample.
//
// A sample is the role's system prompt (with the specs of the tools it calls), the episode's task
// (whole when it fits its share of the budget, else head and tail), then a run of whole consecutive
// steps ending on an assistant message. Each step but the last carries its tool results; the last
// step's results open nothing in this sample (the next sample's note says what was done, or its
// context repeats the step). A step whose calls have no result yet always ends its sample, so no
// call inside a sample is left unanswered. When a run does not start at the episode's first step,
// the task is followed by a short note of what was already done; with `contextSteps`, up to that
// many earlier steps are repeated before the run as untrained context (`weight: 0`).
//
// Budgets are real tokens of the rendered chat template (see tokens/). A step that cannot fit
// alone, even with the task at its smallest share and its reasoning cut, is counted
// (`uncovered.too_large`), never silently lost. Pure.
import type { AssistantMessage, SampleMessage } from '../model/sample.ts';
import { addCount, type Counts } from '../model/session.ts';
import type { ToolSpec } from '../model/tool-spec.ts';
import type { Episode, Step } from './episodes.ts';
import { progressNote } from './progress-note.ts';
import type { StepMessageCache } from './step-messages.ts';
import type { SessionToolSpecs } from './tool-specs.ts';
import type { SampleTokenCounter } from './tokens/sample-tokens.ts';
import { truncateMiddle } from './truncate.ts';
import { DEFAULT_MAX_TOKENS } from './tokens/tokenizer.ts';

export { DEFAULT_MAX_TOKENS };
/** Most of the budget the task may take before it is cut to head and tail. */
export const TASK_SHARE = 0.25;
/** The task's share when even one step does not fit beside it. */
const MIN_TASK_SHARE = 0.08;

export interface TileOptions {
  maxTokens?: number;
  contextSteps?: number;
  systemPrompt: string;
  /** Steps of assistant turns before this turn index are context only (an abandoned branch's shared prefix). */
  trainFrom?: number;
  cwd?: string;
}

export interface TileDeps {
  tokens: SampleTokenCounter;
  messages: StepMessageCache;
  specs: SessionToolSpecs;
}

export interface Tile {
  episodeIndex: number;
  episode: Episode;
  /** Trained steps: episode.steps[stepStart, stepEnd). */
  stepStart: number;
  stepEnd: number;
  /** Context steps: episode.steps[contextStart, stepStart). */
  contextStart: number;
  messages: SampleMessage[];
  tools: ToolSpec[];
  tokenCount: number;
  /** The task was cut to head and tail / the last step's reasoning was cut to fit. */
  taskTruncated: boolean;
  reasoningTruncated: boolean;
}

export interface TileResult {
  tiles: Tile[];
  counts: Counts;
}

interface Fit {
  end: number;
  contextStart: number;
  user: string;
  taskTruncated: boolean;
  tools: ToolSpec[];
  tokens: number;
  last?: AssistantMessage;
}

const callNames = (steps: readonly Step[], from: number, to: number): string[] => {
  const names: string[] = [];
  for (let k = from; k < to; k++) for (const c of steps[k].calls) names.push(c.name);
  return names;
};

export function tileEpisodes(episodes: readonly Episode[], opts: TileOptions, deps: TileDeps): TileResult {
  const budget = opts.maxTokens ?? DEFAULT_MAX_TOKENS;
  const maxContext = Math.max(0, opts.contextSteps ?? 0);
  const trainFrom = opts.trainFrom ?? 0;
  const counts: Counts = { targets: 0, 'uncovered.too_large': 0 };
  const tiles: Tile[] = [];
  const { tokens, messages, specs } = deps;

  /** The task (cut to `share` of the budget when longer) and the note, as the user message. */
  const userMessage = (task: string, note: string, share: number): { content: string; truncated: boolean } => {
    const join = (t: string) => (note ? `${t}\n\n${note}` : t);
    const limit = Math.floor(budget * share);
    let content = join(task);
    let n = tokens.user(content);
    if (n <= limit) return { content, truncated: false };
    let chars = task.length;
    for (let round = 0; round < 6 && n > limit; round++) {
      chars = Math.max(0, Math.floor(chars * (limit / n) * 0.97));
      content = join(truncateMiddle(task, chars));
      n = tokens.user(content);
    }
    return { content, truncated: true };
  };

  const fitFrom = (episode: Episode, i: number, share: number, lastOverride?: AssistantMessage): Fit | null => {
    const steps = episode.steps;
    // Context: the answered steps right before i, newest last.
    let available = 0;
    while (available < maxContext && i - available - 1 >= 0 && messages.of(steps[i - available - 1]).answered) available++;
    for (let c = available; c >= 0; c--) {
      const contextStart = i - c;
      const user = userMessage(episode.task, progressNote(steps.slice(0, contextStart), opts.cwd), share);
      const names = callNames(steps, contextStart, i + 1);
      let tools = specs.specsFor(names);
      let fixed = tokens.user(user.content);
      for (let k = contextStart; k < i; k++) {
        const m = messages.of(steps[k]);
        fixed += tokens.assistant(m.assistant, false) + tokens.tools(m.tools);
      }
      const first = lastOverride ?? messages.of(steps[i]).assistant;
      let total = tokens.system(opts.systemPrompt, tools) + fixed + tokens.assistant(first, true);
      if (total > budget) continue;
      // Extend the run while the next step fits.
      let end = i + 1;
      let body = fixed; // everything but the system block and the last assistant message
      while (end < steps.length && !lastOverride) {
        const prev = messages.of(steps[end - 1]);
        if (!prev.answered) break;
        const next = messages.of(steps[end]);
        const nextTools = steps[end].calls.length === 0 ? tools : specs.specsFor([...names, ...steps[end].calls.map((c) => c.name)]);
        const nextBody = body + tokens.assistant(prev.assistant, false) + tokens.tools(prev.tools);
        const nextTotal = tokens.system(opts.systemPrompt, nextTools) + nextBody + tokens.assistant(next.assistant, true);
        if (nextTotal > budget) break;
        for (const c of steps[end].calls) names.push(c.name);
        tools = nextTools;
        body = nextBody;
        total = nextTotal;
        end++;
      }
      return { end, contextStart, user: user.content, taskTruncated: user.truncated, tools, tokens: total, last: lastOverride };
    }
    return null;
  };

  /** Step i alone with its reasoning cut in the middle until it fits, or null. */
  const fitCut = (episode: Episode, i: number): Fit | null => {
    const whole = messages.of(episode.steps[i]).assistant;
    const reasoning = whole.reasoning_content ?? '';
    if (reasoning === '') return null;
    let chars = reasoning.length;
    for (let round = 0; round < 8; round++) {
      chars = Math.floor(chars * 0.6);
      const cut: AssistantMessage = { ...whole, reasoning_content: truncateMiddle(reasoning, chars) };
      if (chars < 200) delete cut.reasoning_content;
      const fit = fitFrom(episode, i, MIN_TASK_SHARE, cut);
      if (fit) return fit;
      if (chars < 200) return null;
    }
    return null;
  };

  episodes.forEach((episode, episodeIndex) => {
    const steps = episode.steps;
    let i = steps.findIndex((s) => s.turnIndex >= trainFrom);
    if (i < 0) return;
    while (i < steps.length) {
      const fit = fitFrom(episode, i, TASK_SHARE) ?? fitFrom(episode, i, MIN_TASK_SHARE) ?? fitCut(episode, i);
      if (!fit) {
        addCount(counts, 'uncovered.too_large');
        i++;
        continue;
      }
      const out: SampleMessage[] = [{ role: 'system', content: opts.systemPrompt }, { role: 'user', content: fit.user }];
      for (let k = fit.contextStart; k < i; k++) {
        const m = messages.of(steps[k]);
        out.push(m.context, ...m.tools);
      }
      for (let k = i; k < fit.end; k++) {
        const m = messages.of(steps[k]);
        if (k === fit.end - 1) out.push(fit.last ?? m.assistant);
        else out.push(m.assistant, ...m.tools);
      }
      tiles.push({
        episodeIndex,
        episode,
        stepStart: i,
        stepEnd: fit.end,
        contextStart: fit.contextStart,
        messages: out,
        tools: fit.tools,
        tokenCount: fit.tokens,
        taskTruncated: fit.taskTruncated,
        reasoningTruncated: fit.last !== undefined,
      });
      addCount(counts, 'targets', fit.end - i);
      if (fit.contextStart < i) addCount(counts, 'context_steps', i - fit.contextStart);
      if (fit.taskTruncated) addCount(counts, 'tasks_truncated');
      if (fit.last) addCount(counts, 'reasoning_truncated_to_budget');
      i = fit.end;
    }
  });
  return { tiles, counts };
}
