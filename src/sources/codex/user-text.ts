// What Codex puts into user messages that no person typed: the environment context, the user's
// AGENTS.md / instructions files, turn-abort notices, the IDE extension's context preamble.
import { addCount, type Counts } from '../../model/session.ts';
import { COMMON_BLOCKS, stripBlocks, tagBlock, type HarnessBlock } from '../harness-text.ts';

const CODEX_BLOCKS: readonly HarnessBlock[] = [
  tagBlock('environment_context', 'environment_context'),
  tagBlock('user_instructions', 'user_instructions'),
  tagBlock('turn_aborted', 'turn_aborted'),
  // `# AGENTS.md instructions for <dir>` followed by the file between INSTRUCTIONS tags.
  { kind: 'agents_md', re: /#\s*AGENTS\.md instructions for [^\n]*\n+<INSTRUCTIONS>[\s\S]*?(?:<\/INSTRUCTIONS>|$)/g },
  ...COMMON_BLOCKS,
];

/** The IDE extension wraps the request: `# Context from my IDE setup: ... ## My request for Codex:`. */
const IDE_REQUEST = /^#\s*Context from my IDE setup:[\s\S]*?##\s*My request for Codex:\s*\n?/;

/** A user message's text as the person wrote it (harness blocks stripped and counted). */
export function codexUserText(text: string, counts: Counts): string {
  let out = stripBlocks(text, CODEX_BLOCKS, counts);
  if (IDE_REQUEST.test(out.trimStart())) {
    out = out.trimStart().replace(IDE_REQUEST, '');
    addCount(counts, 'stripped_ide_context');
  }
  return out.trim();
}
