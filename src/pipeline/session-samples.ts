// One session -> its training samples: scrub -> role -> per branch: normalize -> episodes ->
// tiles (token budget) -> score / filter -> metadata + target hash. Pure: no I/O.
//
// Every assistant message of the session is the training target of exactly one sample, or counted
// under `uncovered.<reason>`: no_task (before any human input), too_large (cannot fit the budget
// even alone), rejected_<reason> (a whole sample filtered for a real reason).
import { createHash } from 'node:crypto';
import { SCHEMA_VERSION, type Role, type Sample, type SampleMetadata, type Split } from '../model/sample.ts';
import { addCount, mergeCounts, type Counts, type Session, type Turn } from '../model/session.ts';
import { targetHash } from '../transforms/dedupe.ts';
import { segmentEpisodes } from '../transforms/episodes.ts';
import { normalizeToolResults } from '../transforms/normalize.ts';
import { systemPromptFor } from '../transforms/role-prompts.ts';
import { detectRole, type RoleEvidence, type RoleSignal } from '../transforms/role.ts';
import { assessSample } from '../transforms/score.ts';
import { scrubSession, type ScrubOptions } from '../transforms/scrub.ts';
import { DEFAULT_VAL_PERCENT, splitFor } from '../transforms/split.ts';
import { StepMessageCache, type ThinkingMode } from '../transforms/step-messages.ts';
import { tileEpisodes, DEFAULT_MAX_TOKENS, type Tile } from '../transforms/tile-episodes.ts';
import { SessionToolSpecs } from '../transforms/tool-specs.ts';
import { SampleTokenCounter } from '../transforms/tokens/sample-tokens.ts';
import { DEFAULT_TOKENIZER, getTokenizer, type TokenizerName } from '../transforms/tokens/tokenizer.ts';

export interface SessionSampleOptions {
  /** Gas Town root (default `~/gt`). */
  townRoot?: string;
  /** Home directory `~` expands to (default: the current user's). */
  homeDir?: string;
  valPercent?: number;
  thinking?: ThinkingMode;
  /** Written into every record; the highest version of a record_id wins downstream. */
  version: number;
  minScore?: number;
  /** Token budget of a sample, chat template and tool specs included (default 4096). */
  maxTokens?: number;
  tokenizer?: TokenizerName;
  /** Earlier steps repeated before a sample's trained steps as context (default 0). */
  contextSteps?: number;
  maxToolResultChars?: number;
  /** What scrubbing redacts beyond secrets. */
  privacy?: ScrubOptions;
}

export interface SessionSamples {
  samples: Sample[];
  counts: Counts;
  role: Role;
  roleSignal: RoleSignal;
}

interface Branch {
  kind: 'active' | 'abandoned';
  point: string | null;
  /**
   * Tells apart abandoned branches: their leaf. Two abandoned leaves can share a branch point and
   * their first entries (a fork inside the abandoned part), so only the leaf is unique.
   */
  key: string | null;
  /** The conversation the branch's samples are cut from: an abandoned branch after its shared prefix. */
  turns: Turn[];
  /** Assistant turns before this index were trained on the active path (the shared prefix). */
  trainFrom: number;
}

const BANNER_SEARCH_TURNS = 5;

function roleEvidence(session: Session): RoleEvidence {
  const userTexts = session.turns
    .filter((t) => t.role === 'user' && t.text.trim() !== '')
    .slice(0, BANNER_SEARCH_TURNS)
    .map((t) => t.text);
  const dirs = session.path.replace(/\\/g, '/').split('/').slice(0, -1);
  return {
    cwd: session.cwd,
    firstUserText: userTexts.find((t) => t.includes('[GAS TOWN]')) ?? userTexts[0],
    // Claude `-home-u-gt-mayor/`, pi `--home-u-gt-mayor--/`; subagents sit deeper below it.
    encodedFolder: dirs.findLast((d) => d.startsWith('-')),
  };
}

/** The same steps of the same episode of the same branch, the same id: re-reads of a growing file replace it. */
function recordId(session: Session, branch: Branch, tile: Tile): string {
  const key = JSON.stringify([session.runtime, session.id, branch.kind, branch.point, branch.key, tile.episodeIndex, tile.stepStart]);
  return createHash('sha256').update(key).digest('hex').slice(0, 32);
}

/** The model of most trained steps (the earliest on a tie). */
function mostUsedModel(tile: Tile): string | null {
  const uses = new Map<string, number>();
  for (let k = tile.stepStart; k < tile.stepEnd; k++) {
    const model = tile.episode.steps[k].turn.model;
    if (model) uses.set(model, (uses.get(model) ?? 0) + 1);
  }
  let best: string | null = null;
  for (const [model, n] of uses) if (best === null || n > uses.get(best)!) best = model;
  return best;
}

function usageTotals(tile: Tile): SampleMetadata['tokens'] {
  const tokens = { input: 0, output: 0, cache_read: 0, cache_write: 0 };
  for (let k = tile.stepStart; k < tile.stepEnd; k++) {
    const usage = tile.episode.steps[k].turn.usage;
    if (!usage) continue;
    tokens.input += usage.input;
    tokens.output += usage.output;
    tokens.cache_read += usage.cacheRead;
    tokens.cache_write += usage.cacheWrite;
  }
  return tokens;
}

interface MetadataInput {
  session: Session;
  branch: Branch;
  tile: Tile;
  role: Role;
  roleSignal: RoleSignal;
  split: Split;
  quality: { score: number; components: Record<string, number> };
  version: number;
  tokenizer: TokenizerName;
  budget: number;
}

function buildMetadata(m: MetadataInput): SampleMetadata {
  const { session, tile } = m;
  const steps = tile.episode.steps;
  const first = steps[tile.stepStart];
  const last = steps[tile.stepEnd - 1];
  return {
    schema_version: SCHEMA_VERSION,
    record_id: recordId(session, m.branch, tile),
    version: m.version,
    source: session.runtime,
    runtime: session.runtime,
    format: session.format,
    session_id: session.id,
    parent_session_id: session.parentSessionId ?? null,
    agent_id: session.agentId ?? null,
    subagent_type: session.subagentType ?? null,
    role: m.role,
    role_signal: m.roleSignal,
    split: m.split,
    branch: m.branch.kind,
    branch_point: m.branch.point,
    episode_index: tile.episodeIndex,
    step_start: tile.stepStart,
    step_end: tile.stepEnd,
    context_steps: tile.stepStart - tile.contextStart,
    turn_start: first.turnIndex,
    turn_end: last.turnIndex + 1,
    quality_score: m.quality.score,
    quality_components: m.quality.components,
    model: mostUsedModel(tile) ?? session.models[0] ?? null,
    models: session.models,
    tokens: usageTotals(tile),
    token_count: tile.tokenCount,
    tokenizer: m.tokenizer,
    token_budget: m.budget,
    ...(tile.taskTruncated ? { task_truncated: true } : {}),
    ...(tile.reasoningTruncated ? { reasoning_truncated: true } : {}),
    cwd: session.cwd ?? null,
    git_branch: session.gitBranch ?? null,
    started_at: tile.episode.taskTurn.timestamp ?? session.startedAt ?? null,
    ended_at: last.turn.timestamp ?? session.endedAt ?? null,
    extra: session.extra,
    gpt_hash: '',
  };
}

const countAssistant = (turns: readonly Turn[], from: number): number => {
  let n = 0;
  for (let i = from; i < turns.length; i++) if (turns[i].role === 'assistant') n++;
  return n;
};

/**
 * Every training sample of one session. Secrets are scrubbed once per session, before truncation can
 * cut one in half, and counted once.
 */
export function sessionToSamples(raw: Session, opts: SessionSampleOptions): SessionSamples {
  const counts: Counts = {};
  const session = scrubSession(raw, counts, opts.privacy);
  mergeCounts(counts, {
    sessions: 1,
    turns: session.turns.length,
    abandoned_branches: session.abandoned.length,
    abandoned_turns: session.abandoned.reduce((n, b) => n + b.turns.length, 0),
    assistant_messages: 0,
    targets: 0,
    samples: 0,
  });
  const { role, signal: roleSignal } = detectRole(roleEvidence(raw), { townRoot: opts.townRoot, homeDir: opts.homeDir });
  const systemPrompt = systemPromptFor(role);
  const split = splitFor(session.parentSessionId ?? session.id, opts.valPercent ?? DEFAULT_VAL_PERCENT);
  const tokenizerName = opts.tokenizer ?? DEFAULT_TOKENIZER;
  const deps = {
    tokens: new SampleTokenCounter(getTokenizer(tokenizerName)),
    messages: new StepMessageCache(opts.thinking ?? 'keep'),
    specs: new SessionToolSpecs(session),
  };
  const branches: Branch[] = [
    { kind: 'active', point: null, key: null, turns: session.turns, trainFrom: 0 },
    ...session.abandoned.map((b): Branch => {
      const prefix = session.turns.slice(0, Math.max(0, Math.min(b.branchPointTurnIndex, session.turns.length)));
      return { kind: 'abandoned', point: b.branchPointId, key: b.leafId, turns: [...prefix, ...b.turns], trainFrom: prefix.length };
    }),
  ];

  const samples: Sample[] = [];
  for (const branch of branches) {
    const normalized = normalizeToolResults(branch.turns, { maxToolResultChars: opts.maxToolResultChars });
    mergeCounts(counts, normalized.counts);
    const segmented = segmentEpisodes(normalized.turns);
    const eligible = countAssistant(normalized.turns, branch.trainFrom);
    addCount(counts, 'assistant_messages', eligible);
    let inEpisodes = 0;
    for (const e of segmented.episodes) for (const s of e.steps) if (s.turnIndex >= branch.trainFrom) inEpisodes++;
    addCount(counts, 'uncovered.no_task', eligible - inEpisodes);
    if (branch.kind === 'active') mergeCounts(counts, segmented.counts);
    else addCount(counts, 'abandoned_episodes', segmented.episodes.length);

    const tiled = tileEpisodes(segmented.episodes, { maxTokens: opts.maxTokens ?? DEFAULT_MAX_TOKENS, contextSteps: opts.contextSteps, systemPrompt, trainFrom: branch.trainFrom, cwd: session.cwd }, deps);
    const { targets: _t, ...tileCounts } = tiled.counts;
    mergeCounts(counts, tileCounts);
    for (const tile of tiled.tiles) {
      const trained = tile.episode.steps.slice(tile.stepStart, tile.stepEnd);
      const verdict = assessSample({ task: tile.episode.task, steps: trained, tokenCount: tile.tokenCount }, { role, minScore: opts.minScore });
      mergeCounts(counts, verdict.counts);
      if (!verdict.keep) {
        addCount(counts, `uncovered.rejected_${verdict.reason}`, trained.length);
        continue;
      }
      const metadata = buildMetadata({ session, branch, tile, role, roleSignal, split, quality: verdict.quality, version: opts.version, tokenizer: tokenizerName, budget: opts.maxTokens ?? DEFAULT_MAX_TOKENS });
      metadata.gpt_hash = targetHash(tile.messages);
      samples.push({ messages: tile.messages, tools: tile.tools, metadata });
      addCount(counts, 'targets', trained.length);
      addCount(counts, 'samples');
      addCount(counts, `samples_${split}`);
    }
  }
  for (const t of new Set(samples.flatMap((s) => s.tools))) addCount(counts, `tool_specs.${deps.specs.spec(t.function.name).origin}`);
  // What a dataset reader needs to tell coverage: the session's assistant messages and why some
  // are not targets (shared by the session's samples; the largest read of a session wins).
  const coverage: Record<string, number> = { assistant_messages: counts.assistant_messages ?? 0 };
  for (const [k, v] of Object.entries(counts)) if (k.startsWith('uncovered.') && v > 0) coverage[k.slice('uncovered.'.length)] = v;
  for (const sample of samples) sample.metadata.session_coverage = coverage;
  return { samples, counts, role, roleSignal };
}
