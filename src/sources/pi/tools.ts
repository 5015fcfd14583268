// pi / pir / omp built-in tools (pi-mono's coding agent: read, bash, edit, write, grep, find, ls).
// omp sessions declare their real tools in `session_init`, which samples prefer to these.
import type { ToolSpec } from '../../model/tool-spec.ts';
import { bool, int, str, tool } from '../tool-spec-builder.ts';

export const BUILTIN_TOOLS: readonly ToolSpec[] = [
  tool('read', 'Read a file (text or image)', {
    path: str('path of the file, relative or absolute'),
    offset: int('line number to start reading from (1-based)', true),
    limit: int('most lines to read', true),
  }),
  tool('bash', 'Run a bash command in the working folder', {
    command: str('the command to run'),
    timeout: int('timeout in seconds', true),
  }),
  tool('edit', 'Replace exact text in a file', {
    path: str('path of the file'),
    oldText: str('exact text to find'),
    newText: str('replacement text'),
  }),
  tool('write', 'Write a file, creating folders as needed', {
    path: str('path of the file'),
    content: str('the content to write'),
  }),
  tool('grep', 'Search file contents for a pattern', {
    pattern: str('regular expression (or literal text) to search for'),
    path: str('file or folder to search', true),
    glob: str('glob filter for files', true),
    ignoreCase: bool('case insensitive', true),
    literal: bool('treat the pattern as literal text', true),
    context: int('lines of context around matches', true),
    limit: int('most matches to return', true),
  }),
  tool('find', 'Find files by glob pattern', {
    pattern: str('glob pattern'),
    path: str('folder to search', true),
    limit: int('most results', true),
  }),
  tool('ls', 'List a folder', {
    path: str('folder to list', true),
    limit: int('most entries', true),
  }),
];
