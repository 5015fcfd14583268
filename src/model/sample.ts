// A training sample as it lands in a shard: ShareGPT conversations plus metadata.
export const SCHEMA_VERSION = 1;

export type Role =
  | 'mayor'
  | 'deacon'
  | 'boot'
  | 'dog'
  | 'witness'
  | 'refinery'
  | 'polecat'
  | 'crew'
  | 'unknown';

export const ROLES: readonly Role[] = [
  'mayor', 'deacon', 'boot', 'dog', 'witness', 'refinery', 'polecat', 'crew', 'unknown',
];

export type Split = 'train' | 'val';

export interface ShareGptMessage {
  from: 'system' | 'human' | 'gpt';
  value: string;
}

export interface QualityScore {
  score: number;
  components: Record<string, number>;
}

export interface SampleMetadata {
  schema_version: number;
  /** Stable id of this record across versions of the same session (same chunk of same session). */
  record_id: string;
  /** Higher for a newer read of a growing session; the highest version of a record_id wins. */
  version: number;
  source: string;
  runtime: string;
  session_id: string;
  parent_session_id: string | null;
  agent_id?: string | null;
  subagent_type?: string | null;
  role: Role;
  split: Split;
  chunk_index: number;
  chunk_count: number;
  branch: 'active' | 'abandoned';
  branch_point?: string | null;
  quality_score: number;
  quality_components: Record<string, number>;
  model: string | null;
  models: string[];
  tokens: { input: number; output: number; cache_read: number; cache_write: number };
  turn_count: number;
  tool_calls: { id: string; name: string; input: unknown }[];
  cwd?: string | null;
  git_branch?: string | null;
  started_at?: string | null;
  ended_at?: string | null;
  /** Content hash of the gpt messages after scrubbing (the dedupe key). */
  gpt_hash: string;
  [key: string]: unknown;
}

export interface Sample {
  conversations: ShareGptMessage[];
  metadata: SampleMetadata;
}
