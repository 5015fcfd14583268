// The pure and process-level parts of generation: the argv template, the environment allowlist, the
// sandbox town's roles, finding the session a generator wrote, and a generator under its timeout.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  CommandTemplateError, DEFAULT_GENERATOR, commandName, envAllowlist, expandCommand, generatorEnv, parseCommandTemplate, resolveProgram, runtimeOfCommand,
} from '../../src/pipeline/generate-command.ts';
import { GENERATABLE_ROLES, jobFolders, misplacedRoles } from '../../src/pipeline/generate-sandbox.ts';
import { findGeneratedSession, piSessionFolder } from '../../src/pipeline/generate-session.ts';
import { runGenerator } from '../../src/pipeline/generate-run.ts';
import { readScenarios } from '../../src/pipeline/generate-plan.ts';
import { detectRole } from '../../src/transforms/role.ts';
import { processGone, waitFor } from '../support/processes.ts';

const FAKE = fileURLToPath(new URL('../support/fake-generator.mjs', import.meta.url));

test('the argv template: split without a shell, placeholders filled once, typos refused', () => {
  const t = parseCommandTemplate(DEFAULT_GENERATOR);
  assert.deepEqual(t.slice(0, 4), ['pir', '-p', '--session-dir', '{sessions}']);
  const argv = expandCommand(t, { system: '[GAS TOWN ROLE: witness]\nYou are...', prompt: 'say {role} $(rm -rf /) `x` "q"', role: 'witness', cwd: '/c', sessions: '/s' });
  assert.equal(argv[3], '/s');
  assert.equal(argv[5], '[GAS TOWN ROLE: witness]\nYou are...');
  assert.equal(argv[6], 'say {role} $(rm -rf /) `x` "q"', 'a value is passed as one argument and never expanded again');
  assert.deepEqual(parseCommandTemplate(`node "my gen.mjs" --to='{cwd}/out' -x\\ y`), ['node', 'my gen.mjs', '--to={cwd}/out', '-x y']);
  assert.deepEqual(expandCommand(['g', '--to={cwd}/out'], { system: '', prompt: '', role: 'crew', cwd: '/w', sessions: '' }), ['g', '--to=/w/out']);
  assert.deepEqual(parseCommandTemplate('["/bin/gen", "{prompt}"]'), ['/bin/gen', '{prompt}']);
  assert.throws(() => parseCommandTemplate('pir {promt}'), (e: Error) => e instanceof CommandTemplateError && /unknown placeholder \{promt\}/.test(e.message));
  assert.throws(() => parseCommandTemplate('   '), CommandTemplateError);
  assert.throws(() => parseCommandTemplate('{prompt} x'), /program itself/);
  assert.throws(() => parseCommandTemplate('pir "unclosed'), CommandTemplateError);
  assert.throws(() => parseCommandTemplate('[1, 2]'), /only strings/);
  assert.equal(commandName(['pir', '-p']), 'pir');
  assert.equal(commandName(['/usr/bin/node', '/x/fake-generator.mjs', '--role']), 'fake-generator.mjs');
  assert.equal(runtimeOfCommand(['/opt/bin/pir']), 'pir');
  assert.equal(runtimeOfCommand(['node', 'x']), 'pi');
  assert.deepEqual(resolveProgram(['./bin/gen', 'a/b'], '/home/u'), ['/home/u/bin/gen', 'a/b']);
  assert.deepEqual(resolveProgram(['pir', 'a'], '/home/u'), ['pir', 'a'], 'a bare name is found on PATH');
});

test('the environment: only allowed names, never harvest\'s own secrets', () => {
  const env = {
    PATH: '/bin', HOME: '/h', LC_ALL: 'C.UTF-8', ANTHROPIC_API_KEY: 'sk-ant-x', GITHUB_TOKEN: 'ghp_x', REDIS_URL: 'redis://secret@h',
    HARVEST_API_TOKEN: 't', INFLUX_TOKEN: 'i', AWS_SECRET_ACCESS_KEY: 'a', MY_MODEL_URL: 'http://m', MY_MODEL_KEY: 'k',
  };
  const out = generatorEnv(env, envAllowlist(undefined));
  assert.deepEqual(Object.keys(out).sort(), ['ANTHROPIC_API_KEY', 'HOME', 'LC_ALL', 'PATH']);
  const more = generatorEnv(env, envAllowlist('MY_MODEL_*, AWS_SECRET_ACCESS_KEY, GITHUB_TOKEN, HARVEST_API_TOKEN'));
  assert.equal(more.MY_MODEL_URL, 'http://m');
  assert.equal(more.MY_MODEL_KEY, 'k');
  assert.equal(more.AWS_SECRET_ACCESS_KEY, 'a', 'named on purpose: passed');
  assert.equal(more.GITHUB_TOKEN, undefined, 'harvest\'s own credentials never pass, even when named');
  assert.equal(more.HARVEST_API_TOKEN, undefined);
});

test('every role\'s folder in the sandbox town reads as that role; a sandbox inside the town root is caught', () => {
  const gen = '/srv/data/generate';
  for (const role of GENERATABLE_ROLES) {
    const { cwd, sessions } = jobFolders(gen, '/home/u/gt', role, 'gen-run-1');
    assert.equal(detectRole({ cwd }, { townRoot: '/home/u/gt' }).role, role, cwd);
    assert.equal(sessions, '/srv/data/generate/sessions/gen-run-1');
  }
  assert.ok(jobFolders(gen, '/home/u/gt', 'dog', 'dogs').cwd.endsWith('/deacon/dogs/job-dogs'), 'a job id cannot turn into a layout word');
  assert.deepEqual(misplacedRoles(gen, '/home/u/gt'), []);
  assert.deepEqual(misplacedRoles(gen, '/srv/town'), [], 'the sandbox is named like the town root');
  assert.ok(misplacedRoles('/home/u/gt/data/generate', '/home/u/gt').length > 0, 'inside the real town root the town\'s layout wins');
});

function session(dir: string, name: string, cwd: string): string {
  mkdirSync(dir, { recursive: true });
  const p = join(dir, name);
  writeFileSync(p, JSON.stringify({ type: 'session', version: 3, id: name, timestamp: '2026-01-01T00:00:00Z', cwd }) + '\n');
  return p;
}

test('the session a generator wrote: the printed path, its sessions folder, or pi\'s folder for its cwd', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'harvest-find-'));
  const cwd = join(dir, 'town/gt/sandbox/witness/j1');
  mkdirSync(cwd, { recursive: true });
  const sessions = join(dir, 'sessions/j1');
  const agent = join(dir, 'agent');
  assert.equal(await findGeneratedSession({ lastStdoutLine: '', sessions, cwd, piAgentDir: agent }), null);
  const other = session(sessions, 'b.jsonl', '/elsewhere');
  assert.equal(await findGeneratedSession({ lastStdoutLine: '', sessions, cwd, piAgentDir: agent }), null, 'a session of another cwd is not this job\'s');
  const inPi = session(piSessionFolder(cwd, agent), 'p.jsonl', cwd);
  assert.ok(piSessionFolder(cwd, agent).includes(`--${cwd.slice(1).replace(/\//g, '-')}--`));
  assert.deepEqual(await findGeneratedSession({ lastStdoutLine: '', sessions, cwd, piAgentDir: agent }), { path: inPi, via: 'pi' });
  const own = session(sessions, 'a.jsonl', cwd);
  assert.deepEqual(await findGeneratedSession({ lastStdoutLine: 'done', sessions, cwd, piAgentDir: agent }), { path: own, via: 'sessions' });
  assert.deepEqual(await findGeneratedSession({ lastStdoutLine: other, sessions, cwd, piAgentDir: agent }), { path: other, via: 'stdout' });
  assert.deepEqual(await findGeneratedSession({ lastStdoutLine: '/no/such.jsonl', sessions, cwd, piAgentDir: agent }), { path: own, via: 'sessions' });
});

test('a generator stopped (abort) or past its timeout is killed with everything in its process group', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'harvest-run-'));
  const cwd = join(dir, 'cwd');
  const pids = join(dir, 'pids');
  mkdirSync(cwd);
  const argv = [process.execPath, FAKE, '--role', 'witness', '--prompt', '[hang]', '--cwd', cwd, '--sessions', join(dir, 's'), '--pids', pids];
  const stop = new AbortController();
  const running = runGenerator({ argv, cwd, env: { PATH: process.env.PATH ?? '' }, timeoutMs: 600_000, killGraceMs: 500, signal: stop.signal });
  await waitFor('the generator to start its child', () => existsSync(pids) && readdirSync(pids).length > 0);
  const [own, child] = JSON.parse(readFileSync(join(pids, readdirSync(pids)[0]), 'utf8')) as number[];
  assert.ok(!processGone(own) && !processGone(child));
  stop.abort();
  const exit = await running;
  assert.equal(exit.aborted, true);
  await waitFor('the generator and its child to be gone', () => processGone(own) && processGone(child));

  const late = await runGenerator({ argv, cwd, env: { PATH: process.env.PATH ?? '' }, timeoutMs: 300, killGraceMs: 500 });
  assert.equal(late.timedOut, true);
  assert.equal(late.code, null);
});

test('a generator that fails: its exit code and the tail of its stderr; one that cannot start: the reason', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'harvest-run-'));
  const exit = await runGenerator({
    argv: [process.execPath, FAKE, '--role', 'witness', '--prompt', '[fail]', '--cwd', dir, '--sessions', dir], cwd: dir, env: {}, timeoutMs: 20_000,
  });
  assert.equal(exit.code, 3);
  assert.equal(exit.timedOut, false);
  assert.match(exit.stderrTail, /fatal: giving up$/);
  const missing = await runGenerator({ argv: ['/no/such/generator'], cwd: dir, env: {}, timeoutMs: 20_000 });
  assert.match(missing.spawnError ?? '', /ENOENT/);
});

test('scenarios in the eval/prompts layout: a file or a folder; bad lines named by file and line', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'harvest-scen-'));
  writeFileSync(join(dir, 'witness_scenarios.jsonl'), [
    JSON.stringify({ role: 'witness', scenario: 'patrol-1', system: 'S', user: 'Begin patrol', expected_behaviors: ['gt peek'] }),
    '',
    JSON.stringify({ role: 'Witness', user: 'Check your mail' }),
  ].join('\n'));
  writeFileSync(join(dir, 'deacon_scenarios.jsonl'), JSON.stringify({ role: 'deacon', scenario: 's', user: 'Run gt prime --hook and begin patrol' }) + '\n');
  const all = await readScenarios(dir);
  assert.deepEqual(all.map((s) => [s.role, s.scenario]), [['deacon', 's'], ['witness', 'patrol-1'], ['witness', 'mail']]);
  assert.ok(all[2].system.startsWith('[GAS TOWN ROLE: witness]'), 'the role\'s system prompt when none is given');
  const bad = join(dir, 'bad.txt');
  writeFileSync(bad, `${JSON.stringify({ role: 'wizard', user: 'x' })}\n`);
  await assert.rejects(readScenarios(bad), /bad\.txt:1: role "wizard"/);
  writeFileSync(bad, `{"role": "crew"}\n`);
  await assert.rejects(readScenarios(bad), /bad\.txt:1: user/);
});
