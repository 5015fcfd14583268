// The tools OpenCode gives its model (packages/opencode/src/tool), as OpenAI function specs, with
// the camelCase parameter names its parts record (`filePath`, `oldString`, ...). Which of them a
// session has depends on the agent (plan agents get no edit tools) and the model (`apply_patch`
// replaces edit/write for GPT models).
import type { ToolSpec } from '../../model/tool-spec.ts';

const str = (description: string) => ({ type: 'string', description });
const int = (description: string) => ({ type: 'number', description });
const bool = (description: string) => ({ type: 'boolean', description });

function tool(name: string, description: string, properties: Record<string, unknown>, required: string[]): ToolSpec {
  return { type: 'function', function: { name, description, parameters: { type: 'object', properties: properties as never, required } } };
}

const TODOS = {
  type: 'array',
  description: 'The whole updated list.',
  items: {
    type: 'object',
    properties: {
      content: str('What to do.'),
      status: { type: 'string', enum: ['pending', 'in_progress', 'completed', 'cancelled'] },
      priority: { type: 'string', enum: ['high', 'medium', 'low'] },
      id: str('Stable id of the item.'),
    },
    required: ['content', 'status'],
  },
};

export const BUILTIN_TOOLS: readonly ToolSpec[] = [
  tool('bash', 'Runs a shell command in a persistent shell and returns its output.', {
    command: str('The command to run.'),
    description: str('What it does, in 5-10 words.'),
    timeout: int('Timeout in milliseconds.'),
    workdir: str('Directory to run it in.'),
  }, ['command', 'description']),
  tool('read', 'Reads a file (with line numbers) or lists a directory.', {
    filePath: str('Absolute path to read.'),
    offset: int('First line to read (1-based).'),
    limit: int('Most lines to read.'),
  }, ['filePath']),
  tool('write', 'Writes a file, replacing it when it exists.', {
    filePath: str('Absolute path of the file.'),
    content: str('The whole new content.'),
  }, ['filePath', 'content']),
  tool('edit', 'Replaces text in a file: oldString (unique unless replaceAll) by newString.', {
    filePath: str('Absolute path of the file.'),
    oldString: str('The exact text to replace.'),
    newString: str('The text to put in its place.'),
    replaceAll: bool('Replace every occurrence.'),
  }, ['filePath', 'oldString', 'newString']),
  tool('multiedit', 'Several edits of one file, applied in order, all or none.', {
    filePath: str('Absolute path of the file.'),
    edits: {
      type: 'array',
      description: 'The edits.',
      items: {
        type: 'object',
        properties: { oldString: str('Text to replace.'), newString: str('Replacement.'), replaceAll: bool('Every occurrence.') },
        required: ['oldString', 'newString'],
      },
    },
  }, ['filePath', 'edits']),
  tool('apply_patch', 'Edits files with a patch (*** Begin Patch ... *** End Patch).', {
    patchText: str('The whole patch.'),
  }, ['patchText']),
  tool('glob', 'Finds files by glob pattern, newest first.', {
    pattern: str('The glob pattern.'),
    path: str('Directory to search in (default: the working directory).'),
  }, ['pattern']),
  tool('grep', 'Searches file contents for a regular expression.', {
    pattern: str('The regular expression.'),
    path: str('Directory to search in.'),
    include: str('Glob of the files to search.'),
  }, ['pattern']),
  tool('list', 'Lists a directory as a tree.', {
    path: str('Absolute path of the directory.'),
    ignore: { type: 'array', items: { type: 'string' }, description: 'Glob patterns to leave out.' },
  }, []),
  tool('todowrite', 'Replaces the session todo list.', { todos: TODOS }, ['todos']),
  tool('todoread', 'Reads the session todo list.', {}, []),
  tool('webfetch', 'Fetches a URL as text, markdown or html.', {
    url: str('The URL.'),
    format: { type: 'string', enum: ['text', 'markdown', 'html'] },
    timeout: int('Timeout in seconds.'),
  }, ['url', 'format']),
  tool('websearch', 'Searches the web.', { query: str('The query.'), numResults: int('How many results.') }, ['query']),
  tool('task', 'Starts a subagent on a task and returns its final report.', {
    description: str('Short description of the task (3-5 words).'),
    prompt: str('The task for the agent.'),
    subagent_type: str('Which agent to use.'),
  }, ['description', 'prompt', 'subagent_type']),
  tool('skill', 'Loads a skill (its instructions) into the conversation.', { name: str('Name of the skill.') }, ['name']),
  tool('question', 'Asks the user questions with options and waits for the answers.', {
    questions: { type: 'array', items: { type: 'object' }, description: 'The questions.' },
  }, ['questions']),
];
