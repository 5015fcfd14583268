// Every secret rule, positive and negative, in each place an agent meets secrets: a `.env` line,
// JSON, YAML, a shell export, a command line, an HTTP header, a URL and prose. Tokens are built at
// run time (test/support/fake-tokens.ts).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Counts } from '../../src/model/session.ts';
import { SECRET_KINDS, SECRET_RULES } from '../../src/transforms/secret-patterns.ts';
import { scrubDeep, scrubText } from '../../src/transforms/scrub.ts';
import type { ScrubOptions } from '../../src/transforms/privacy/options.ts';
import { chars, FAKE_TOKENS, HEXL, nearMisses, rng } from '../support/fake-tokens.ts';
import { CONTEXT_CASES, CONTEXT_PASSWORD, CONTEXTS } from '../support/secret-contexts.ts';

const RULES_ONLY: ScrubOptions = { layers: [] };

function allRedactions(counts: Counts): number {
  return Object.values(counts).reduce((a, b) => a + b, 0);
}

test('every provider token is redacted under its own kind in every context', () => {
  FAKE_TOKENS.forEach((f, i) => {
    const token = f.make(rng(1000 + i));
    for (const [ctx, place] of Object.entries(CONTEXTS)) {
      if (f.kind === 'private_key' && (ctx === 'url' || ctx === 'command')) continue;
      const text = place(token);
      const counts: Counts = {};
      const out = scrubText(text, counts, RULES_ONLY);
      assert.ok(!out.includes(token), `${f.kind} (${f.form}) left in ${ctx}: ${out}`);
      assert.ok(out.includes(`[REDACTED:${f.kind}]`), `${f.kind} (${f.form}) in ${ctx} became ${out}`);
      assert.equal(counts[`redacted_${f.kind}`], 1, `${f.kind} (${f.form}) in ${ctx}: ${JSON.stringify(counts)}`);
    }
    // As a structured field too (a tool call's input), where the key says nothing.
    const counts: Counts = {};
    const out = scrubDeep({ args: { value: token, n: 1 } }, counts, RULES_ONLY);
    assert.equal(out.args.value, `[REDACTED:${f.kind}]`, `${f.kind} (${f.form}) as a field`);
  });
});

test('every rule kind has a fake token or a context case of its own', () => {
  const covered = new Set([...FAKE_TOKENS.map((f) => f.kind), ...Object.keys(CONTEXT_CASES)]);
  for (const r of SECRET_RULES) assert.ok(covered.has(r.kind), `no test for ${r.kind}`);
  assert.equal(new Set(SECRET_KINDS).size, SECRET_KINDS.length, "each kind once");
});

test('near misses of each format are left alone in every context', () => {
  for (const miss of nearMisses(rng(7))) {
    for (const [ctx, place] of Object.entries(CONTEXTS)) {
      if (ctx === 'env' || ctx === 'json' || ctx === 'yaml' || ctx === 'shell' || ctx === 'header' || ctx === 'url') continue;
      const text = place(miss);
      const counts: Counts = {};
      assert.equal(scrubText(text, counts, RULES_ONLY), text, `${miss} in ${ctx}`);
      assert.equal(allRedactions(counts), 0, `${miss} in ${ctx}: ${JSON.stringify(counts)}`);
    }
    // Under a key that names no secret, assignment contexts leave it too.
    for (const text of [`REGION=${miss}`, JSON.stringify({ region: miss }), `region: "${miss}"`, `export REGION='${miss}'`, `X-Region: ${miss}`, `https://x.example.com/?region=${miss}`]) {
      const counts: Counts = {};
      assert.equal(scrubText(text, counts, RULES_ONLY), text, text);
    }
  }
});

const PASS = CONTEXT_PASSWORD;

test('context-bound kinds: found where they stand, the key, user and host kept', () => {
  for (const [kind, cases] of Object.entries(CONTEXT_CASES)) {
    for (const [text, secret] of cases) {
      const counts: Counts = {};
      const out = scrubText(text, counts, RULES_ONLY);
      if (secret) assert.ok(!out.includes(secret), `${kind}: left in ${out}`);
      assert.ok(out.includes(`[REDACTED:${kind}]`), `${kind}: ${text} became ${out}`);
    }
  }
  const counts: Counts = {};
  assert.equal(scrubText(`postgres://app:${PASS}@db:5432/app`, counts), 'postgres://app:[REDACTED:url_credentials]@db:5432/app');
  assert.equal(scrubText(`curl -u admin:${PASS} https://x`, counts), 'curl -u admin:[REDACTED:basic_auth] https://x');
  assert.equal(scrubText(`mysql -u root -p${PASS} app`, counts), 'mysql -u root -p[REDACTED:secret_flag] app');
});

test('context-bound kinds: what only looks like them is left alone', () => {
  const clean = [
    'docker run -u 1000:1000 --user 1000:1000 image:tag',
    'git push -u origin main && sort -u list.txt',
    'postgres://localhost:5432/app and https://example.com:8443/path',
    'redis://${REDIS_PASSWORD}@cache:6379 and postgres://user:$DB_PASS@db/app',
    'mongodb://<user>:<password>@host/db',
    'mailto:alice@example.org and sip:bob@voip.example.org',
    'image@sha256:abc and pkg@1.2.3 and scope/name@latest',
    'Cookie: theme=dark',
    'psql --password --host db',
    'gh auth login --with-token < token.txt',
    'curl -u "$USER:$TOKEN" https://x.example.com',
    `bypass_cache=true passes=3 compass: north PASS_RATE=0.9`,
    'token_url=https://oauth2.example.com/token password_file=/run/secrets/db',
    'echo "Bearer of bad news" and bearer token',
  ];
  for (const text of clean) {
    const counts: Counts = {};
    assert.equal(scrubText(text, counts, RULES_ONLY), text, text);
    assert.equal(allRedactions(counts), 0, `${text}: ${JSON.stringify(counts)}`);
  }
});

test('a JWT is known by its header, whatever its spacing; three dotted words are not one', () => {
  const counts: Counts = {};
  const header = Buffer.from('{\r\n "typ": "JWT", "alg": "none"\r\n}').toString('base64url');
  const unsigned = `${header}.${Buffer.from('{"sub":"x1234567890"}').toString('base64url')}.`;
  assert.equal(scrubText(`token ${unsigned} end`, counts, RULES_ONLY), 'token [REDACTED:jwt] end');
  const notJwt = `${Buffer.from('{"name":"x"}').toString('base64url')}.${chars(rng(3), 20)}.${chars(rng(4), 20)}`;
  assert.equal(scrubText(`id ${notJwt}`, {}, RULES_ONLY), `id ${notJwt}`);
  assert.equal(scrubText(`hex ${chars(rng(5), 64, HEXL)} stays`, {}, RULES_ONLY), `hex ${chars(rng(5), 64, HEXL)} stays`);
});
