// A hand-made history of one repository, small enough to compute every figure by hand: nine
// sessions (Claude Code and pi, two models, polecats and a crew reviewer), five PRs observed by the
// poller, the orchestrator's fix requests, and the beads the sessions worked on.
//
//   PR  opened  by (how linked)                     what happened                          merged
//   #1  +0.5h   S1 opus (gh pr create, git branch)  checks pass, approved                  +5h by mona, first try
//   #2  +1.5h   S2 opus (git push, git branch)      checks fail at +2h; changes requested   +8h by mona, 1 review-fix round
//               S3 sonnet/pi (commit 3c3c3c3, push) +2.5h, review fix asked +3h, S3 fixes
//                                                   by +4h (checks pass), approved +7h
//   #3  +1h     S4 sonnet/pi (gh pr create)         checks fail +2h..close, 2 review fixes  closed +10h unmerged
//   #4  +3h     S5 opus (git branch feat/four)      conflict fix asked +6h                  +9h, 1 conflict-fix round
//   #5  +11h    S7 sonnet/pi (gh pr create)         still open
//   #9  (old)   S0 opus, two months before          never observed
//   S6 sonnet (crew) only looked at #1 (pr-link line, gh pr view): a reviewer, not an author.
//
//   beads: hv-1 first_try (S1), hv-2 closed_after_reopen (S2, S3), hv-3 closed_after_release
//   (S4 claimed it, S5 closed it), hv-5 in_progress (S7).
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { BEAD_LIFECYCLE_SCHEMA_VERSION, type BeadLifecycle, type BeadOutcome } from '../../src/model/bead.ts';
import { toEventRecord, type EventRecord } from '../../src/model/event.ts';
import type { PointRecord } from '../../src/model/point.ts';
import { SCHEMA_VERSION, type Role, type Sample } from '../../src/model/sample.ts';
import type { Session, Turn, Usage } from '../../src/model/session.ts';
import { blankPrSnapshot, type PrSnapshot } from '../../src/sources/github/snapshot.ts';
import { LineProtocolFileSink } from '../../src/sinks/line-protocol/file-sink.ts';
import { ShardWriter } from '../../src/sinks/shards/shard-writer.ts';
import { toPrObservation } from '../../src/transforms/pr-observation.ts';
import { encodeSample } from '../../src/sinks/shards/sample-line.ts';

export const REPO = 'acme/widgets';
export const T = Date.parse('2026-03-02T00:00:00Z');
export const at = (hours: number): string => new Date(T + hours * 3_600_000).toISOString();
export const OPUS = 'claude-opus-4';
export const SONNET = 'claude-sonnet-4';
export const SHA2A = '2a2a2a2' + '0'.repeat(33);
export const SHA3C = '3c3c3c3' + 'f'.repeat(33);

// ---------- sessions ----------

let seq = 0;
const id = () => `call_${++seq}`;
const usage = (tokens: number, cost?: number): Usage => ({ input: tokens * 0.6, output: tokens * 0.1, cacheRead: tokens * 0.25, cacheWrite: tokens * 0.05, ...(cost !== undefined ? { cost } : {}) });

/** A session that got a task, ran shell commands (each with its output) and answered. */
function session(o: {
  id: string; runtime: 'claude-code' | 'pi'; model: string; start: number; end: number; task: string;
  commands: [string, string][]; tokens: number; cost?: number; gitBranch?: string; prs?: Session['prs'];
}): Session {
  const turns: Turn[] = [{ role: 'user', text: o.task, toolCalls: [], toolResults: [], timestamp: at(o.start) }];
  const step = (o.end - o.start) / (o.commands.length + 1);
  o.commands.forEach(([command, output], i) => {
    const c = { id: id(), name: o.runtime === 'pi' ? 'bash' : 'Bash', input: { command } };
    turns.push({ role: 'assistant', text: '', toolCalls: [c], toolResults: [], model: o.model, timestamp: at(o.start + step * (i + 0.5)) });
    turns.push({ role: 'user', text: '', toolCalls: [], toolResults: [{ id: c.id, content: output, isError: false }], timestamp: at(o.start + step * (i + 1)) });
  });
  turns.push({ role: 'assistant', text: `Done: ${o.task}`, toolCalls: [], toolResults: [], model: o.model, usage: usage(o.tokens, o.cost), timestamp: at(o.end) });
  return {
    id: o.id,
    format: o.runtime === 'pi' ? 'pi' : 'claude',
    runtime: o.runtime,
    path: `/sessions/${o.id}.jsonl`,
    models: [o.model],
    startedAt: at(o.start),
    endedAt: at(o.end),
    turns,
    abandoned: [],
    extra: {},
    ...(o.gitBranch ? { gitBranch: o.gitBranch } : {}),
    ...(o.prs ? { prs: o.prs } : {}),
  };
}

const created = (n: number) => `https://github.com/${REPO}/pull/${n}\n`;
const pushNew = (branch: string) =>
  `remote:\nremote: Create a pull request for '${branch}' on GitHub by visiting:\nremote:      https://github.com/${REPO}/pull/new/${branch}\nremote:\nTo github.com:${REPO}.git\n * [new branch]      ${branch} -> ${branch}\n`;

export interface HandSession {
  session: Session;
  role: Role;
}

export const SESSIONS: Record<string, HandSession> = {
  S0: { role: 'polecat', session: session({ id: 's0-old', runtime: 'claude-code', model: OPUS, start: -24 * 60, end: -24 * 60 + 1, task: 'an old task', tokens: 8_000,
    commands: [['gh pr create --fill', created(9)]] }) },
  S1: { role: 'polecat', session: session({ id: 's1', runtime: 'claude-code', model: OPUS, start: 0, end: 1, task: 'add the widget', tokens: 10_000, gitBranch: 'feat/one',
    commands: [['bd close hv-1', 'closed hv-1'], ['gh pr create --title "Add the widget" --body x', created(1)]] }) },
  S2: { role: 'polecat', session: session({ id: 's2', runtime: 'claude-code', model: OPUS, start: 0.5, end: 2, task: 'build feature two', tokens: 20_000, gitBranch: 'feat/two',
    commands: [['bd update hv-2 --claim', 'claimed'], ['git push -u origin feat/two', pushNew('feat/two')]] }) },
  S3: { role: 'polecat', session: session({ id: 's3', runtime: 'pi', model: SONNET, start: 3.2, end: 4, task: 'address the review of #2', tokens: 40_000, cost: 0.4,
    commands: [
      ['git commit -am "address review"', '[feat/two 3c3c3c3] address review\n 1 file changed, 3 insertions(+)'],
      ['git push', `To https://github.com/${REPO}.git\n   2a2a2a2..3c3c3c3  feat/two -> feat/two\n`],
      ['bd close hv-2', 'closed hv-2'],
    ] }) },
  S4: { role: 'polecat', session: session({ id: 's4', runtime: 'pi', model: SONNET, start: 0.2, end: 1.2, task: 'feature three', tokens: 10_000, cost: 0.1,
    commands: [['bd update hv-3 --claim', 'claimed'], ['gh pr create --fill', created(3)]] }) },
  S5: { role: 'polecat', session: session({ id: 's5', runtime: 'claude-code', model: OPUS, start: 1, end: 2.5, task: 'feature three, again', tokens: 30_000, gitBranch: 'feat/four',
    commands: [['bd close hv-3', 'closed hv-3']] }) },
  S6: { role: 'crew', session: session({ id: 's6', runtime: 'claude-code', model: SONNET, start: 5.5, end: 6, task: 'review PR 1', tokens: 5_000,
    prs: [{ number: 1, url: `https://github.com/${REPO}/pull/1`, repo: REPO }],
    commands: [['gh pr view 1 --repo acme/widgets', `title:\tAdd the widget\nstate:\tMERGED\nurl:\thttps://github.com/${REPO}/pull/1\n`]] }) },
  S7: { role: 'polecat', session: session({ id: 's7', runtime: 'pi', model: SONNET, start: 10.5, end: 11, task: 'feature five', tokens: 5_000, cost: 0.05,
    commands: [['bd update hv-5 --claim', 'claimed'], ['gh pr create --fill', created(5)]] }) },
};

// ---------- what the poller saw and the orchestrator recorded ----------

function observe(n: number, hours: number, over: Partial<PrSnapshot>): PointRecord {
  return toPrObservation({
    ...blankPrSnapshot(REPO, n),
    title: `PR ${n}`,
    author: 'agent',
    mergeable: 'MERGEABLE',
    mergeStateStatus: 'CLEAN',
    baseRefName: 'main',
    headRefName: ({ 1: 'feat/one', 2: 'feat/two', 3: 'feat/three', 4: 'feat/four', 5: 'feat/five' } as Record<number, string>)[n],
    createdAt: at(({ 1: 0.5, 2: 1.5, 3: 1, 4: 3, 5: 11 } as Record<number, number>)[n]),
    updatedAt: at(hours),
    checks: [{ kind: 'check_run', name: 'ci', status: 'COMPLETED', conclusion: 'SUCCESS' }],
    checksTotal: 1,
    headCommit: { oid: `${n}`.repeat(40), committedDate: at(hours - 0.1), rollupState: 'SUCCESS' },
    ...over,
  }, T + hours * 3_600_000);
}
const failing = { checks: [{ kind: 'check_run' as const, name: 'ci', status: 'COMPLETED', conclusion: 'FAILURE' }], checksTotal: 1 };
const merged = (hours: number): Partial<PrSnapshot> => ({ state: 'MERGED', mergedAt: at(hours), closedAt: at(hours), mergedBy: 'mona', closedBy: 'mona' });

export const OBSERVATIONS: PointRecord[] = [
  observe(1, 1, { firstReview: { at: at(2), state: 'APPROVED', author: 'rev' }, firstApproval: { at: at(2), author: 'rev' }, approvals: 1 }),
  observe(1, 6, { ...merged(5), firstReview: { at: at(2), state: 'APPROVED', author: 'rev' }, firstApproval: { at: at(2), author: 'rev' }, approvals: 1 }),
  observe(2, 2, { ...failing, headCommit: { oid: SHA2A, committedDate: at(1.9), rollupState: 'FAILURE' } }),
  observe(2, 4, {
    headCommit: { oid: SHA3C, committedDate: at(3.9), rollupState: 'SUCCESS' },
    firstReview: { at: at(2.5), state: 'CHANGES_REQUESTED', author: 'rev' }, changesRequestedReviews: 1, reviewDecision: 'CHANGES_REQUESTED',
  }),
  observe(2, 7.5, {
    headCommit: { oid: SHA3C, committedDate: at(3.9), rollupState: 'SUCCESS' },
    firstReview: { at: at(2.5), state: 'CHANGES_REQUESTED', author: 'rev' }, firstApproval: { at: at(7), author: 'rev' }, approvals: 1, changesRequestedReviews: 1,
  }),
  observe(2, 8.5, {
    ...merged(8), headCommit: { oid: SHA3C, committedDate: at(3.9), rollupState: 'SUCCESS' },
    firstReview: { at: at(2.5), state: 'CHANGES_REQUESTED', author: 'rev' }, firstApproval: { at: at(7), author: 'rev' }, approvals: 1, changesRequestedReviews: 1,
  }),
  observe(3, 2, failing),
  observe(3, 6, failing),
  observe(3, 10.5, { ...failing, state: 'CLOSED', closedAt: at(10), closedBy: 'mayor' }),
  observe(4, 4, {}),
  observe(4, 7, { mergeable: 'CONFLICTING', mergeStateStatus: 'DIRTY' }),
  observe(4, 9.5, merged(9)),
  observe(5, 12, {}),
];

const action = (pr: number, hours: number, name: string): EventRecord =>
  toEventRecord({ type: 'action_taken', repo: REPO, pr, action: name, reason: 'hand-made', at: at(hours), key: `${pr}-${name}-${hours}` }, 'cli');
export const EVENTS: EventRecord[] = [
  action(2, 3, 'request_review_fix'),
  action(3, 3, 'request_review_fix'),
  action(3, 5, 'request_review_fix'),
  action(4, 6, 'request_conflict_fix'),
  action(1, 4, 'wait'),
  toEventRecord({ type: 'outcome', repo: REPO, pr: 1, result: 'success', detail: 'merged', at: at(5), key: 'o1' }, 'cli'),
];

// ---------- beads ----------

function bead(idOf: string, outcome: BeadOutcome, o: Partial<BeadLifecycle> = {}): BeadLifecycle {
  return {
    schema_version: BEAD_LIFECYCLE_SCHEMA_VERSION, id: idOf, source: 'hand', title: idOf, issue_type: 'task', priority: 2,
    status: outcome === 'in_progress' ? 'in_progress' : 'closed', status_known: true, assignee: null, created_at: at(-1), created_by: 'mayor',
    claimed_at: at(0), claimed_by: null, closed_at: outcome === 'in_progress' ? null : at(9), closed_by: null, close_reason: null, closed_by_session: null,
    close_count: outcome === 'in_progress' ? 0 : 1, reopen_count: 0, release_count: 0, time_to_close_ms: null, claim_to_close_ms: 3_600_000,
    actors: [], assignees: [], labels: [], molecule: null, superseded_by: null, duplicate_of: null, escalated: false, abandoned: false,
    outcome, attempts: [], event_count: 3, version: T + 9 * 3_600_000, ...o,
  };
}

export const BEADS: BeadLifecycle[] = [
  bead('hv-1', 'first_try'),
  bead('hv-2', 'closed_after_reopen', { reopen_count: 1, close_count: 2, claim_to_close_ms: 3 * 3_600_000 }),
  bead('hv-3', 'closed_after_release', { release_count: 1 }),
  bead('hv-5', 'in_progress'),
];

// ---------- writing it all as a dataset folder ----------

/** A session's one sample: the role's system prompt, the task, the reply. */
export function sampleOf(h: HandSession, quality = 0.5): Sample {
  const s = h.session;
  return {
    messages: [
      { role: 'system', content: `You are a ${h.role}.` },
      { role: 'user', content: s.turns[0].text },
      { role: 'assistant', content: `Working on: ${s.turns[0].text} (${s.id})` },
    ],
    tools: [],
    metadata: {
      schema_version: SCHEMA_VERSION, record_id: `${s.id}-0`, version: 1, source: s.runtime, runtime: s.runtime, format: s.format,
      session_id: s.id, parent_session_id: null, role: h.role, split: 'train', branch: 'active',
      episode_index: 0, step_start: 0, step_end: 1, context_steps: 0,
      quality_score: quality, quality_components: { heuristic: quality }, model: s.models[0], models: s.models,
      tokens: { input: 0, output: 0, cache_read: 0, cache_write: 0 }, token_count: 30, tokenizer: 'qwen3', token_budget: 8192,
      started_at: s.startedAt, ended_at: s.turns[1]?.timestamp ?? s.endedAt, gpt_hash: `hash-${s.id}`,
    },
  };
}

/** Points under `<dir>/points/`, events under `<dir>/events/`, samples under `<dir>/samples/`. */
export async function writeDatasetFolder(dir: string, samples: Sample[], points: PointRecord[] = OBSERVATIONS, events: EventRecord[] = EVENTS): Promise<void> {
  await mkdir(dir, { recursive: true });
  const lp = await LineProtocolFileSink.open({ outDir: dir, writerId: 'hand' });
  await lp.write(points);
  await lp.close();
  const ev = new ShardWriter({ root: join(dir, 'events'), workerId: 'hand', maxBytes: 1 << 20 });
  for (const e of events) await ev.append(e.type, [{ json: JSON.stringify(e), entry: { recordId: e.id, version: 1, gptHash: e.id, sampleHash: e.id } }]);
  await ev.sealAll();
  const sw = new ShardWriter({ root: join(dir, 'samples'), workerId: 'hand', maxBytes: 1 << 20 });
  for (const s of samples) {
    const enc = encodeSample(s);
    await sw.append(`${s.metadata.split}/${s.metadata.role}`, [{ json: enc.bytes, entry: { recordId: s.metadata.record_id, version: 1, gptHash: s.metadata.gpt_hash, sampleHash: enc.sampleHash } }]);
  }
  await sw.sealAll();
}
