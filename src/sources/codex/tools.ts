// Codex CLI's built-in tools (codex-rs `core/src/tools/spec.rs` and its handlers). Which of them a
// session has depends on the model family and features: `shell` or `shell_command`, or
// `exec_command` + `write_stdin`; `apply_patch` as a function or a freeform tool (a freeform call
// is recorded as `{input: patch}`).
import type { ToolSpec } from '../../model/tool-spec.ts';
import { bool, int, list, str, tool } from '../tool-spec-builder.ts';

const sandbox = {
  sandbox_permissions: str('"use_default", or "require_escalated" to run without the sandbox', true),
  justification: str('with require_escalated: one sentence on why', true),
};

export const BUILTIN_TOOLS: readonly ToolSpec[] = [
  tool('shell', 'Run a command (argv, usually ["bash", "-lc", ...]) and return its output', {
    command: list('the command and its arguments', { type: 'string' }),
    workdir: str('folder to run it in', true),
    timeout_ms: int('timeout in milliseconds', true),
    ...sandbox,
  }),
  tool('shell_command', "Run a shell script in the user's default shell", {
    command: str('the script to run'),
    workdir: str('folder to run it in', true),
    login: bool('use login shell semantics (default true)', true),
    timeout_ms: int('timeout in milliseconds', true),
    ...sandbox,
  }),
  tool('exec_command', 'Run a command in a PTY; returns its output or a session id for write_stdin', {
    cmd: str('the shell command'),
    workdir: str('folder to run it in (default: the turn cwd)', true),
    shell: str('shell binary (default /bin/bash)', true),
    login: bool('run the shell with -l/-i (default true)', true),
    tty: bool('allocate a TTY', true),
    yield_time_ms: int('how long to wait for output before returning', true),
    max_output_tokens: int('most tokens of output to return', true),
    ...sandbox,
  }),
  tool('write_stdin', 'Write to a running exec_command session and return its recent output', {
    session_id: int('id of the running session'),
    chars: str('bytes to write (empty to poll)', true),
    yield_time_ms: int('how long to wait for output before returning', true),
    max_output_tokens: int('most tokens of output to return', true),
  }),
  tool('update_plan', 'Update the task plan: its steps and their status', {
    explanation: str('why the plan changed', true),
    plan: list('the steps', {
      type: 'object',
      properties: { step: { type: 'string' }, status: { type: 'string', enum: ['pending', 'in_progress', 'completed'] } },
      required: ['step', 'status'],
    }),
  }),
  tool('apply_patch', 'Edit files with a patch (*** Begin Patch ... *** End Patch)', {
    input: str('the whole patch'),
  }),
  tool('view_image', 'Attach a local image to the conversation', { path: str('path of the image') }),
  tool('local_shell', 'Run a command on the local machine (the Responses API local shell)', {
    command: list('the command and its arguments', { type: 'string' }),
    working_directory: str('folder to run it in', true),
    timeout_ms: int('timeout in milliseconds', true),
  }),
  tool('list_mcp_resources', 'List the resources the MCP servers offer', {
    server: str('only this server', true),
    cursor: str('pagination cursor', true),
  }),
  tool('read_mcp_resource', 'Read one resource of an MCP server', {
    server: str('the MCP server'),
    uri: str('the resource URI'),
  }),
];
