import { addCount, type Counts, type Turn } from '../model/session.ts';
import { truncateMiddle } from './truncate.ts';

export const DEFAULT_MAX_TOOL_RESULT_CHARS = 2000;

export interface NormalizeOptions {
  /** Tool results longer than this keep their head (60%) and tail around a truncation marker. */
  maxToolResultChars?: number;
}

export interface NormalizeResult {
  turns: Turn[];
  counts: Counts;
}

// Lines the harness adds to tool output that teach the model nothing.
const NOISE_LINES: RegExp[] = [/^\s*Shell cwd was reset to /, /^\s*WARNING: This binary was built with /];
const NOISE_HINT = /Shell cwd was reset to |WARNING: This binary was built with /;

function dropNoiseLines(content: string, counts: Counts): string {
  if (!NOISE_HINT.test(content)) return content;
  const kept = content.split('\n').filter((line) => {
    const noise = NOISE_LINES.some((re) => re.test(line));
    if (noise) addCount(counts, 'noise_lines_dropped');
    return !noise;
  });
  return kept.join('\n');
}

/** Cleans every tool result of the turns (noise lines out, long bodies cut in the middle). */
export function normalizeToolResults(turns: Turn[], opts: NormalizeOptions = {}): NormalizeResult {
  const max = opts.maxToolResultChars ?? DEFAULT_MAX_TOOL_RESULT_CHARS;
  const counts: Counts = { noise_lines_dropped: 0, tool_results_truncated: 0 };
  const out = turns.map((turn) => {
    if (turn.toolResults.length === 0) return turn;
    const toolResults = turn.toolResults.map((result) => {
      const cleaned = dropNoiseLines(result.content, counts);
      const content = truncateMiddle(cleaned, max);
      if (content.length < cleaned.length) addCount(counts, 'tool_results_truncated');
      return content === result.content ? result : { ...result, content };
    });
    return { ...turn, toolResults };
  });
  return { turns: out, counts };
}
