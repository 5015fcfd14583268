// One session -> its training samples: role -> scrub -> normalize -> chunk -> filter/score ->
// sharegpt -> gpt hash, for the active path and for each abandoned branch. Pure: no I/O.
import { createHash } from 'node:crypto';
import { SCHEMA_VERSION, type Role, type Sample, type SampleMetadata, type Split } from '../model/sample.ts';
import { addCount, mergeCounts, type Counts, type Session, type Turn } from '../model/session.ts';
import { chunkTurns, type Chunk } from '../transforms/chunk.ts';
import { gptContentHash } from '../transforms/dedupe.ts';
import { normalizeToolResults } from '../transforms/normalize.ts';
import { systemPromptFor } from '../transforms/role-prompts.ts';
import { detectRole, type RoleEvidence, type RoleSignal } from '../transforms/role.ts';
import { assessChunk } from '../transforms/score.ts';
import { scrubSession } from '../transforms/scrub.ts';
import { formatShareGpt, ShareGptCache, type ThinkingMode } from '../transforms/sharegpt.ts';
import { DEFAULT_VAL_PERCENT, splitFor } from '../transforms/split.ts';

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
  window?: number;
  stride?: number;
  charBudget?: number;
  maxToolResultChars?: number;
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
  turns: Turn[];
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

/** Same chunk of the same session and branch, same id: re-reads of a growing file replace it. */
function recordId(session: Session, branch: Branch, chunkIndex: number): string {
  const key = JSON.stringify([session.runtime, session.id, branch.kind, branch.point, branch.key, chunkIndex]);
  return createHash('sha256').update(key).digest('hex').slice(0, 32);
}

/** The model of most assistant turns in the chunk (the earliest on a tie). */
function mostUsedModel(turns: Turn[]): string | null {
  const uses = new Map<string, number>();
  for (const t of turns) if (t.role === 'assistant' && t.model) uses.set(t.model, (uses.get(t.model) ?? 0) + 1);
  let best: string | null = null;
  for (const [model, n] of uses) if (best === null || n > uses.get(best)!) best = model;
  return best;
}

function tokenTotals(turns: Turn[]): SampleMetadata['tokens'] {
  const tokens = { input: 0, output: 0, cache_read: 0, cache_write: 0 };
  for (const { usage } of turns) {
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
  chunk: Chunk;
  chunkIndex: number;
  chunkCount: number;
  role: Role;
  roleSignal: RoleSignal;
  split: Split;
  quality: { score: number; components: Record<string, number> };
  version: number;
}

function buildMetadata(m: MetadataInput): SampleMetadata {
  const { session, chunk } = m;
  const stamps = chunk.turns.map((t) => t.timestamp).filter((t): t is string => t !== undefined);
  return {
    schema_version: SCHEMA_VERSION,
    record_id: recordId(session, m.branch, m.chunkIndex),
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
    chunk_index: m.chunkIndex,
    chunk_count: m.chunkCount,
    turn_start: chunk.start,
    turn_end: chunk.end,
    branch: m.branch.kind,
    branch_point: m.branch.point,
    quality_score: m.quality.score,
    quality_components: m.quality.components,
    model: mostUsedModel(chunk.turns) ?? session.models[0] ?? null,
    models: session.models,
    tokens: tokenTotals(chunk.turns),
    turn_count: chunk.turns.length,
    tool_calls: chunk.turns.flatMap((t) => t.toolCalls.map((c) => ({ id: c.id, name: c.name, input: c.input }))),
    cwd: session.cwd ?? null,
    git_branch: session.gitBranch ?? null,
    started_at: stamps[0] ?? session.startedAt ?? null,
    ended_at: stamps.at(-1) ?? session.endedAt ?? null,
    extra: session.extra,
    gpt_hash: '',
  };
}

/**
 * Every training sample of one session. chunk_index and chunk_count count all chunks of the branch,
 * rejected ones included, so an index keeps naming the same turns as the session grows.
 * Secrets are scrubbed once per session, before truncation can cut one in half, and counted once.
 */
export function sessionToSamples(raw: Session, opts: SessionSampleOptions): SessionSamples {
  const counts: Counts = {};
  const session = scrubSession(raw, counts);
  mergeCounts(counts, {
    sessions: 1,
    turns: session.turns.length,
    abandoned_branches: session.abandoned.length,
    abandoned_turns: session.abandoned.reduce((n, b) => n + b.turns.length, 0),
    chunks: 0,
    samples: 0,
  });
  const { role, signal: roleSignal } = detectRole(roleEvidence(raw), {
    townRoot: opts.townRoot,
    homeDir: opts.homeDir,
  });
  const systemPrompt = systemPromptFor(role);
  const split = splitFor(session.parentSessionId ?? session.id, opts.valPercent ?? DEFAULT_VAL_PERCENT);
  const branches: Branch[] = [
    { kind: 'active', point: null, key: null, turns: session.turns },
    ...session.abandoned.map((b): Branch => ({
      kind: 'abandoned',
      point: b.branchPointId,
      key: b.leafId,
      turns: b.turns,
    })),
  ];

  const samples: Sample[] = [];
  const rendered = new ShareGptCache();
  for (const branch of branches) {
    const normalized = normalizeToolResults(branch.turns, { maxToolResultChars: opts.maxToolResultChars });
    mergeCounts(counts, normalized.counts);
    const chunked = chunkTurns(normalized.turns, {
      window: opts.window,
      stride: opts.stride,
      charBudget: opts.charBudget,
      systemPromptChars: systemPrompt.length,
    });
    mergeCounts(counts, chunked.counts);
    chunked.chunks.forEach((chunk, chunkIndex) => {
      const verdict = assessChunk(chunk.turns, { role, minScore: opts.minScore });
      mergeCounts(counts, verdict.counts);
      if (!verdict.keep) return;
      const formatted = formatShareGpt(chunk.turns, { systemPrompt, thinking: opts.thinking, cache: rendered });
      mergeCounts(counts, formatted.counts);
      if (!formatted.conversations) {
        addCount(counts, 'rejected_no_gpt_message');
        return;
      }
      const conversations = formatted.conversations;
      const metadata = buildMetadata({
        session, branch, chunk, chunkIndex, role, roleSignal, split,
        chunkCount: chunked.chunks.length,
        quality: verdict.quality,
        version: opts.version,
      });
      metadata.gpt_hash = gptContentHash(conversations);
      samples.push({ conversations, metadata });
      addCount(counts, 'samples');
      addCount(counts, `samples_${split}`);
    });
  }
  return { samples, counts, role, roleSignal };
}
