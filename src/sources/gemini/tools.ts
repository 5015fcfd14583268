// The tools Gemini CLI gives its model (packages/core/src/tools), as OpenAI function specs, with
// the parameter names its recordings carry (`file_path`, `dir_path`, ...). Which of them a session
// has depends on the version and settings.
import type { ToolSpec } from '../../model/tool-spec.ts';

const str = (description: string) => ({ type: 'string', description });
const int = (description: string) => ({ type: 'number', description });
const bool = (description: string) => ({ type: 'boolean', description });

function tool(name: string, description: string, properties: Record<string, unknown>, required: string[]): ToolSpec {
  return { type: 'function', function: { name, description, parameters: { type: 'object', properties: properties as never, required } } };
}

export const BUILTIN_TOOLS: readonly ToolSpec[] = [
  tool('read_file', 'Reads a file (text, image or PDF); for large text files a line range.', {
    file_path: str('Path of the file to read.'),
    start_line: int('First line to read (1-based).'),
    end_line: int('Last line to read.'),
    offset: int('Line to start at (0-based; older versions).'),
    limit: int('Most lines to read (older versions).'),
  }, ['file_path']),
  tool('write_file', 'Writes content to a file, creating it (and its folders) or replacing it.', {
    file_path: str('Path of the file to write.'),
    content: str('The whole new content.'),
  }, ['file_path', 'content']),
  tool('replace', 'Replaces text in a file: old_string (with enough context to be unique) by new_string.', {
    file_path: str('Path of the file to edit.'),
    instruction: str('What the change is for, in a sentence.'),
    old_string: str('The exact text to replace.'),
    new_string: str('The text to put in its place.'),
    allow_multiple: bool('Replace every occurrence instead of requiring exactly one.'),
    expected_replacements: int('How many occurrences to replace (older versions).'),
  }, ['file_path', 'old_string', 'new_string']),
  tool('run_shell_command', 'Runs a shell command (bash -c) and returns stdout, stderr, exit code and background processes.', {
    command: str('The command to run.'),
    description: str('A short description of what it does.'),
    dir_path: str('Directory to run it in (relative to the project root).'),
    directory: str('Directory to run it in (older versions).'),
    is_background: bool('Run it in the background.'),
  }, ['command']),
  tool('list_directory', 'Lists the files and folders of a directory.', {
    dir_path: str('The directory to list.'),
    path: str('The directory to list (older versions).'),
    ignore: { type: 'array', items: { type: 'string' }, description: 'Glob patterns to leave out.' },
    file_filtering_options: { type: 'object', description: 'respect_git_ignore / respect_gemini_ignore.' },
  }, []),
  tool('glob', 'Finds files matching a glob pattern, newest first.', {
    pattern: str('The glob pattern.'),
    dir_path: str('Directory to search in.'),
    path: str('Directory to search in (older versions).'),
    case_sensitive: bool('Match case.'),
    respect_git_ignore: bool('Leave out git-ignored files.'),
  }, ['pattern']),
  tool('search_file_content', 'Searches file contents for a regular expression (ripgrep when available).', {
    pattern: str('The regular expression.'),
    dir_path: str('Directory to search in.'),
    path: str('Directory to search in (older versions).'),
    include: str('Glob of the files to search.'),
  }, ['pattern']),
  tool('read_many_files', 'Reads and concatenates the files matching paths or globs.', {
    include: { type: 'array', items: { type: 'string' }, description: 'Paths or glob patterns to read.' },
    paths: { type: 'array', items: { type: 'string' }, description: 'Paths or glob patterns (older versions).' },
    exclude: { type: 'array', items: { type: 'string' }, description: 'Patterns to leave out.' },
    recursive: bool('Search folders recursively.'),
    useDefaultExcludes: bool('Apply the default excludes (node_modules, .git, ...).'),
  }, []),
  tool('google_web_search', 'Searches the web with Google Search and returns a summary with sources.', {
    query: str('The search query.'),
  }, ['query']),
  tool('web_fetch', 'Fetches up to 20 URLs named in the prompt and answers the prompt from their content.', {
    prompt: str('The instructions, with the URLs to fetch.'),
  }, ['prompt']),
  tool('save_memory', 'Saves a fact to long-term memory (GEMINI.md) for future sessions.', {
    fact: str('The fact to remember, as a self-contained statement.'),
  }, ['fact']),
  tool('write_todos', 'Replaces the task list: each todo with its description and status.', {
    todos: {
      type: 'array',
      description: 'The whole list.',
      items: {
        type: 'object',
        properties: {
          description: str('The task.'),
          status: { type: 'string', enum: ['pending', 'in_progress', 'completed', 'cancelled'] },
        },
        required: ['description', 'status'],
      },
    },
  }, ['todos']),
  tool('update_topic', 'Sets the current topic of the session: a title, a summary and the strategic intent.', {
    title: str('Short title of the topic.'),
    summary: str('What is being done.'),
    strategic_intent: str('Why, and what comes next.'),
  }, ['summary']),
  tool('activate_skill', 'Loads a skill (its instructions and files) into the conversation.', {
    name: str('Name of the skill.'),
  }, ['name']),
  tool('codebase_investigator', 'A subagent that investigates the codebase for an objective and reports what it found.', {
    objective: str('What to find out.'),
  }, ['objective']),
];
