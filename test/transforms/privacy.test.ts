// The layers beyond secret rules: entropy (with its allowances), emails, home paths, this machine's
// names, HARVEST_REDACT_FILE, harvest's own secret values, and `.env` values a session printed.
import assert from 'node:assert/strict';
import { createHash, randomUUID } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import type { Counts, Session, Turn } from '../../src/model/session.ts';
import { parseRedactFile, RedactFileError } from '../../src/transforms/privacy/custom-list.ts';
import { harvestSecretValues } from '../../src/transforms/privacy/exact-values.ts';
import { parsePrivacySpec, PRIVACY_LAYERS, PrivacySpecError, type ScrubOptions } from '../../src/transforms/privacy/options.ts';
import { privacyFromEnv } from '../../src/transforms/privacy/resolve.ts';
import { entropyKind, shannonEntropy } from '../../src/transforms/secrets/entropy.ts';
import { scrubDeep, scrubSession, scrubText } from '../../src/transforms/scrub.ts';
import { scrubPoint } from '../../src/transforms/scrub-point.ts';
import { scrubLogArg } from '../../src/log.ts';
import { scrubberFor } from '../../src/transforms/scrub.ts';
import { B64, B64URL, chars, HEXL, rng } from '../support/fake-tokens.ts';

const total = (c: Counts): number => Object.values(c).reduce((a, b) => a + b, 0);
const PUBLISH: ScrubOptions = { layers: PRIVACY_LAYERS, machineNames: ['alice-laptop', 'alice'] };
const r = rng(2026);

test('entropy: random values where a secret stands are redacted, in every context', () => {
  const key = chars(r, 40, B64URL);
  const cases = [
    `SESSION_SIGNING=${key}`,
    JSON.stringify({ config: { signing: key } }),
    `settings:\n  value: "${key}"`,
    `export UPSTREAM='${key}'`,
    `tool run --config "${key}"`,
    `X-Upstream-Auth: ${key}`,
    `https://api.example.com/hook?sig=${key}&n=1`,
    `the value is "${key}" for now`,
  ];
  for (const text of cases) {
    const counts: Counts = {};
    const out = scrubText(text, counts);
    assert.ok(!out.includes(key), `left in ${out}`);
    assert.ok(/\[REDACTED:(?:high_entropy|generic_secret)\]/.test(out), out);
  }
  // A whole string that is one token (a `cat token.txt`), and a field that is one.
  assert.equal(scrubText(`${key}\n`, {}), '[REDACTED:high_entropy]\n');
  assert.deepEqual(scrubDeep({ out: key }, {}), { out: '[REDACTED:high_entropy]' });
  // Under a key that names a credential loosely, less randomness will do (3.5 bits, hex 3.0).
  assert.equal(scrubText(`client_auth = "${chars(r, 20, HEXL)}"`, {}), 'client_auth = "[REDACTED:generic_secret]"');
});

test('entropy allowances: git SHAs, UUIDs, integrity hashes, ids, images and paths pass', () => {
  const sha = createHash('sha1').update('x').digest('hex');
  const sha256 = createHash('sha256').update('x').digest('hex');
  const integrity = `sha512-${createHash('sha512').update('x').digest('base64')}`;
  const png = `iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk${chars(r, 40, B64)}==`;
  const clean = [
    `commit ${sha}\nAuthor: A <a@example.com>\nMerge: ${sha.slice(0, 7)} ${sha.slice(7, 14)}`,
    `${sha} refs/heads/main`,
    `"sha": "${sha}", "tree": "${sha256}"`,
    `id=${randomUUID()} "uuid": "${randomUUID()}"`,
    `"integrity": "${integrity}"`,
    `resolved "https://registry.npmjs.org/x/-/x-1.0.0.tgz#${sha}" integrity ${integrity}`,
    `"image": "data:image/png;base64,${png}"`,
    JSON.stringify({ type: 'base64', media_type: 'image/png', data: png }),
    `"id": "msg_01${chars(r, 22)}", "tool_use_id": "toolu_01${chars(r, 22)}", "requestId": "req_011C${chars(r, 20)}"`,
    `"signature": "${chars(r, 300, B64)}"`,
    `path: "src/transforms/secrets/EntropyTest1234Example"`,
    `"digest": "sha256:${sha256}"`,
    `go.sum: golang.org/x/text v0.3.0 h1:${chars(r, 43, B64)}=`,
    `"parentUuid": "${randomUUID()}", "sessionId": "${randomUUID()}"`,
    'const TOKEN_ENDPOINT = "https://oauth2.example.com/token";',
    'name: "getUserAccountSettingsById"',
  ];
  for (const text of clean) {
    const counts: Counts = {};
    assert.equal(scrubText(text, counts), text, text);
    assert.equal(total(counts), 0, `${text}: ${JSON.stringify(counts)}`);
  }
  assert.equal(entropyKind(sha256, undefined), null, 'hex without a credential key is a hash');
  assert.ok(shannonEntropy('aaaa') === 0 && shannonEntropy('abcd') === 2);
});

test('the entropy layer is a switch: off, only the rules redact', () => {
  const key = chars(r, 40, B64URL);
  assert.equal(scrubText(`X=${key}`, {}, { layers: [] }), `X=${key}`);
});

test('emails: people and mailboxes redacted under publish; documentation and no-reply addresses kept', () => {
  const counts: Counts = {};
  const PUBLISH: ScrubOptions = { layers: PRIVACY_LAYERS, machineNames: ['zed-host'] };
  const text = 'From: Alice Smith <alice.smith@acme-corp.io>, cc 1234+bob@users.noreply.github.com';
  assert.equal(scrubText(text, counts, PUBLISH), 'From: Alice Smith <[REDACTED:email]>, cc [REDACTED:email]');
  assert.equal(counts.redacted_email, 2);
  for (const keep of ['user@example.com', 'noreply@anthropic.com', 'git@github.com:o/r.git', 'icon@2x.png', 'npm i pkg@1.2.3', 'a@b']) {
    assert.equal(scrubText(keep, {}, PUBLISH), keep, keep);
  }
  assert.equal(scrubText(text, {}), text, 'off by default');
});

test('home paths: the user folder becomes [USER] on every system, shared and placeholder folders stay', () => {
  const cases: [string, string][] = [
    ['cd /home/alice/projects/app && ls', 'cd /home/[USER]/projects/app && ls'],
    ['/Users/bob.jones/Library/x', '/Users/[USER]/Library/x'],
    ['C:\\Users\\carol\\AppData', 'C:\\Users\\[USER]\\AppData'],
    ['{"cwd":"C:\\\\Users\\\\carol\\\\src"}', '{"cwd":"C:\\\\Users\\\\[USER]\\\\src"}'],
    ['~/.claude/projects/-home-dave-src-app/x.jsonl', '~/.claude/projects/-home-[USER]-src-app/x.jsonl'],
  ];
  for (const [text, want] of cases) assert.equal(scrubText(text, {}, PUBLISH), want, text);
  for (const keep of ['/Users/Shared/x', '/home/runner/work/x', '/home/USER/x', '/Users/.../x', 'remote/home/x']) {
    assert.equal(scrubText(keep, {}, PUBLISH), keep, keep);
  }
  assert.equal(scrubText('/home/alice/x', {}), '/home/alice/x', 'off by default');
});

test("this machine's user and host names are redacted as words; generic and short ones only in paths", () => {
  const counts: Counts = {};
  assert.equal(scrubText('ssh alice@alice-laptop.local: Alice says hi', counts, PUBLISH), 'ssh [REDACTED:machine_name]@[REDACTED:machine_name].local: [REDACTED:machine_name] says hi');
  const generic: ScrubOptions = { layers: ['machine_names'], machineNames: ['root', 'vm', 'node'] };
  assert.equal(scrubText('node runs as root on vm', {}, generic), 'node runs as root on vm');
});

test('HARVEST_REDACT_FILE: literal strings in any case and /patterns/; a bad pattern names its line', () => {
  const custom = parseRedactFile('# project names\nProject Falcon\n/ACME-\\d{4}/i\n\n');
  const opts: ScrubOptions = { custom };
  assert.equal(scrubText('the project falcon ticket acme-1234 is done', {}, opts), 'the [REDACTED:custom] ticket [REDACTED:custom] is done');
  assert.throws(() => parseRedactFile('ok\n/(unclosed/'), (e: unknown) => e instanceof RedactFileError && /:2: not a valid pattern/.test((e as Error).message));
  const dir = mkdtempSync(join(tmpdir(), 'harvest-redact-'));
  writeFileSync(join(dir, 'redact.txt'), 'Codename Heron\n');
  const fromEnv = privacyFromEnv({ HARVEST_REDACT_FILE: join(dir, 'redact.txt') });
  assert.equal(scrubText('about Codename Heron', {}, fromEnv), 'about [REDACTED:custom]');
  assert.throws(() => privacyFromEnv({ HARVEST_REDACT_FILE: join(dir, 'missing.txt') }), /cannot read HARVEST_REDACT_FILE .*missing\.txt: ENOENT/);
});

test("harvest's own secret settings are redacted by value wherever they appear", () => {
  const api = chars(r, 24);
  const hook = chars(r, 20);
  const env = { GITHUB_TOKEN: `gh-${chars(r, 30)}`, INFLUX_TOKEN: chars(r, 40), HARVEST_API_TOKEN: api, GITHUB_WEBHOOK_SECRET: hook, HARVEST_AUTH: 'admin:' + chars(r, 16), REDIS_URL: `redis://:${chars(r, 12)}@r:6379` };
  const values = harvestSecretValues(env);
  assert.equal(values.length, 6);
  const opts = privacyFromEnv(env);
  const text = `posted with ${api} and signed ${hook}; influx ${env.INFLUX_TOKEN}`;
  const counts: Counts = {};
  const out = scrubText(text, counts, opts);
  for (const v of [api, hook, env.INFLUX_TOKEN]) assert.ok(!out.includes(v), out);
  assert.equal(counts.redacted_harvest_secret, 3);
  // In logs and on the board too.
  const s = scrubberFor(opts);
  assert.equal(scrubLogArg(`token ${api}`, s), 'token [REDACTED:harvest_secret]');
  const err = scrubLogArg({ err: new Error(`failed with ${hook}`), note: api }, s) as { err: Error; note: string };
  assert.ok(!err.err.message.includes(hook) && err.note === '[REDACTED:harvest_secret]');
});

function turn(role: 'user' | 'assistant', text: string, extra: Partial<Turn> = {}): Turn {
  return { role, text, toolCalls: [], toolResults: [], ...extra } as Turn;
}

test('values a session printed from a .env file are redacted wherever the session repeats them', () => {
  const value = chars(r, 18, B64URL);
  const port = '8080';
  const session = {
    id: 's', path: '/x.jsonl', runtime: 'claude-code', format: 'claude', models: [], extra: {}, abandoned: [],
    turns: [
      turn('assistant', '', { toolCalls: [{ id: 't1', name: 'Bash', input: { command: 'cat .env' } }] }),
      turn('user', '', { toolResults: [{ id: 't1', content: `NODE_ENV=production\nPORT=${port}\nSTRIPE_WEBHOOK_SIGNING=${value}\n`, isError: false }] } as Partial<Turn>),
      turn('assistant', `I will pass ${value} to the client, on port ${port}.`),
    ],
  } as unknown as Session;
  const counts: Counts = {};
  const out = scrubSession(session, counts);
  assert.equal(out.turns[2].text, 'I will pass [REDACTED:env_value] to the client, on port 8080.');
  assert.ok(!JSON.stringify(out).includes(value));
  assert.ok(out.turns[1].toolResults[0].content.includes('NODE_ENV=production'));
  const off = scrubSession(session, {}, { layers: ['entropy'] });
  assert.ok(off.turns[2].text.includes(value), 'env_values is a switch');
});

test('privacy settings: default, publish, layer lists; a typo is one clear error', () => {
  assert.deepEqual(parsePrivacySpec(undefined), ['entropy', 'harvest_secrets', 'env_values', 'custom']);
  assert.deepEqual(parsePrivacySpec('publish'), [...PRIVACY_LAYERS]);
  assert.deepEqual(parsePrivacySpec('publish,-machine_names'), PRIVACY_LAYERS.filter((l) => l !== 'machine_names'));
  assert.deepEqual(parsePrivacySpec('emails,no-entropy'), ['harvest_secrets', 'env_values', 'custom', 'emails']);
  assert.throws(() => parsePrivacySpec('publsh'), (e: unknown) => e instanceof PrivacySpecError && /unknown privacy setting 'publsh': use default, publish/.test((e as Error).message));
  assert.deepEqual(privacyFromEnv({ HARVEST_PRIVACY: 'publish' }).layers, [...PRIVACY_LAYERS]);
  assert.ok((privacyFromEnv({}, 'publish').machineNames ?? []).length > 0, 'publish knows this machine');
});

test('points: string fields and tags scrubbed, numbers untouched, a clean point comes back as itself', () => {
  const token = `ghp_${chars(r, 36)}`;
  const p = { measurement: 'pr_observation', tags: { repo: 'o/r', author: 'a' }, fields: { title: `fix: rotate ${token}`, checks_total: { int: 3 } }, timestamp: 1 };
  const counts: Counts = {};
  const out = scrubPoint(p, counts);
  assert.equal(out.fields.title, 'fix: rotate [REDACTED:github_token]');
  assert.deepEqual(out.fields.checks_total, { int: 3 });
  assert.equal(counts.redacted_github_token, 1);
  const clean = { ...p, fields: { title: 'fix: typo' } };
  assert.equal(scrubPoint(clean, {}), clean);
});
