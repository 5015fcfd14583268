import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { SampleMessage } from '../../src/model/sample.ts';
import { sampleContentHash, targetHash } from '../../src/transforms/dedupe.ts';

const a = (content: string, extra: Partial<Extract<SampleMessage, { role: 'assistant' }>> = {}): SampleMessage => ({ role: 'assistant', content, ...extra });
const u = (content: string): SampleMessage => ({ role: 'user', content });
const sys = (content: string): SampleMessage => ({ role: 'system', content });

test('target hash is sha256 hex of the trained assistant messages only', () => {
  const x = [sys('s1'), u('check your hook'), a('on it'), a('done')];
  const y = [sys('s2'), u('different prompt'), a('on it'), a('done')];
  assert.match(targetHash(x), /^[0-9a-f]{64}$/);
  assert.equal(targetHash(x), targetHash(y));
  assert.notEqual(targetHash(x), targetHash([a('on it'), a('done!')]));
  assert.equal(targetHash([a('context', { weight: 0 }), a('on it'), a('done')]), targetHash(x), 'context steps are not targets');
  const call = (args: string) => a('', { tool_calls: [{ id: 'c', type: 'function', function: { name: 'bash', arguments: args } }] });
  assert.notEqual(targetHash([call('{"command":"ls"}')]), targetHash([call('{"command":"rm"}')]), 'tool calls count');
  assert.notEqual(targetHash([a('x', { reasoning_content: 'r1' })]), targetHash([a('x', { reasoning_content: 'r2' })]), 'reasoning counts');
});

test('joining is unambiguous: moving text across a message boundary changes the hash', () => {
  assert.notEqual(targetHash([a('a\n---\nb'), a('c')]), targetHash([a('a'), a('b\n---\nc')]));
  assert.notEqual(targetHash([a('ab')]), targetHash([a('a'), a('b')]));
});

test('sample hash covers every message, its role and the tools', () => {
  const one = { messages: [sys('s'), u('h'), a('g')], tools: [] };
  const two = { messages: [sys('s'), u('h2'), a('g')], tools: [] };
  assert.match(sampleContentHash(one), /^[0-9a-f]{64}$/);
  assert.equal(sampleContentHash(one), sampleContentHash({ messages: [...one.messages], tools: [] }));
  assert.notEqual(sampleContentHash(one), sampleContentHash(two));
  const tool = { type: 'function' as const, function: { name: 'bash', parameters: {} } };
  assert.notEqual(sampleContentHash(one), sampleContentHash({ ...one, tools: [tool] }));
});
