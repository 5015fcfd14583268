import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Session } from '../../src/model/session.ts';
import { memoryPrLookup } from '../../src/state/pr-lifecycles.ts';
import { emptyPrLifecycle } from '../../src/transforms/pr-lifecycle.ts';
import { linkSessionToPrs, parseCommitOutput, parsePushOutput, prCandidates, prUrls } from '../../src/transforms/pr-links.ts';
import { assistant, call, result, user } from './build-turns.ts';

test('git push output: the repository (ssh, https, credentials left out), new and updated branches, new heads', () => {
  assert.deepEqual(parsePushOutput('To github.com:acme/widgets.git\n * [new branch]      feat/x -> feat/x\n'), { repo: 'acme/widgets', branches: ['feat/x'], shas: [] });
  assert.deepEqual(parsePushOutput('To https://x-access-token@github.com/Acme/Widgets\n   1a2b3c4..5d6e7f8  main -> feat/y\n'), { repo: 'Acme/Widgets', branches: ['feat/y'], shas: ['5d6e7f8'] });
  assert.deepEqual(parsePushOutput('To ssh://git@github.com/acme/w.git\n + 1a2b3c4...9f9f9f9 fix -> fix (forced update)\n').shas, ['9f9f9f9']);
  assert.deepEqual(parsePushOutput('Everything up-to-date\n'), { repo: null, branches: [], shas: [] });
  assert.equal(parsePushOutput('To gitlab.com:acme/widgets.git\n * [new branch] a -> a\n').repo, null, 'not a GitHub host');
  assert.equal(parsePushOutput('To ghe.corp:acme/widgets.git\n * [new branch] a -> a\n', ['ghe.corp']).repo, 'acme/widgets');
});

test('git commit output and PR URLs', () => {
  assert.deepEqual(parseCommitOutput('[feat/x 1a2b3c4] message\n 1 file changed'), ['1a2b3c4']);
  assert.deepEqual(parseCommitOutput('[main (root-commit) abcdef0] first'), ['abcdef0']);
  assert.deepEqual(parseCommitOutput('nothing to commit, working tree clean'), []);
  assert.deepEqual(prUrls('see https://github.com/acme/w/pull/12#issuecomment-1 and https://github.com/acme/w/pull/new/b'), [{ repo: 'acme/w', number: 12, url: 'https://github.com/acme/w/pull/12' }]);
});

const H = 3_600_000;
const T0 = Date.parse('2026-05-01T00:00:00Z');
const iso = (h: number) => new Date(T0 + h * H).toISOString();

function session(turns: Session['turns'], over: Partial<Session> = {}): Session {
  return { id: 's', format: 'codex', runtime: 'codex', path: '/s.jsonl', models: [], turns, abandoned: [], extra: {}, startedAt: iso(0), endedAt: iso(1), ...over };
}
const shell = (command: string, output: string, isError = false) => {
  const c = call('shell', { command: ['bash', '-lc', command] });
  return [assistant('', { toolCalls: [c] }), user('', { toolResults: [result(c.id, output, isError)] })];
};
const pr = (repo: string, n: number, head: string, over: Partial<ReturnType<typeof emptyPrLifecycle>> = {}) => ({
  ...emptyPrLifecycle(repo, n), head_ref: head, opened_at: iso(0.5), ...over,
});

test('any harness: a Codex shell call pushing a PR\'s branch links it; a failed push does not', () => {
  const lookup = memoryPrLookup([pr('acme/w', 3, 'feat/z')]);
  const ok = session([user('go'), ...shell('git push origin feat/z', 'To github.com:acme/w.git\n * [new branch] feat/z -> feat/z\n')]);
  assert.deepEqual(linkSessionToPrs(ok, lookup).map((l) => [l.number, l.method, l.confidence, l.relation]), [[3, 'git_push', 0.85, 'author']]);
  assert.deepEqual(prCandidates(ok), { prs: [], branches: ['feat/z'], shas: [] });
  const failed = session([user('go'), ...shell('git push origin feat/z', 'To github.com:acme/w.git\n * [new branch] feat/z -> feat/z\n', true)]);
  assert.deepEqual(linkSessionToPrs(failed, lookup), []);
});

test('a branch name alone: shared branches never, a PR closed before the session never, one name in two repositories weaker', () => {
  const closedLong = pr('acme/w', 4, 'feat/old', { state: 'closed', closed_at: iso(-48) });
  const lookup = memoryPrLookup([closedLong, pr('acme/w', 5, 'main'), pr('acme/a', 6, 'feat/two'), pr('acme/b', 7, 'feat/two')]);
  assert.deepEqual(linkSessionToPrs(session([user('x')], { gitBranch: 'main' }), lookup), []);
  assert.deepEqual(linkSessionToPrs(session([user('x')], { gitBranch: 'feat/old' }), lookup), []);
  assert.deepEqual(linkSessionToPrs(session([user('x')], { gitBranch: 'feat/two' }), lookup).map((l) => [l.repo, l.confidence]), [['acme/a', 0.45], ['acme/b', 0.45]]);
});

test('a commit the session made, matched by its short SHA against a PR\'s head commits', () => {
  const lookup = memoryPrLookup([pr('acme/w', 8, 'feat/c', { head_shas: ['1234567' + 'a'.repeat(33)] })]);
  const s = session([user('go'), ...shell('git commit -m x', '[feat/c 1234567] x')]);
  assert.deepEqual(linkSessionToPrs(s, lookup).map((l) => [l.number, l.method, l.confidence]), [[8, 'commit_sha', 0.9]]);
  assert.deepEqual(linkSessionToPrs(session([user('go'), ...shell('git commit -m x', '[feat/c 7654321] x')]), lookup), []);
});

test('gh pr commands: merge and checkout name the PR without saying the session wrote it', () => {
  const s = session([user('go'), ...shell('gh pr merge 12 --repo acme/w --squash', '✓ Squashed and merged pull request acme/w#12')]);
  assert.deepEqual(linkSessionToPrs(s, memoryPrLookup([])).map((l) => [l.number, l.method, l.relation, l.known]), [[12, 'gh_pr_command', 'unknown', false]]);
});
