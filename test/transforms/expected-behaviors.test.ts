import { test } from 'node:test';
import assert from 'node:assert/strict';
import { commandPhrases, expectedBehaviors, shellCommand } from '../../src/transforms/expected-behaviors.ts';
import { behaviorPattern } from '../support/role-bench.ts';

const call = (name: string, args: unknown) => ({ name, arguments: JSON.stringify(args) });

test('the shell command of each harness\'s tool', () => {
  assert.equal(shellCommand({ command: 'gt hook' }), 'gt hook');
  assert.equal(shellCommand({ cmd: 'npm test' }), 'npm test');
  assert.equal(shellCommand({ command: ['bash', '-lc', 'git status --short'] }), 'git status --short');
  assert.equal(shellCommand({ file_path: '/a' }), null);
});

test('programs and their subcommands; scenery and quoted text left out', () => {
  assert.deepEqual(commandPhrases('cd ~/gt/harvest && FOO=1 gt convoy list --rig harvest | head -5'), ['gt convoy list', 'head']);
  assert.deepEqual(commandPhrases('gt mail send harvest/witness -s "watch nux" -m "nux has hv-4kq; nudge it if idle\nthen escalate"'), ['gt mail send']);
  assert.deepEqual(commandPhrases('./node_modules/.bin/tsc --noEmit; echo done'), ['tsc']);
});

test('phrases: known commands as role_bench names them, others by command or tool and target, each once', () => {
  const b = expectedBehaviors([
    call('Bash', { command: 'gt hook' }),
    call('Bash', { command: 'bd show hv-4kq && bd close hv-4kq --reason done' }),
    call('Read', { file_path: '/home/agent/gt/harvest/src/sinks/influx.ts' }),
    call('exec_command', { cmd: 'git commit -m "fix: flush the last line"' }),
    call('Bash', { command: 'gt hook --json' }),
    call('Task', { subagent_type: 'Explore', prompt: 'find it' }),
    call('TodoWrite', { todos: [] }),
  ]);
  assert.deepEqual(b, ['runs gt hook', 'bd show hv-4kq', 'runs bd close', 'Read influx.ts', 'runs git commit', 'Task Explore', 'TodoWrite']);
  assert.equal(expectedBehaviors(Array.from({ length: 20 }, (_, i) => call('Bash', { command: `tool${i}` })), 8).length, 8);
  assert.deepEqual(expectedBehaviors([{ name: 'Bash', arguments: 'not json' }]), ['Bash']);
});

test('each phrase finds the call it came from the way role_bench matches an answer', () => {
  const calls = [
    ['Bash', { command: 'gt hook' }], ['Bash', { command: 'bd close hv-1 --reason done' }], ['Bash', { command: 'gt convoy list --rig harvest' }],
    ['Read', { file_path: '/src/parser.ts' }], ['exec_command', { cmd: 'npm test -- --grep parser' }], ['Task', { subagent_type: 'Explore' }],
  ] as const;
  for (const [name, args] of calls) {
    const [phrase] = expectedBehaviors([call(name, args)]);
    // An answer that makes the same call, as a tool-calling model prints it.
    const answer = `<tool_call>${JSON.stringify({ name, arguments: args })}</tool_call>`;
    assert.match(answer, behaviorPattern(phrase), `${phrase} in ${answer}`);
  }
  assert.doesNotMatch('<tool_call>{"name":"Bash","arguments":{"command":"gt mail inbox"}}</tool_call>', behaviorPattern('runs gt hook'));
});
