// What a dataset folder holds, gathered in one streaming pass (plus the pairs a DPO export would
// make, counted, and the run files under `<out>/runs/`): the numbers behind `harvest report`.
import type { SampleMessage } from '../model/sample.ts';
import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { BeadLifecycle } from '../model/bead.ts';
import type { Counts } from '../model/session.ts';
import { readDataset } from '../sinks/shards/dataset-reader.ts';
import { samplesRootOf } from '../sinks/shards/samples-root.ts';
import { dpoPairs } from './dpo-pairs.ts';
import { gatherCompare } from './compare-report.ts';
import { filesHistory } from '../analysis/history.ts';
import { SCORE_EDGES, TOKEN_EDGES, TURN_EDGES, type ReportData, type RoleRates } from '../sinks/report/report-data.ts';

export { SCORE_EDGES, TOKEN_EDGES, TURN_EDGES, type ReportData, type RoleRates };

function bin(edges: number[], v: number): number {
  for (let i = 0; i < edges.length - 1; i++) if (v < edges[i + 1]) return i;
  return edges.length - 2;
}

const DROP_KEY = /reject|skip|drop|duplicate|malformed|invalid|oversize|truncated|orphan|unknown|not_json|superseded|repeated|failed|without|incomplete|bad_time|below/;

/** Numeric leaves of a run file whose names say something was left out. */
function dropCounts(value: unknown, path: string, into: Record<string, number>): void {
  // Outcome tallies are what became of work, not input that was left out.
  if (/(^|\.)outcomes?(\.|$)/.test(path)) return;
  if (typeof value === 'number') {
    if (DROP_KEY.test(path) && value > 0) into[path] = (into[path] ?? 0) + value;
    return;
  }
  if (!value || typeof value !== 'object' || Array.isArray(value)) return;
  for (const [k, v] of Object.entries(value)) dropCounts(v, path ? `${path}.${k}` : k, into);
}

async function readRuns(dir: string): Promise<{ files: string[]; dropped: Record<string, number> }> {
  const dropped: Record<string, number> = {};
  const files: string[] = [];
  if (!existsSync(dir)) return { files, dropped };
  for (const name of (await readdir(dir)).sort()) {
    if (!name.endsWith('.json')) continue;
    try {
      const v = JSON.parse(await readFile(join(dir, name), 'utf8')) as Record<string, unknown>;
      files.push(name);
      // Keep the interesting parts: counters, rejected/skipped maps; not per-file lists.
      const kind = typeof v.kind === 'string' ? v.kind : 'run';
      const { counts, ...rest } = v as { counts?: unknown };
      dropCounts(counts ?? {}, kind, dropped);
      for (const [k, val] of Object.entries(rest)) if (typeof val === 'number' || (val && typeof val === 'object')) dropCounts(val, `${kind}.${k}`, dropped);
    } catch {
      dropped['report.unreadable_run_files'] = (dropped['report.unreadable_run_files'] ?? 0) + 1;
    }
  }
  return { files, dropped };
}

export async function gatherReport(dataDir: string): Promise<ReportData> {
  const samplesRoot = samplesRootOf(dataDir);
  const d: ReportData = {
    dataset: dataDir,
    generatedAt: new Date().toISOString(),
    samples: 0,
    bySplit: {},
    byRoleSource: {},
    scoreHist: {},
    tokenHist: new Array(TOKEN_EDGES.length - 1).fill(0),
    turnHist: new Array(TURN_EDGES.length - 1).fill(0),
    rates: {},
    linkedSamples: {},
    outcomeScoredSamples: {},
    beadOutcomes: {},
    beads: 0,
    pairsBySource: {},
    dropped: {},
    runFiles: [],
    readCounts: {},
  };
  for await (const r of samplesRoot ? readDataset(samplesRoot, d.readCounts) : []) {
    const m = (r.value.metadata ?? {}) as Record<string, unknown>;
    const msgs = Array.isArray(r.value.messages) ? (r.value.messages as SampleMessage[]) : [];
    d.samples++;
    const role = String(m.role ?? 'unknown');
    const source = String(m.source ?? m.runtime ?? 'unknown') + (m.branch === 'abandoned' ? ' (abandoned)' : '');
    d.bySplit[String(m.split)] = (d.bySplit[String(m.split)] ?? 0) + 1;
    const rs = (d.byRoleSource[role] ??= {});
    rs[source] = (rs[source] ?? 0) + 1;
    const hist = (d.scoreHist[role] ??= new Array(SCORE_EDGES.length - 1).fill(0));
    const score = Number(m.quality_score);
    if (Number.isFinite(score)) hist[bin(SCORE_EDGES, score)]++;
    d.tokenHist[bin(TOKEN_EDGES, Number(m.token_count ?? 0))]++;
    d.turnHist[bin(TURN_EDGES, Math.max(0, msgs.length - 1))]++;
    const rate = (d.rates[role] ??= { gptMessages: 0, gptWithToolCall: 0, toolResults: 0, toolErrors: 0 });
    for (const c of msgs) {
      if (c.role === 'assistant') {
        rate.gptMessages++;
        if (c.tool_calls?.length) rate.gptWithToolCall++;
      } else if (c.role === 'tool') {
        rate.toolResults++;
        if (c.is_error) rate.toolErrors++;
      }
    }
    if (Array.isArray(m.beads) && m.beads.length) d.linkedSamples[role] = (d.linkedSamples[role] ?? 0) + 1;
    if (typeof m.outcome_score === 'number') d.outcomeScoredSamples[role] = (d.outcomeScoredSamples[role] ?? 0) + 1;
  }
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
  const runs = await readRuns(join(dataDir, 'runs'));
  d.runFiles = runs.files;
  d.dropped = runs.dropped;
  for (const [k, v] of Object.entries(d.readCounts)) if (DROP_KEY.test(k) && v > 0) d.dropped[`dataset.${k}`] = v;
  for (const [k, v] of Object.entries(pairCounts)) if (k !== 'pairs.bead' && k !== 'pairs.pi_branch' && v > 0) d.dropped[`pairs.${k}`] = v;
  d.compare = await gatherCompare(dataDir, filesHistory(dataDir), 'model');
  return d;
}
