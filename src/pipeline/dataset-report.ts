// What a dataset folder holds, gathered in one streaming pass (plus the pairs a DPO export would
// make, counted, and the run files under `<out>/runs/`): the numbers behind `harvest report`.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { BeadLifecycle } from '../model/bead.ts';
import type { Counts } from '../model/session.ts';
import { viewChars, viewMessages } from '../model/sample-view.ts';
import { readDataset } from '../sinks/shards/dataset-reader.ts';
import { samplesRootOf } from '../sinks/shards/samples-root.ts';
import { dpoPairs } from './dpo-pairs.ts';
import { gatherCompare } from './compare-report.ts';
import { filesHistory } from '../analysis/history.ts';
import { ExamplePicker } from './report-examples.ts';
import { SessionTally } from './report-sessions.ts';
import { DROP_KEY, readRunFiles } from './report-runs.ts';
import { DatasetStatsBuilder } from './dataset-stats.ts';
import { SCORE_EDGES, TOKEN_EDGES, TURN_EDGES, type ReportData, type RoleRates } from '../sinks/report/report-data.ts';

export { SCORE_EDGES, TOKEN_EDGES, TURN_EDGES, type ReportData, type RoleRates };

/** Sessions in the drill-down. */
export const LARGEST_SESSIONS = 10;

function bin(edges: number[], v: number): number {
  for (let i = 0; i < edges.length - 1; i++) if (v < edges[i + 1]) return i;
  return edges.length - 2;
}

/** Where a sample sits in its session: episode and steps (schema 2), or its chunk (schema 1). */
function whereInSession(m: Record<string, unknown>): { order: number; part: string } {
  if (typeof m.episode_index === 'number' && typeof m.step_start === 'number') {
    const end = typeof m.step_end === 'number' ? m.step_end : m.step_start + 1;
    return { order: m.episode_index * 1e6 + m.step_start, part: `episode ${m.episode_index}, steps ${m.step_start}–${end - 1}` };
  }
  const chunk = Number(m.chunk_index ?? 0);
  return { order: chunk, part: `chunk ${chunk}` };
}

export async function gatherReport(dataDir: string): Promise<ReportData> {
  const samplesRoot = samplesRootOf(dataDir);
  const d: ReportData = {
    dataset: dataDir,
    generatedAt: new Date().toISOString(),
    samples: 0,
    sessions: 0,
    bySplit: {},
    byRoleSource: {},
    scoreHist: {},
    tokenHist: new Array(TOKEN_EDGES.length - 1).fill(0),
    turnHist: new Array(TURN_EDGES.length - 1).fill(0),
    rates: {},
    linkedSamples: {},
    linkedBeads: 0,
    linkedBeadOutcomes: {},
    outcomeScoredSamples: {},
    beadOutcomes: {},
    beads: 0,
    pairsBySource: {},
    dropped: {},
    runReasons: { sessionRuns: 0, dropped: {}, truncated: {}, redacted: {}, warnings: {} },
    runFiles: [],
    readCounts: {},
    examples: {},
    largestSessions: [],
  };
  const examples = new ExamplePicker();
  const sessions = new SessionTally();
  /** bead id -> what became of it, as the links say (the last link read wins; they agree). */
  const linked = new Map<string, string>();
  // Coverage and the exactly-once check, as validate computes them (schema 2 lines only).
  const stats = new DatasetStatsBuilder();
  for await (const r of samplesRoot ? readDataset(samplesRoot, d.readCounts) : []) {
    const m = (r.value.metadata ?? {}) as Record<string, unknown>;
    const messages = viewMessages(r.value);
    if (Array.isArray(r.value.messages) && typeof m.episode_index === 'number') stats.add(r.value as never);
    d.samples++;
    const role = String(m.role ?? 'unknown');
    const source = String(m.source ?? m.runtime ?? 'unknown') + (m.branch === 'abandoned' ? ' (abandoned)' : '');
    d.bySplit[String(m.split)] = (d.bySplit[String(m.split)] ?? 0) + 1;
    const rs = (d.byRoleSource[role] ??= {});
    rs[source] = (rs[source] ?? 0) + 1;
    const hist = (d.scoreHist[role] ??= new Array(SCORE_EDGES.length - 1).fill(0));
    const score = Number(m.quality_score);
    if (Number.isFinite(score)) hist[bin(SCORE_EDGES, score)]++;
    const chars = viewChars(messages);
    const turns = typeof m.step_end === 'number' && typeof m.step_start === 'number'
      ? m.step_end - m.step_start
      : Number(m.turn_count ?? messages.filter((x) => x.role === 'assistant').length);
    // Schema 2 counts the tokens with the real tokenizer; older lines are estimated from their length.
    d.tokenHist[bin(TOKEN_EDGES, Number(m.token_count ?? chars / 4))]++;
    d.turnHist[bin(TURN_EDGES, turns)]++;
    const rate = (d.rates[role] ??= { gptMessages: 0, gptWithToolCall: 0, toolResults: 0, toolErrors: 0 });
    for (const x of messages) {
      if (x.role === 'assistant') {
        rate.gptMessages++;
        if (x.toolCalls.length) rate.gptWithToolCall++;
      } else if (x.role === 'tool') {
        rate.toolResults++;
        if (x.isError) rate.toolErrors++;
      }
    }
    if (Array.isArray(m.beads) && m.beads.length) {
      d.linkedSamples[role] = (d.linkedSamples[role] ?? 0) + 1;
      for (const l of m.beads as { bead_id?: unknown; bead_outcome?: unknown }[]) {
        if (typeof l?.bead_id === 'string') linked.set(l.bead_id, typeof l.bead_outcome === 'string' ? l.bead_outcome : 'unknown');
      }
    }
    if (typeof m.outcome_score === 'number') d.outcomeScoredSamples[role] = (d.outcomeScoredSamples[role] ?? 0) + 1;
    if (m.branch === 'abandoned') continue;
    const sessionId = String(m.session_id ?? m.record_id ?? '?');
    const recordId = String(m.record_id ?? '?');
    const s = Number.isFinite(score) ? score : 0;
    examples.offer(role, { record_id: recordId, session_id: sessionId, source, score: s, turns, messages });
    sessions.add({ session_id: sessionId, source, role, record_id: recordId, ...whereInSession(m), score: s, chars, turns, started_at: typeof m.started_at === 'string' ? m.started_at : null });
  }
  const built = stats.build();
  if (built.coverage.assistantMessages > 0) {
    d.coverage = built.coverage;
    d.overlappingTargets = built.overlappingTargets;
  }
  d.sessions = sessions.count;
  d.examples = examples.result();
  d.largestSessions = sessions.largest(LARGEST_SESSIONS);
  d.linkedBeads = linked.size;
  for (const o of linked.values()) d.linkedBeadOutcomes[o] = (d.linkedBeadOutcomes[o] ?? 0) + 1;

  const beadsRoot = join(dataDir, 'beads');
  if (existsSync(beadsRoot)) {
    const latest = new Map<string, BeadLifecycle>();
    for await (const r of readDataset(beadsRoot, {})) {
      const lc = (r.value as { bead?: BeadLifecycle }).bead;
      if (!lc) continue;
      const key = `${lc.source}\0${lc.id}`;
      const prev = latest.get(key);
      if (!prev || prev.version <= lc.version) latest.set(key, lc);
    }
    d.beads = latest.size;
    for (const lc of latest.values()) d.beadOutcomes[lc.outcome] = (d.beadOutcomes[lc.outcome] ?? 0) + 1;
  }
  const pairCounts: Counts = {};
  for await (const p of dpoPairs(dataDir, {}, pairCounts)) d.pairsBySource[p.metadata.source] = (d.pairsBySource[p.metadata.source] ?? 0) + 1;
  const runs = await readRunFiles(join(dataDir, 'runs'));
  d.runFiles = runs.files;
  d.runReasons = runs.reasons;
  d.dropped = { ...runs.reasons.dropped };
  for (const [k, v] of Object.entries(d.readCounts)) if (DROP_KEY.test(k) && v > 0) d.dropped[`dataset: ${k}`] = v;
  for (const [k, v] of Object.entries(pairCounts)) if (k !== 'pairs.bead' && k !== 'pairs.pi_branch' && v > 0) d.dropped[`pairs: ${k}`] = v;
  d.compare = await gatherCompare(dataDir, filesHistory(dataDir), 'model');
  return d;
}
