// The numbers a dataset report shows and the bins its histograms use: gathered by the pipeline,
// drawn by the HTML sink.
import type { Counts } from '../../model/session.ts';
import type { ViewMessage } from '../../model/sample-view.ts';
import type { CompareReport } from '../../analysis/compare.ts';

export const SCORE_EDGES = [0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0001];
export const TOKEN_EDGES = [0, 250, 500, 1000, 2000, 3000, 4000, 6000, 8000, 12000, 16000, Infinity];
export const TURN_EDGES = [0, 2, 4, 6, 8, 10, 12, 14, 16, 20, 32, Infinity];
/** The --min-score (HARVEST_MIN_SCORE) values the threshold table shows: the score bins' lower edges. */
export const MIN_SCORE_STEPS = SCORE_EDGES.slice(0, -1);

export interface RoleRates {
  gptMessages: number;
  gptWithToolCall: number;
  toolResults: number;
  toolErrors: number;
}

/** A sample shown in the report: its messages cut to a readable length. */
export interface ExampleSample {
  record_id: string;
  session_id: string;
  source: string;
  score: number;
  turns: number;
  /** 'best' of its role, or its 'lowest' (what a higher --min-score would drop). */
  pick: 'best' | 'lowest';
  messages: ViewMessage[];
  /** Messages left out of the middle. */
  omitted: number;
}

/** One of the largest sessions, with its samples. */
export interface SessionDrill {
  session_id: string;
  source: string;
  roles: string[];
  samples: number;
  chars: number;
  turns: number;
  score_mean: number;
  started_at: string | null;
  /** The session's samples in order: `part` names where in the session a sample is. */
  chunks: { record_id: string; order: number; part: string; score: number; chars: number; turns: number }[];
}

/** What the run files say was left out, cut or replaced, by reason. */
export interface RunReasons {
  /** Run files of session runs (`harvest backfill --inline`) read. */
  sessionRuns: number;
  dropped: Record<string, number>;
  truncated: Record<string, number>;
  redacted: Record<string, number>;
  /** Per-file warnings of those runs, by kind. */
  warnings: Record<string, number>;
}

export interface ReportData {
  dataset: string;
  generatedAt: string;
  samples: number;
  sessions: number;
  bySplit: Record<string, number>;
  /** role -> source -> samples */
  byRoleSource: Record<string, Record<string, number>>;
  /** role -> quality-score bins over SCORE_EDGES */
  scoreHist: Record<string, number[]>;
  tokenHist: number[];
  turnHist: number[];
  /** Assistant messages of the sessions that are sample targets, and the counted exceptions. */
  coverage?: { assistantMessages: number; targets: number; explained: Record<string, number>; ratio: number; accounted: number };
  /** Assistant messages trained by two samples (should be 0). */
  overlappingTargets?: number;
  rates: Record<string, RoleRates>;
  linkedSamples: Record<string, number>;
  /** Distinct beads the samples link to, and what became of each (from the links). */
  linkedBeads: number;
  linkedBeadOutcomes: Record<string, number>;
  outcomeScoredSamples: Record<string, number>;
  /** Bead lifecycles kept in the dataset folder (`<out>/beads`, from `harvest beads ingest --out`). */
  beadOutcomes: Record<string, number>;
  beads: number;
  pairsBySource: Record<string, number>;
  /** reason -> count: what was dropped or skipped, and why (every source of counts together). */
  dropped: Record<string, number>;
  runReasons: RunReasons;
  runFiles: string[];
  readCounts: Counts;
  examples: Record<string, ExampleSample[]>;
  largestSessions: SessionDrill[];
  /** `harvest compare --by model` over the folder's own history (PR and bead outcomes per model). */
  compare?: CompareReport;
}
