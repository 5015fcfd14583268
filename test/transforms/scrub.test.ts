import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Counts } from '../../src/model/session.ts';
import { scrubDeep, scrubText } from '../../src/transforms/scrub.ts';

const alnum = (n: number, seed = 7): string => {
  const chars = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
  let s = '';
  for (let i = 0; i < n; i++) s += chars[(i * 31 + seed * 17 + ((i * i) % 13)) % chars.length];
  return s;
};
const b64url = (n: number, seed = 3): string => alnum(n, seed).replace(/[AQ]/g, '-').replace(/[Bz]/g, '_');

const PEM = [
  '-----BEGIN RSA PRIVATE KEY-----',
  'MIIEpAIBAAKCAQEA1c7+' + alnum(40),
  alnum(64),
  alnum(20) + '==',
  '-----END RSA PRIVATE KEY-----',
].join('\n');

// [kind, text, secret that must disappear]
const CASES: [string, string, string][] = [
  ['github_token', `git clone https://x:ghp_${alnum(36)}@github.com/o/r`, `ghp_${alnum(36)}`],
  ['github_token', `GH: gho_${alnum(36, 2)}`, `gho_${alnum(36, 2)}`],
  ['github_token', `app ghs_${alnum(36, 4)} done`, `ghs_${alnum(36, 4)}`],
  ['github_token', `user ghu_${alnum(36, 5)}`, `ghu_${alnum(36, 5)}`],
  ['github_token', `refresh ghr_${alnum(36, 6)}`, `ghr_${alnum(36, 6)}`],
  ['github_token', `pat github_pat_11ABCDEFG0_${alnum(59)}`, `github_pat_11ABCDEFG0_${alnum(59)}`],
  ['google_token', `access ya29.a0AfH6SM${b64url(60)}`, `ya29.a0AfH6SM${b64url(60)}`],
  ['google_token', `refresh_tok 1//0gL${b64url(90)}`, `1//0gL${b64url(90)}`],
  ['aws_access_key_id', 'aws_access_key_id = AKIAIOSFODNN7EXAMPLE', 'AKIAIOSFODNN7EXAMPLE'],
  ['aws_access_key_id', 'session ASIAY34FZKBOKMUTVV7A ok', 'ASIAY34FZKBOKMUTVV7A'],
  ['aws_secret_key', 'aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY', 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY'],
  ['aws_secret_key', '"SecretAccessKey": "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"', 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY'],
  ['anthropic_key', `ANTHROPIC_API_KEY=sk-ant-api03-${b64url(93)}AA`, `sk-ant-api03-${b64url(93)}AA`],
  ['openai_key', `key sk-${alnum(48)}`, `sk-${alnum(48)}`],
  ['openai_key', `key sk-proj-${b64url(120)}`, `sk-proj-${b64url(120)}`],
  ['slack_token', `xoxb-123456789012-1234567890123-${alnum(24)}`, `xoxb-123456789012-1234567890123-${alnum(24)}`],
  ['slack_token', `user xoxp-1234567890-${alnum(20)}`, `xoxp-1234567890-${alnum(20)}`],
  ['stripe_key', `stripe sk_live_${alnum(24)}`, `sk_live_${alnum(24)}`],
  ['stripe_key', `restricted rk_live_${alnum(24)}`, `rk_live_${alnum(24)}`],
  ['huggingface_token', `HF hf_${alnum(34)}`, `hf_${alnum(34)}`],
  ['npm_token', `//registry.npmjs.org/:_authToken=npm_${alnum(36)}`, `npm_${alnum(36)}`],
  ['gitlab_token', `glpat-${b64url(20)}`, `glpat-${b64url(20)}`],
  ['jwt', `cookie eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.${b64url(43)}`, `eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.${b64url(43)}`],
  ['private_key', `key file:\n${PEM}\nafter`, PEM],
  ['auth_header', `curl -H "Authorization: Bearer ${alnum(40)}" https://api`, alnum(40)],
  ['auth_header', `Authorization: Basic dXNlcjpwYXNzd29yZA==`, 'dXNlcjpwYXNzd29yZA=='],
  ['auth_header', `headers: { Authorization: "token ${alnum(20, 9)}" }`, alnum(20, 9)],
  ['secret_assignment', 'DB_PASSWORD=hunter2!', 'hunter2!'],
  ['secret_assignment', 'password=correct-horse-battery', 'correct-horse-battery'],
  ['secret_assignment', '{"api_key": "a8f5f167f44f4964e6c998dee827110c"}', 'a8f5f167f44f4964e6c998dee827110c'],
  ['secret_assignment', 'TOKEN: 9f86d081884c7d659a2feaa0c55ad015', '9f86d081884c7d659a2feaa0c55ad015'],
  ['secret_assignment', "export MY_SERVICE_SECRET='s3cr3t-v@lue-99'", 's3cr3t-v@lue-99'],
  ['secret_assignment', 'client_secret: "letmeinplease"', 'letmeinplease'],
  ['secret_assignment', '{\\"access_token\\": \\"abc123def456ghi789\\"}', 'abc123def456ghi789'],
];

test('every kind is found, replaced by its marker and counted', () => {
  for (const [kind, text, secret] of CASES) {
    const counts: Counts = {};
    const out = scrubText(text, counts);
    assert.ok(!out.includes(secret), `${kind}: secret left in ${out}`);
    assert.ok(out.includes(`[REDACTED:${kind}]`), `${kind}: marker missing in ${out}`);
    assert.equal(counts[`redacted_${kind}`], 1, `${kind}: counts ${JSON.stringify(counts)} for ${text}`);
    assert.equal(Object.values(counts).reduce((a, b) => a + b, 0), 1, `${kind}: one redaction only ${JSON.stringify(counts)}`);
  }
});

test('what surrounds a secret is kept', () => {
  const counts: Counts = {};
  assert.equal(scrubText('DB_PASSWORD=hunter2!\nnext line', counts), 'DB_PASSWORD=[REDACTED:secret_assignment]\nnext line');
  assert.equal(scrubText('{"api_key": "a8f5f167f44f4964e6c998"}', counts), '{"api_key": "[REDACTED:secret_assignment]"}');
  assert.equal(scrubText(`x Authorization: Bearer ${alnum(40)} y`, counts), 'x Authorization: Bearer [REDACTED:auth_header] y');
  assert.equal(scrubText(`key file:\n${PEM}\nafter`, counts), 'key file:\n[REDACTED:private_key]\nafter');
});

test('a private key cut short by truncation is redacted up to the marker, not to the end of the text', () => {
  const counts: Counts = {};
  const text = `-----BEGIN OPENSSH PRIVATE KEY-----\n${alnum(70)}\n[... truncated 900 chars ...]\nlast lines of output`;
  assert.equal(scrubText(text, counts), '[REDACTED:private_key][... truncated 900 chars ...]\nlast lines of output');
  assert.deepEqual(counts, { redacted_private_key: 1 });
});

test('order: sk-ant- is anthropic, not openai; a JWT bearer is a jwt', () => {
  const counts: Counts = {};
  scrubText(`sk-ant-api03-${b64url(93)}`, counts);
  scrubText(`Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.${b64url(43)}`, counts);
  assert.deepEqual(counts, { redacted_anthropic_key: 1, redacted_jwt: 1 });
});

test('several secrets in one text are each counted', () => {
  const counts: Counts = {};
  const text = `ghp_${alnum(36)} and ghp_${alnum(36, 9)} with AKIAIOSFODNN7EXAMPLE`;
  const out = scrubText(text, counts);
  assert.deepEqual(counts, { redacted_github_token: 2, redacted_aws_access_key_id: 1 });
  assert.equal(out, '[REDACTED:github_token] and [REDACTED:github_token] with [REDACTED:aws_access_key_id]');
});

test('no false positives on ordinary code and prose', () => {
  const clean = [
    'skip-worktree risk-assessment task-123 disk-usage desk-lamp',
    'commit 3f5a9c1e2b4d6f8a0c2e4b6d8f0a2c4e6b8d0f2a (sha) and sha256 e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
    'id 123e4567-e89b-12d3-a456-426614174000 for task-123',
    'const max_tokens = 4096; let tokenCount = tokens.length;',
    'function login(password: string, token?: string) { return check(password); }',
    'const token = req.headers.authorization;',
    'password = os.environ["DB_PASSWORD"]',
    'api_key=${API_KEY} secret: {{ secrets.DEPLOY }} token: $GH_TOKEN',
    'The bearer of this letter is authorized to collect the parcel; bearer responsibilities apply.',
    'if (token === expected) return; password => hash(password)',
    'tokenizer: bert-base-uncased',
    'See https://example.com/path//double and 1// comment',
    'hf_hub_download(repo_id="x") and npm_config_cache and sk_test mode',
    'The secret to good tests is isolation. Password: see the vault.',
    'mask: "********" password: "changeme"',
    'export ANTHROPIC_API_KEY=sk-ant-...\nexport GROQ_API_KEY=gsk_...\nexport XAI_API_KEY=xai-…',
  ];
  for (const text of clean) {
    const counts: Counts = {};
    assert.equal(scrubText(text, counts), text, text);
    assert.deepEqual(counts, {}, text);
  }
});

test('scrubbing twice changes nothing more', () => {
  for (const [kind, text] of CASES) {
    const counts: Counts = {};
    const once = scrubText(text, counts);
    const again: Counts = {};
    assert.equal(scrubText(once, again), once, kind);
    assert.deepEqual(again, {}, `${kind}: ${JSON.stringify(again)} on ${once}`);
  }
});

test('scrubDeep walks objects and arrays, and redacts strings under secret-looking keys', () => {
  const counts: Counts = {};
  const value = {
    tool_calls: [{ id: 'toolu_1', name: 'bash', input: { command: `export GITHUB_TOKEN=ghp_${alnum(36)}` } }],
    env: { password: 'abc', apiKey: 'k-1', GITHUB_TOKEN: 'whatever', token_type: 'Bearer', port: 8080 },
    tokens: { input: 10, output: 20, cache_read: 0, cache_write: 0 },
    max_tokens: 4096,
    note: 'plain text',
  };
  const out = scrubDeep(value, counts);
  assert.equal(out.tool_calls[0].input.command, 'export GITHUB_TOKEN=[REDACTED:github_token]');
  assert.deepEqual(out.env, {
    password: '[REDACTED:secret_field]',
    apiKey: '[REDACTED:secret_field]',
    GITHUB_TOKEN: '[REDACTED:secret_field]',
    token_type: 'Bearer',
    port: 8080,
  });
  assert.deepEqual(out.tokens, value.tokens);
  assert.equal(out.max_tokens, 4096);
  assert.equal(out.note, 'plain text');
  assert.deepEqual(counts, { redacted_github_token: 1, redacted_secret_field: 3 });
  assert.equal(value.env.password, 'abc', 'input untouched');
  assert.deepEqual(scrubDeep(out, {}), out, 'idempotent');
});

// Not a speed test (npm run bench measures speed): a pattern that backtracks would take minutes here.
test('no runaway backtracking: a 10 MB mixed text scrubs in seconds', () => {
  const parts = [
    'The quick brown fox reads the config and returns the result. ',
    'const max_tokens = 4096; let tokenCount = 0; password: string; this.secret = opts.secret;\n',
    'commit 3f5a9c1e2b4d6f8a0c2e4b6d8f0a2c4e6b8d0f2a uuid 123e4567-e89b-12d3-a456-426614174000\n',
    `export GITHUB_TOKEN=ghp_${alnum(36)}\n`,
  ];
  let text = '';
  for (let i = 0; text.length < 10_000_000; i++) text += parts[i % parts.length];
  const counts: Counts = {};
  const t0 = performance.now();
  const out = scrubText(text, counts);
  const ms = performance.now() - t0;
  assert.ok(ms < 15_000, `${ms.toFixed(0)} ms`);
  assert.ok(counts.redacted_github_token > 1000);
  assert.ok(!out.includes('ghp_'));
});

test('scrubDeep copies only what it changes: a clean value comes back as itself, the original is never edited', () => {
  const clean = { command: 'npm test', args: ['--watch', { env: { CI: '1' } }], timeout: 5 };
  assert.equal(scrubDeep(clean, {}), clean);
  const token = 'ghp_' + 'a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8';
  const dirty = { command: 'gh auth', args: ['--with-token', { env: { GH: token } }], keep: { x: 1 } };
  const counts: Record<string, number> = {};
  const out = scrubDeep(dirty, counts);
  assert.notEqual(out, dirty);
  assert.equal((dirty.args[1] as { env: { GH: string } }).env.GH, token, 'the input is untouched');
  assert.equal(JSON.stringify(out).includes(token), false);
  assert.equal(out.keep, dirty.keep, 'untouched branches are shared');
  assert.equal(counts.redacted_github_token, 1);
});
