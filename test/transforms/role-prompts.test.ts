import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ROLES } from '../../src/model/sample.ts';
import { systemPromptFor } from '../../src/transforms/role-prompts.ts';

test('every role has its own short prompt naming it', () => {
  const prompts = new Set<string>();
  for (const role of ROLES) {
    const prompt = systemPromptFor(role);
    assert.ok(prompt.length > 80 && prompt.length < 600, `${role}: ${prompt.length} chars`);
    assert.match(prompt, role === 'unknown' ? /^\[GAS TOWN ROLE: agent\]/ : new RegExp(`^\\[GAS TOWN ROLE: ${role}\\]`));
    prompts.add(prompt);
  }
  assert.equal(prompts.size, ROLES.length);
});

test('the refinery merges and the witness watches polecats (not code review, as lora-forge had it)', () => {
  assert.match(systemPromptFor('refinery'), /merge queue/);
  assert.match(systemPromptFor('witness'), /polecats/);
});
