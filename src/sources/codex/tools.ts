// The tools Codex CLI gives its model (codex-rs `core/src/tools/spec.rs` and its handlers), as
// OpenAI function specs: which of them a session has depends on the model family and features
// (`shell` or `exec_command` + `write_stdin`; `apply_patch` as a function or a freeform tool).
// The freeform `apply_patch` takes the patch text itself; a call records it as `{input: patch}`.
import type { ToolSpec } from '../../model/tool-spec.ts';

const str = (description: string) => ({ type: 'string', description });
const int = (description: string) => ({ type: 'number', description });
const bool = (description: string) => ({ type: 'boolean', description });

const SANDBOX = str('Sandbox permissions for the command: "use_default", or "require_escalated" to run without sandbox restrictions.');
const JUSTIFICATION = str('Only with require_escalated: one sentence on why the command needs it.');

export const BUILTIN_TOOLS: readonly ToolSpec[] = [
  {
    type: 'function',
    function: {
      name: 'shell',
      description: 'Runs a command (argv, passed to execvp; most commands start with ["bash", "-lc"]) and returns its output.',
      parameters: {
        type: 'object',
        properties: {
          command: { type: 'array', items: { type: 'string' }, description: 'The command and its arguments.' },
          workdir: str('Working directory to run the command in.'),
          timeout_ms: int('Timeout in milliseconds.'),
          sandbox_permissions: SANDBOX,
          justification: JUSTIFICATION,
        },
        required: ['command'],
        additionalProperties: false,
      },
    },
  },
  {
    type: 'function',
    function: {
      name: 'shell_command',
      description: "Runs a shell script in the user's default shell and returns its output.",
      parameters: {
        type: 'object',
        properties: {
          command: str('The shell script to run.'),
          workdir: str('Working directory to run it in.'),
          login: bool('Run with login shell semantics (default true).'),
          timeout_ms: int('Timeout in milliseconds.'),
          sandbox_permissions: SANDBOX,
          justification: JUSTIFICATION,
        },
        required: ['command'],
        additionalProperties: false,
      },
    },
  },
  {
    type: 'function',
    function: {
      name: 'exec_command',
      description: 'Runs a command in a PTY and returns its output, or a session id to keep talking to it with write_stdin.',
      parameters: {
        type: 'object',
        properties: {
          cmd: str('Shell command to run.'),
          workdir: str('Working directory (default: the turn cwd).'),
          shell: str('Shell binary to launch (default /bin/bash).'),
          login: bool('Run the shell with -l/-i semantics (default true).'),
          tty: bool('Allocate a TTY.'),
          yield_time_ms: int('How long to wait for output before returning, in milliseconds.'),
          max_output_tokens: int('Most tokens of output to return; the rest is cut.'),
          sandbox_permissions: SANDBOX,
          justification: JUSTIFICATION,
        },
        required: ['cmd'],
        additionalProperties: false,
      },
    },
  },
  {
    type: 'function',
    function: {
      name: 'write_stdin',
      description: 'Writes characters to a running exec_command session and returns its recent output.',
      parameters: {
        type: 'object',
        properties: {
          session_id: int('Id of the running session.'),
          chars: str('Bytes to write to stdin (empty to poll).'),
          yield_time_ms: int('How long to wait for output before returning, in milliseconds.'),
          max_output_tokens: int('Most tokens of output to return; the rest is cut.'),
        },
        required: ['session_id'],
        additionalProperties: false,
      },
    },
  },
  {
    type: 'function',
    function: {
      name: 'update_plan',
      description: 'Updates the task plan: a short explanation and the steps with their status (at most one in_progress).',
      parameters: {
        type: 'object',
        properties: {
          explanation: str('Why the plan changed.'),
          plan: {
            type: 'array',
            description: 'The steps.',
            items: {
              type: 'object',
              properties: {
                step: str('What the step does.'),
                status: { type: 'string', enum: ['pending', 'in_progress', 'completed'], description: 'Its status.' },
              },
              required: ['step', 'status'],
              additionalProperties: false,
            },
          },
        },
        required: ['plan'],
        additionalProperties: false,
      },
    },
  },
  {
    type: 'function',
    function: {
      name: 'apply_patch',
      description:
        'Edits files with a patch in the apply_patch format (*** Begin Patch / *** Add File / *** Update File / *** Delete File / *** End Patch).',
      parameters: {
        type: 'object',
        properties: { input: str('The whole patch, from *** Begin Patch to *** End Patch.') },
        required: ['input'],
        additionalProperties: false,
      },
    },
  },
  {
    type: 'function',
    function: {
      name: 'view_image',
      description: 'Attaches a local image (by path) to the conversation so the model can look at it.',
      parameters: {
        type: 'object',
        properties: { path: str('Path to the image file.') },
        required: ['path'],
        additionalProperties: false,
      },
    },
  },
  {
    type: 'function',
    function: {
      name: 'local_shell',
      description: 'Runs a command on the local machine (the Responses API local_shell tool).',
      parameters: {
        type: 'object',
        properties: {
          type: { type: 'string', enum: ['exec'] },
          command: { type: 'array', items: { type: 'string' }, description: 'The command and its arguments.' },
          working_directory: str('Working directory.'),
          timeout_ms: int('Timeout in milliseconds.'),
          env: { type: 'object', additionalProperties: { type: 'string' }, description: 'Environment variables.' },
        },
        required: ['command'],
      },
    },
  },
  {
    type: 'function',
    function: {
      name: 'list_mcp_resources',
      description: 'Lists the resources the configured MCP servers offer.',
      parameters: {
        type: 'object',
        properties: {
          server: str('Only this MCP server.'),
          cursor: str('Pagination cursor from a previous call.'),
        },
        additionalProperties: false,
      },
    },
  },
  {
    type: 'function',
    function: {
      name: 'read_mcp_resource',
      description: 'Reads one resource from an MCP server.',
      parameters: {
        type: 'object',
        properties: {
          server: str('The MCP server.'),
          uri: str('The resource URI.'),
        },
        required: ['server', 'uri'],
        additionalProperties: false,
      },
    },
  },
];
