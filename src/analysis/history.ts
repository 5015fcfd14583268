// The recorded history that `stats` and `export` read: actions and outcomes, and PR observations.
// From files by default (event shards under `<out>/events/`, `pr_observation` points in
// `<out>/points/*.lp`), or from InfluxDB when one is configured. Everything streams.
import { join } from 'node:path';
import type { Counts } from '../model/session.ts';
import { OUTCOME_RESULTS, atMs, type OutcomeResult } from '../model/event.ts';
import type { FieldValue, PointRecord } from '../model/point.ts';
import { readEventShards } from '../sources/events/read-shards.ts';
import { readLineProtocolDir } from '../sources/line-protocol/read.ts';
import { queryPoints } from '../sources/influx/query.ts';
import { influxKind, type InfluxSettings } from '../sources/influx/settings.ts';

export const PR_OBSERVATION = 'pr_observation';

export interface ActionRow {
  id: string;
  repo: string;
  pr: number;
  atMs: number;
  action: string;
  reason: string;
  session?: string;
  bead?: string;
}

export interface OutcomeRow {
  id: string;
  repo: string;
  pr: number;
  atMs: number;
  result: OutcomeResult;
  detail: string;
  resolutionHours?: number;
}

export interface HistoryFilter {
  sinceMs?: number;
  repo?: string;
}

export interface HistorySource {
  /** Where it reads, for messages: a folder or an InfluxDB. */
  readonly description: string;
  actions(f: HistoryFilter, counts: Counts): AsyncIterable<ActionRow>;
  outcomes(f: HistoryFilter, counts: Counts): AsyncIterable<OutcomeRow>;
  /** `pr_observation` points (tags repo and pr). */
  observations(f: HistoryFilter, counts: Counts): AsyncIterable<PointRecord>;
}

const bump = (c: Counts, k: string): void => {
  c[k] = (c[k] ?? 0) + 1;
};

/** The PR number of a point: its `pr` tag (or `number`). */
export function prOf(p: PointRecord): number | undefined {
  const raw = p.tags.pr ?? p.tags.number;
  const n = raw !== undefined ? Number(raw) : Number.NaN;
  return Number.isSafeInteger(n) && n > 0 ? n : undefined;
}

/** A field as a plain JSON value (integers unwrapped). */
export function plainField(v: FieldValue): number | boolean | string {
  return typeof v === 'object' ? v.int : v;
}

const str = (v: FieldValue | undefined): string | undefined => (v === undefined ? undefined : String(plainField(v)));

export function filesHistory(outDir: string): HistorySource {
  const eventsRoot = join(outDir, 'events');
  return {
    description: `files under ${outDir} (events/, points/)`,
    async *actions(f, counts) {
      for await (const r of readEventShards(eventsRoot, counts, { types: ['action_taken'], ...f })) {
        if (r.type !== 'action_taken') continue;
        yield { id: r.id, repo: r.repo, pr: r.pr, atMs: atMs(r), action: r.action, reason: r.reason, session: r.session, bead: r.bead };
      }
    },
    async *outcomes(f, counts) {
      for await (const r of readEventShards(eventsRoot, counts, { types: ['outcome'], ...f })) {
        if (r.type !== 'outcome') continue;
        yield { id: r.id, repo: r.repo, pr: r.pr, atMs: atMs(r), result: r.result, detail: r.detail, resolutionHours: r.resolution_hours };
      }
    },
    async *observations(f, counts) {
      for await (const p of readLineProtocolDir(outDir, counts, { measurements: [PR_OBSERVATION], sinceMs: f.sinceMs })) {
        if (f.repo !== undefined && p.tags.repo !== f.repo) continue;
        yield p;
      }
    },
  };
}

export function influxHistory(s: InfluxSettings): HistorySource {
  const kind = influxKind(s);
  const tags = (f: HistoryFilter) => (f.repo !== undefined ? { repo: f.repo } : undefined);
  return {
    description: `InfluxDB (${kind === 'influx-v1' ? `1.x, db ${s.influxDb}` : `v2, bucket ${s.influxBucket}`})`,
    async *actions(f, counts) {
      for await (const p of queryPoints(s, { measurement: 'action_taken', sinceMs: f.sinceMs, tags: tags(f) })) {
        const pr = prOf(p);
        const action = str(p.fields.action);
        if (!p.tags.repo || pr === undefined || !action) {
          bump(counts, 'points_unusable');
          continue;
        }
        bump(counts, 'events_action_taken');
        yield {
          id: str(p.fields.event_id) ?? `${p.tags.repo}#${pr}@${p.timestamp}`,
          repo: p.tags.repo, pr, atMs: p.timestamp, action, reason: str(p.fields.reason) ?? '',
          session: str(p.fields.session), bead: str(p.fields.bead),
        };
      }
    },
    async *outcomes(f, counts) {
      for await (const p of queryPoints(s, { measurement: 'outcome', sinceMs: f.sinceMs, tags: tags(f) })) {
        const pr = prOf(p);
        const result = str(p.fields.result);
        if (!p.tags.repo || pr === undefined) {
          bump(counts, 'points_unusable');
          continue;
        }
        // `merged`/`closed` outcomes come from PR polling, not from an orchestrator.
        if (!(OUTCOME_RESULTS as readonly string[]).includes(result ?? '')) {
          bump(counts, 'outcomes_observed_not_recorded');
          continue;
        }
        const h = p.fields.resolution_hours;
        bump(counts, 'events_outcome');
        yield {
          id: str(p.fields.event_id) ?? `${p.tags.repo}#${pr}@${p.timestamp}`,
          repo: p.tags.repo, pr, atMs: p.timestamp, result: result as OutcomeResult, detail: str(p.fields.detail) ?? '',
          resolutionHours: h === undefined ? undefined : Number(plainField(h)),
        };
      }
    },
    async *observations(f, counts) {
      for await (const p of queryPoints(s, { measurement: PR_OBSERVATION, sinceMs: f.sinceMs, tags: tags(f) })) {
        bump(counts, 'lp_points');
        yield p;
      }
    },
  };
}

/** InfluxDB when one is configured (or `source` says so), else the files under `outDir`. */
export function openHistory(outDir: string, s: InfluxSettings, source: 'auto' | 'files' | 'influx' = 'auto'): HistorySource {
  if (source === 'files') return filesHistory(outDir);
  const kind = influxKind(s);
  if (source === 'influx' && kind === 'line-protocol-files') {
    throw new Error('--source influx: no InfluxDB is configured (INFLUX_URL with INFLUX_DB, or INFLUX_TOKEN, INFLUX_ORG, INFLUX_BUCKET)');
  }
  return kind === 'line-protocol-files' ? filesHistory(outDir) : influxHistory(s);
}
