// Gemini CLI's built-in tools (packages/core/src/tools), with the parameter names its recordings
// carry (`file_path`, `dir_path`, ...; older versions named some differently, kept optional).
import type { ToolSpec } from '../../model/tool-spec.ts';
import { bool, int, list, str, tool } from '../tool-spec-builder.ts';

const strings = { type: 'string' };

export const BUILTIN_TOOLS: readonly ToolSpec[] = [
  tool('read_file', 'Read a file (text, image or PDF), or a line range of it', {
    file_path: str('path of the file'),
    start_line: int('first line to read (1-based)', true),
    end_line: int('last line to read', true),
    offset: int('line to start at (older versions)', true),
    limit: int('most lines to read (older versions)', true),
  }),
  tool('write_file', 'Write a file, creating it and its folders', {
    file_path: str('path of the file'),
    content: str('the whole new content'),
  }),
  tool('replace', 'Replace old_string (unique, with context) by new_string in a file', {
    file_path: str('path of the file'),
    instruction: str('what the change is for', true),
    old_string: str('the exact text to replace'),
    new_string: str('the text to put in its place'),
    allow_multiple: bool('replace every occurrence', true),
    expected_replacements: int('how many occurrences (older versions)', true),
  }),
  tool('run_shell_command', 'Run a shell command and return stdout, stderr and the exit code', {
    command: str('the command to run'),
    description: str('what it does', true),
    dir_path: str('folder to run it in', true),
    directory: str('folder to run it in (older versions)', true),
    is_background: bool('run it in the background', true),
  }),
  tool('list_directory', 'List a folder', {
    dir_path: str('the folder', true),
    path: str('the folder (older versions)', true),
    ignore: list('glob patterns to leave out', strings, true),
  }),
  tool('glob', 'Find files by glob pattern, newest first', {
    pattern: str('the glob pattern'),
    dir_path: str('folder to search in', true),
    path: str('folder to search in (older versions)', true),
    case_sensitive: bool('match case', true),
  }),
  tool('search_file_content', 'Search file contents for a regular expression', {
    pattern: str('the regular expression'),
    dir_path: str('folder to search in', true),
    path: str('folder to search in (older versions)', true),
    include: str('glob of the files to search', true),
  }),
  tool('read_many_files', 'Read the files matching paths or globs, concatenated', {
    include: list('paths or globs to read', strings, true),
    paths: list('paths or globs (older versions)', strings, true),
    exclude: list('patterns to leave out', strings, true),
    recursive: bool('search folders recursively', true),
  }),
  tool('google_web_search', 'Search the web with Google and summarise with sources', { query: str('the search query') }),
  tool('web_fetch', 'Fetch the URLs named in the prompt and answer it from them', { prompt: str('the instructions with the URLs') }),
  tool('save_memory', 'Save a fact to long-term memory (GEMINI.md)', { fact: str('the fact, self-contained') }),
  tool('write_todos', 'Replace the task list', {
    todos: list('the whole list', {
      type: 'object',
      properties: { description: { type: 'string' }, status: { type: 'string', enum: ['pending', 'in_progress', 'completed', 'cancelled'] } },
      required: ['description', 'status'],
    }),
  }),
  tool('update_topic', 'Set the topic of the session: title, summary, intent', {
    title: str('short title', true),
    summary: str('what is being done'),
    strategic_intent: str('why, and what comes next', true),
  }),
  tool('activate_skill', 'Load a skill into the conversation', { name: str('name of the skill') }),
  tool('codebase_investigator', 'A subagent that investigates the codebase and reports back', { objective: str('what to find out') }),
];
