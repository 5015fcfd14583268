// Finds Codex CLI rollouts under a sessions root: `<root>/YYYY/MM/DD/rollout-<time>-<id>.jsonl`
// (`~/.codex/sessions`), and flat `<root>/rollout-*.jsonl` (`~/.codex/archived_sessions`).
import type { Counts } from '../../model/session.ts';
import { walkFiles, type FoundFile } from '../walk-files.ts';

const ROLLOUT = /^rollout-.+\.jsonl$/;

export function discoverCodexSessions(root: string, counts?: Counts): AsyncGenerator<FoundFile> {
  return walkFiles(root, { maxDepth: 3, accept: (name) => ROLLOUT.test(name), counts });
}
