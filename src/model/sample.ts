// A training sample as it lands in a shard: the one lossless form every export reads.
//
//   {messages: [...], tools: [...], metadata: {...}}
//
// messages  system, then the episode's task (user), then whole steps: an assistant message (text,
//           reasoning_content, tool_calls) followed by one `tool` message per call, in call order.
//           Ends on an assistant message. Assistant messages with `weight: 0` are context repeated
//           from an earlier sample (`--context-steps`), not training targets.
// tools     an OpenAI function spec for every tool the sample calls.
// metadata  provenance, episode/step position, tokens, scores, links.
//
// Tool-call arguments are a JSON string of an object, as OpenAI's format requires (an input that
// is not an object is wrapped as `{"input": ...}`); exports parse it where their target wants an
// object.
import type { ToolSpec } from './tool-spec.ts';

export const SCHEMA_VERSION = 2;

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

export interface SampleToolCall {
  id: string;
  type: 'function';
  function: { name: string; arguments: string };
}

export interface SystemMessage {
  role: 'system';
  content: string;
}

export interface UserMessage {
  role: 'user';
  content: string;
}

export interface AssistantMessage {
  role: 'assistant';
  /** Visible text; '' when the message only calls tools or only thinks. */
  content: string;
  /** Thinking, kept apart from the text (exports decide where it goes). */
  reasoning_content?: string;
  tool_calls?: SampleToolCall[];
  /** 0: repeated context, not a training target. Absent means 1. */
  weight?: 0 | 1;
}

export interface ToolMessage {
  role: 'tool';
  content: string;
  tool_call_id: string;
  /** Name of the tool whose call this answers. */
  name: string;
  /** The tool reported an error (lossless; exports without the notion drop it). */
  is_error?: boolean;
}

export type SampleMessage = SystemMessage | UserMessage | AssistantMessage | ToolMessage;

/** The ShareGPT message of lora-forge's layout (`harvest export sharegpt`). */
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
  /** Stable id of this record across versions of the same session (same steps of the same episode). */
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
  branch: 'active' | 'abandoned';
  branch_point?: string | null;
  /** The episode (0-based, in branch order) whose steps this sample trains on. */
  episode_index: number;
  /** First trained step within the episode (0-based) and one past the last. */
  step_start: number;
  step_end: number;
  /** Earlier steps repeated before the trained ones as context (`weight: 0`). */
  context_steps: number;
  quality_score: number;
  quality_components: Record<string, number>;
  model: string | null;
  models: string[];
  /** Usage the runtime recorded for the trained steps. */
  tokens: { input: number; output: number; cache_read: number; cache_write: number };
  /** Tokens of the sample as the tokenizer renders it with its chat template (tools included). */
  token_count: number;
  /** Which tokenizer counted `token_count` (qwen3, llama3, o200k_base, cl100k_base). */
  tokenizer: string;
  /** The budget the sample was cut to fit (`--max-tokens`). */
  token_budget: number;
  /** The session's assistant messages and, by reason, those that are no sample's target. */
  session_coverage?: Record<string, number>;
  cwd?: string | null;
  git_branch?: string | null;
  started_at?: string | null;
  ended_at?: string | null;
  /** Pull requests the session is linked to, each with its method, confidence and outcome. */
  prs?: unknown[];
  /** True for a session a generator made on purpose (`harvest generate`). */
  synthetic?: boolean;
  /** Content hash of the trained assistant messages after scrubbing (the dedupe key). */
  gpt_hash: string;
  [key: string]: unknown;
}

export interface Sample {
  messages: SampleMessage[];
  tools: ToolSpec[];
  metadata: SampleMetadata;
}

/** One preference pair in the lossless form; `harvest export dpo` renders it per trainer. */
export interface PreferencePair {
  /** System, then the conversation up to the point where the two sides part. */
  prompt: SampleMessage[];
  /** The preferred continuation: assistant messages (and, for trajectories, their tool messages). */
  chosen: SampleMessage[];
  rejected: SampleMessage[];
  /** Specs of every tool either side (or the prompt) calls. */
  tools: ToolSpec[];
  metadata: {
    /** What made the pair: bead, pi_branch, pr, synthetic_repeat, ... */
    source: string;
    role: string;
    /** Why this pair qualified, in words. */
    why: string;
    scores: { chosen: number | null; rejected: number | null };
    pair_id: string;
    [key: string]: unknown;
  };
}
