import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ShareGptMessage } from '../../src/model/sample.ts';
import { gptContentHash, sampleContentHash } from '../../src/transforms/dedupe.ts';

const conv = (...values: [ShareGptMessage['from'], string][]): ShareGptMessage[] => values.map(([from, value]) => ({ from, value }));

test('gpt hash is sha256 hex of the gpt messages only', () => {
  const a = conv(['system', 's1'], ['human', 'check your hook'], ['gpt', 'on it'], ['human', 'x'], ['gpt', 'done']);
  const b = conv(['system', 's2'], ['human', 'different prompt'], ['gpt', 'on it'], ['human', 'y'], ['gpt', 'done']);
  assert.match(gptContentHash(a), /^[0-9a-f]{64}$/);
  assert.equal(gptContentHash(a), gptContentHash(b));
  assert.notEqual(gptContentHash(a), gptContentHash(conv(['gpt', 'on it'], ['gpt', 'done!'])));
});

test('joining is unambiguous: moving text across a message boundary changes the hash', () => {
  const split1 = conv(['gpt', 'a\n---\nb'], ['gpt', 'c']);
  const split2 = conv(['gpt', 'a'], ['gpt', 'b\n---\nc']);
  assert.notEqual(gptContentHash(split1), gptContentHash(split2));
  assert.notEqual(gptContentHash(conv(['gpt', 'ab'])), gptContentHash(conv(['gpt', 'a'], ['gpt', 'b'])));
});

test('sample hash covers every message and its side', () => {
  const a = { conversations: conv(['system', 's'], ['human', 'h'], ['gpt', 'g']) };
  const b = { conversations: conv(['system', 's'], ['human', 'h2'], ['gpt', 'g']) };
  assert.match(sampleContentHash(a), /^[0-9a-f]{64}$/);
  assert.equal(sampleContentHash(a), sampleContentHash({ conversations: [...a.conversations] }));
  assert.notEqual(sampleContentHash(a), sampleContentHash(b));
});
