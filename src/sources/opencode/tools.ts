// OpenCode's built-in tools (packages/opencode/src/tool), with the camelCase parameter names its
// parts record (`filePath`, `oldString`, ...). Which of them a session has depends on the agent
// (plan agents have no edit tools) and the model (`apply_patch` replaces edit/write for GPT ones).
import type { ToolSpec } from '../../model/tool-spec.ts';
import { bool, int, list, str, tool } from '../tool-spec-builder.ts';

const todo = {
  type: 'object',
  properties: {
    content: { type: 'string' },
    status: { type: 'string', enum: ['pending', 'in_progress', 'completed', 'cancelled'] },
    priority: { type: 'string', enum: ['high', 'medium', 'low'] },
    id: { type: 'string' },
  },
  required: ['content', 'status'],
};

export const BUILTIN_TOOLS: readonly ToolSpec[] = [
  tool('bash', 'Run a shell command in a persistent shell', {
    command: str('the command to run'),
    description: str('what it does, in 5-10 words'),
    timeout: int('timeout in milliseconds', true),
    workdir: str('folder to run it in', true),
  }),
  tool('read', 'Read a file (with line numbers) or list a folder', {
    filePath: str('absolute path'),
    offset: int('first line to read (1-based)', true),
    limit: int('most lines to read', true),
  }),
  tool('write', 'Write a file, replacing it when it exists', { filePath: str('absolute path'), content: str('the whole new content') }),
  tool('edit', 'Replace oldString (unique unless replaceAll) by newString in a file', {
    filePath: str('absolute path'),
    oldString: str('the exact text to replace'),
    newString: str('the text to put in its place'),
    replaceAll: bool('replace every occurrence', true),
  }),
  tool('multiedit', 'Several edits of one file, in order, all or none', {
    filePath: str('absolute path'),
    edits: list('the edits', { type: 'object', properties: { oldString: { type: 'string' }, newString: { type: 'string' }, replaceAll: { type: 'boolean' } }, required: ['oldString', 'newString'] }),
  }),
  tool('apply_patch', 'Edit files with a patch (*** Begin Patch ... *** End Patch)', { patchText: str('the whole patch') }),
  tool('glob', 'Find files by glob pattern, newest first', { pattern: str('the glob pattern'), path: str('folder to search in', true) }),
  tool('grep', 'Search file contents for a regular expression', {
    pattern: str('the regular expression'),
    path: str('folder to search in', true),
    include: str('glob of the files to search', true),
  }),
  tool('list', 'List a folder as a tree', { path: str('absolute path', true), ignore: list('glob patterns to leave out', { type: 'string' }, true) }),
  tool('todowrite', 'Replace the session todo list', { todos: list('the whole updated list', todo) }),
  tool('todoread', 'Read the session todo list', {}),
  tool('webfetch', 'Fetch a URL as text, markdown or html', {
    url: str('the URL'),
    format: { type: 'string', enum: ['text', 'markdown', 'html'], description: 'the output format' },
    timeout: int('timeout in seconds', true),
  }),
  tool('websearch', 'Search the web', { query: str('the query'), numResults: int('how many results', true) }),
  tool('task', 'Start a subagent on a task and return its final report', {
    description: str('a short (3-5 word) description of the task'),
    prompt: str('the task for the agent'),
    subagent_type: str('which agent to use'),
  }),
  tool('skill', 'Load a skill into the conversation', { name: str('name of the skill') }),
  tool('question', 'Ask the user questions with options and wait for the answers', { questions: list('the questions', { type: 'object' }) }),
];
