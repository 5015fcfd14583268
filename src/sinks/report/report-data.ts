// The numbers a dataset report shows and the bins its histograms use: gathered by the pipeline,
// drawn by the HTML sink.
import type { Counts } from '../../model/session.ts';
import type { CompareReport } from '../../analysis/compare.ts';

export const SCORE_EDGES = [0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0001];
export const TOKEN_EDGES = [0, 250, 500, 1000, 2000, 3000, 4000, 6000, 8000, 12000, 16000, Infinity];
export const TURN_EDGES = [0, 2, 4, 6, 8, 10, 12, 14, 16, 20, 32, Infinity];

export interface RoleRates {
  gptMessages: number;
  gptWithToolCall: number;
  toolResults: number;
  toolErrors: number;
}

export interface ReportData {
  dataset: string;
  generatedAt: string;
  samples: number;
  bySplit: Record<string, number>;
  /** role -> source -> samples */
  byRoleSource: Record<string, Record<string, number>>;
  /** role -> quality-score bins over SCORE_EDGES */
  scoreHist: Record<string, number[]>;
  tokenHist: number[];
  turnHist: number[];
  rates: Record<string, RoleRates>;
  linkedSamples: Record<string, number>;
  outcomeScoredSamples: Record<string, number>;
  beadOutcomes: Record<string, number>;
  beads: number;
  pairsBySource: Record<string, number>;
  /** reason -> count: what was dropped or skipped, and why. */
  dropped: Record<string, number>;
  runFiles: string[];
  readCounts: Counts;
  /** `harvest compare --by model` over the folder's own history (PR and bead outcomes per model). */
  compare?: CompareReport;
}
