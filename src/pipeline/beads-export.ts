// One beads export's whole path: read (issues + events) -> a lifecycle per bead -> shards under
// `<out>/beads/` (durable) -> `bead_outcome` points -> Redis (lifecycles and link indexes) -> a
// run file `<out>/runs/beads-<source>.json` with what was read and what was bad.
import { createHash } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { BeadLifecycle } from '../model/bead.ts';
import { int, type PointRecord, type PointSink } from '../model/point.ts';
import { addCount, type Counts } from '../model/session.ts';
import { readBeadsExport, type BeadsExportFiles } from '../sources/beads/read.ts';
import { buildLifecycle, typicalDurations } from '../transforms/bead-lifecycle.ts';
import { roleOfAgent } from '../transforms/gastown-agent.ts';
import type { BeadStore } from '../state/bead-store.ts';
import type { ShardLine, ShardWriter } from '../sinks/shards/shard-writer.ts';
import { writeFileAtomic } from '../sinks/shards/shard-files.ts';

export const BEAD_OUTCOME_MEASUREMENT = 'bead_outcome';

export interface BeadExportInput extends BeadsExportFiles {
  source: string;
}

export interface BeadExportOptions {
  maxLineBytes?: number;
  /** Dataset folder: the run file goes to `<outDir>/runs/`. */
  outDir?: string;
}

export interface BeadExportDeps {
  store: BeadStore;
  /** Writer rooted at `<out>/beads`. */
  writer: ShardWriter;
  points?: PointSink | null;
}

export interface BeadExportResult {
  counts: Counts;
  warnings: string[];
  unknown: { fields: string[]; statuses: string[]; eventTypes: string[] };
  outcomes: Record<string, number>;
}

/** A record line of the `<out>/beads/` shards: the lifecycle with the dataset's record metadata. */
export interface BeadRecord {
  bead: BeadLifecycle;
  metadata: { schema_version: number; kind: 'bead_lifecycle'; record_id: string; version: number; source: string };
}

export const beadRecordId = (lc: Pick<BeadLifecycle, 'source' | 'id'>): string => `bead:${lc.source}:${lc.id}`;

/**
 * The `bead_outcome` point of a lifecycle. Bead ids are fields, not tags (one series per bead would
 * blow up cardinality); a sub-second offset from the id keeps beads closed in the same second
 * with the same tags from overwriting each other.
 */
export function beadOutcomePoint(lc: BeadLifecycle): PointRecord | null {
  const at = Date.parse(lc.closed_at ?? lc.claimed_at ?? lc.created_at ?? '');
  if (!Number.isFinite(at)) return null;
  const jitter = parseInt(createHash('sha256').update(lc.id).digest('hex').slice(0, 6), 16) % 1000;
  const fields: PointRecord['fields'] = {
    bead_id: lc.id,
    close_count: int(lc.close_count),
    reopen_count: int(lc.reopen_count),
    release_count: int(lc.release_count),
    first_try: lc.outcome === 'first_try',
    superseded: lc.superseded_by !== null || lc.duplicate_of !== null,
    escalated: lc.escalated,
    abandoned: lc.abandoned,
    event_count: int(lc.event_count),
  };
  if (lc.time_to_close_ms !== null) fields.time_to_close_s = lc.time_to_close_ms / 1000;
  if (lc.claim_to_close_ms !== null) fields.claim_to_close_s = lc.claim_to_close_ms / 1000;
  if (lc.priority !== null) fields.priority = int(lc.priority);
  return {
    measurement: BEAD_OUTCOME_MEASUREMENT,
    tags: {
      source: lc.source,
      outcome: lc.outcome,
      status: lc.status,
      issue_type: lc.issue_type ?? 'unknown',
      role: roleOfAgent(lc.claimed_by ?? lc.assignee) ?? 'unknown',
    },
    fields,
    timestamp: Math.trunc(at - (at % 1000) + jitter),
  };
}

const LINE_BATCH = 1000;

export async function processBeadExport(input: BeadExportInput, opts: BeadExportOptions, deps: BeadExportDeps): Promise<BeadExportResult> {
  const ex = await readBeadsExport(input, { maxLineBytes: opts.maxLineBytes });
  const counts: Counts = { ...ex.counts };
  const lifecycles: BeadLifecycle[] = [];
  const outcomes: Record<string, number> = {};
  for (const issue of ex.issues.values()) {
    const lc = buildLifecycle(issue, ex.events.get(issue.id) ?? [], { source: input.source });
    lifecycles.push(lc);
    outcomes[lc.outcome] = (outcomes[lc.outcome] ?? 0) + 1;
  }
  counts.lifecycles = lifecycles.length;
  for (const [k, v] of Object.entries(outcomes)) counts[`outcome.${k}`] = v;

  const decisions = await deps.store.diff(lifecycles);
  const fresh = lifecycles.filter((_, i) => decisions[i] === 'new' || decisions[i] === 'changed');
  for (const d of decisions) addCount(counts, `beads_${d}`);

  // Durable first (shards), then visible (points, Redis): a crash in between repeats the work.
  for (let i = 0; i < fresh.length; i += LINE_BATCH) {
    const lines: ShardLine[] = fresh.slice(i, i + LINE_BATCH).map((lc) => {
      const json = JSON.stringify({
        bead: lc,
        metadata: { schema_version: lc.schema_version, kind: 'bead_lifecycle', record_id: beadRecordId(lc), version: lc.version, source: lc.source },
      } satisfies BeadRecord);
      const hash = createHash('sha256').update(json).digest('hex').slice(0, 32);
      return { json, entry: { recordId: beadRecordId(lc), version: lc.version, gptHash: hash, sampleHash: hash } };
    });
    await deps.writer.append(input.source, lines);
  }
  if (deps.points && fresh.length) {
    const points = fresh.map(beadOutcomePoint).filter((p): p is PointRecord => p !== null);
    for (let i = 0; i < points.length; i += LINE_BATCH) await deps.points.write(points.slice(i, i + LINE_BATCH));
    counts.points_written = points.length;
  }
  await deps.store.put(fresh);
  const durations = typicalDurations(lifecycles);
  await deps.store.setRoleDurations(durations);
  counts.beads_written = fresh.length;

  if (opts.outDir) {
    const dir = join(opts.outDir, 'runs');
    await mkdir(dir, { recursive: true });
    await writeFileAtomic(join(dir, `beads-${input.source}.json`), JSON.stringify({
      kind: 'beads',
      source: input.source,
      issues_path: input.issuesPath,
      events_path: input.eventsPath ?? null,
      finished_at: new Date().toISOString(),
      counts,
      outcomes,
      role_durations_ms: durations,
      unknown: ex.unknown,
      warnings: ex.warnings,
    }, null, 2) + '\n');
  }
  return { counts, warnings: ex.warnings, unknown: ex.unknown, outcomes };
}
