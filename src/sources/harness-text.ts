// Harness text in what looks like a human turn: blocks the coding agent (or its hooks) wrote into a
// user message, never typed by a person. Readers strip them and count each by kind
// (`stripped_<kind>`), so a user turn's text keeps only real input (segmentation opens an episode
// at every user turn whose text is not blank).
import { addCount, type Counts } from '../model/session.ts';

/** A block of harness text: a tag pair, or a whole message recognised by how it starts. */
export interface HarnessBlock {
  /** Counts key suffix: `stripped_<kind>`. */
  kind: string;
  /** Matches every occurrence (global) of the block within a text. */
  re: RegExp;
}

/** `<tag ...>...</tag>` (attributes allowed), across lines, every occurrence; an unclosed tag runs to the end. */
export function tagBlock(kind: string, tag: string): HarnessBlock {
  return { kind, re: new RegExp(`<${tag}(?:\\s[^>]*)?>[\\s\\S]*?(?:</${tag}>|$)`, 'g') };
}

/** Blocks every harness may write: hook output and notifications inside a user message. */
export const COMMON_BLOCKS: readonly HarnessBlock[] = [
  tagBlock('system_reminder', 'system-reminder'),
  // A background task's notice, with the line Claude Code adds after it.
  { kind: 'task_notification', re: /<task-notification>[\s\S]*?(?:<\/task-notification>|$)(?:\s*Read the output file to retrieve the result:[^\n]*)?/g },
];

/** `text` without the blocks, each removal counted; whitespace left between blocks collapses. */
export function stripBlocks(text: string, blocks: readonly HarnessBlock[], counts: Counts): string {
  let out = text;
  for (const b of blocks) {
    if (!b.re.test(out)) {
      b.re.lastIndex = 0;
      continue;
    }
    b.re.lastIndex = 0;
    out = out.replace(b.re, () => {
      addCount(counts, `stripped_${b.kind}`);
      return '';
    });
  }
  return out === text ? text : out.replace(/\n{3,}/g, '\n\n').trim();
}

/** True (and counted) when the whole message is harness text recognised by its opening. */
export function isHarnessMessage(text: string, openings: readonly { kind: string; re: RegExp }[], counts: Counts): boolean {
  const head = text.trimStart();
  for (const o of openings) {
    if (o.re.test(head)) {
      addCount(counts, `stripped_${o.kind}`);
      return true;
    }
  }
  return false;
}

/** The short text an image or document becomes in a turn: the model saw something there. */
export function attachmentPlaceholder(kind: 'image' | 'document' | 'file', name?: string): string {
  return name ? `[${kind}: ${name}]` : `[${kind}]`;
}
