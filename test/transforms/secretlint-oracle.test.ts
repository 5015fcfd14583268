// secretlint's recommended preset as an independent judge: every fake token (and the context-bound
// credentials) that it flags in the raw text, it no longer flags once harvest has scrubbed it.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { secretlintFindings } from '../../src/transforms/secrets/secretlint.ts';
import { scrubText } from '../../src/transforms/scrub.ts';
import { chars, FAKE_TOKENS, rng, B64, HEXL } from '../support/fake-tokens.ts';
import { CONTEXTS, CONTEXT_CASES } from '../support/secret-contexts.ts';

function lines(): string[] {
  const out: string[] = [];
  FAKE_TOKENS.forEach((f, i) => {
    const token = f.make(rng(1000 + i));
    for (const place of Object.values(CONTEXTS)) if (f.kind !== 'private_key') out.push(place(token));
  });
  for (const cases of Object.values(CONTEXT_CASES)) for (const [text] of cases) out.push(text);
  const r = rng(9);
  // A GCP service account key file, as `cat key.json` prints it.
  out.push(JSON.stringify({ type: 'service_account', project_id: 'p', private_key_id: chars(r, 40, HEXL), private_key: `-----BEGIN PRIVATE KEY-----\n${chars(r, 64, B64)}\n${chars(r, 64, B64)}\n-----END PRIVATE KEY-----\n`, client_email: 'svc@p.iam.gserviceaccount.com' }));
  return out.flatMap((l) => l.split('\n'));
}

test('what secretlint finds in the raw text, it does not find once harvest scrubbed it', async () => {
  const raw = lines();
  const before = await secretlintFindings(raw.join('\n'));
  const kinds = new Set(before.map((f) => f.kind));
  assert.ok(kinds.size >= 15, `secretlint recognises the fake tokens (${[...kinds].join(', ')})`);
  const scrubbed = raw.map((l) => scrubText(l, {})).join('\n');
  const after = await secretlintFindings(scrubbed);
  assert.deepEqual(after.map((f) => `${f.kind} at line ${f.line}: ${scrubbed.split('\n')[f.line - 1]}`), []);
});
