// Claude Code's built-in tools, with the parameters its transcripts show (Claude Code 1.0 to 2.1).
import type { ToolSpec } from '../../model/tool-spec.ts';
import { bool, int, list, str, tool } from '../tool-spec-builder.ts';

const todo = {
  type: 'object',
  properties: {
    content: { type: 'string' },
    status: { type: 'string', enum: ['pending', 'in_progress', 'completed'] },
    activeForm: { type: 'string' },
  },
  required: ['content', 'status'],
};

const agent = (name: string) =>
  tool(name, 'Launch a subagent to handle a task on its own and report back', {
    description: str('a short (3-5 word) description of the task'),
    prompt: str('the task for the agent to perform'),
    subagent_type: str('the type of specialized agent to use'),
    model: str('model override for the agent', true),
    run_in_background: bool('run the agent in the background', true),
  });

export const BUILTIN_TOOLS: readonly ToolSpec[] = [
  tool('Bash', 'Run a shell command in a persistent shell session', {
    command: str('the command to run'),
    description: str('what the command does, in a few words', true),
    timeout: int('timeout in milliseconds (max 600000)', true),
    run_in_background: bool('run the command in the background', true),
  }),
  tool('BashOutput', 'Read new output of a background shell', {
    bash_id: str('id of the background shell'),
    filter: str('regex that output lines must match', true),
  }),
  tool('KillBash', 'Kill a background shell', { shell_id: str('id of the background shell') }),
  tool('KillShell', 'Kill a background shell', { shell_id: str('id of the background shell') }),
  tool('Read', 'Read a file from the local filesystem', {
    file_path: str('absolute path of the file'),
    offset: int('line number to start reading from', true),
    limit: int('number of lines to read', true),
  }),
  tool('Write', 'Write a file to the local filesystem, replacing it if it exists', {
    file_path: str('absolute path of the file'),
    content: str('the content to write'),
  }),
  tool('Edit', 'Replace exact text in a file', {
    file_path: str('absolute path of the file'),
    old_string: str('the text to replace'),
    new_string: str('the replacement text'),
    replace_all: bool('replace every occurrence', true),
  }),
  tool('MultiEdit', 'Make several exact-text replacements in one file', {
    file_path: str('absolute path of the file'),
    edits: list('edits applied in order', {
      type: 'object',
      properties: { old_string: { type: 'string' }, new_string: { type: 'string' }, replace_all: { type: 'boolean' } },
      required: ['old_string', 'new_string'],
    }),
  }),
  tool('NotebookEdit', 'Replace, insert or delete a cell of a Jupyter notebook', {
    notebook_path: str('absolute path of the notebook'),
    new_source: str('the new source of the cell'),
    cell_id: str('id of the cell to edit', true),
    cell_type: str('code or markdown', true),
    edit_mode: str('replace, insert or delete', true),
  }),
  tool('NotebookRead', 'Read a Jupyter notebook', { notebook_path: str('absolute path of the notebook') }),
  tool('Glob', 'Find files by glob pattern', {
    pattern: str('glob pattern to match'),
    path: str('folder to search in', true),
  }),
  tool('Grep', 'Search file contents with a regular expression (ripgrep)', {
    pattern: str('regular expression to search for'),
    path: str('file or folder to search in', true),
    glob: str('glob filter for files', true),
    type: str('file type to search', true),
    output_mode: str('content, files_with_matches or count', true),
    '-i': bool('case insensitive', true),
    '-n': bool('show line numbers', true),
    '-A': int('lines after each match', true),
    '-B': int('lines before each match', true),
    '-C': int('lines around each match', true),
    head_limit: int('limit output to the first N entries', true),
    multiline: bool('let patterns span lines', true),
  }),
  tool('LS', 'List files in a folder', {
    path: str('absolute path of the folder'),
    ignore: list('glob patterns to ignore', { type: 'string' }, true),
  }),
  agent('Task'),
  agent('Agent'),
  tool('TaskOutput', 'Read the output of a background task or agent', {
    task_id: str('id of the task'),
    block: bool('wait for the task to finish', true),
    timeout: int('how long to wait, in milliseconds', true),
  }),
  tool('TodoWrite', 'Create and update the task list of this session', { todos: list('the updated todo list', todo) }),
  tool('WebFetch', 'Fetch a URL and process its content with a prompt', {
    url: str('the URL to fetch'),
    prompt: str('what to extract from the page'),
  }),
  tool('WebSearch', 'Search the web', {
    query: str('the search query'),
    allowed_domains: list('only include results from these domains', { type: 'string' }, true),
    blocked_domains: list('never include results from these domains', { type: 'string' }, true),
  }),
  tool('ExitPlanMode', 'Present the plan and leave plan mode', { plan: str('the plan, in markdown') }),
  tool('Skill', 'Run a skill', { skill: str('name of the skill'), args: str('arguments for the skill', true) }),
  tool('SlashCommand', 'Run a slash command', { command: str('the slash command with its arguments') }),
  tool('AskUserQuestion', 'Ask the user questions with choices', {
    questions: list('the questions to ask', { type: 'object' }),
  }),
];
