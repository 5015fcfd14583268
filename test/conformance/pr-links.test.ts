// Conformance: the real Claude Code 2.1.205 session in ../shared/corpus/claude-recent links to PR
// 7360 of JanDeDobbeleer/oh-my-posh (its `pr-link` line, and its own `gh pr view`, `gh pr diff` and
// `gh pr comment` calls). The session reviewed the PR and commented on it: a reviewer, not the
// author, so the PR's outcome does not score it. Skipped when the corpus is absent.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { readClaudeSession } from '../../src/sources/claude/read.ts';
import { sessionPrLinks } from '../../src/pipeline/session-outcomes.ts';

const DIR = fileURLToPath(new URL('../../../shared/corpus/claude-recent/oh-my-posh-2.1.205', import.meta.url));
const FILE = join(DIR, 'e3c445a1-7bce-4ed8-ac91-5aa08adc027f.jsonl');
const skip = existsSync(FILE) ? false : `no corpus at ${DIR}`;

test('the real pr-link session links to JanDeDobbeleer/oh-my-posh#7360 as a reviewer', { skip }, async () => {
  const { session } = await readClaudeSession(FILE);
  assert.ok(session);
  // The reader keeps the `pr-link` line as Session.prs.
  assert.deepEqual(session.prs, [{ number: 7360, url: 'https://github.com/JanDeDobbeleer/oh-my-posh/pull/7360', repo: 'JanDeDobbeleer/oh-my-posh' }]);
  const { links, outcome } = await sessionPrLinks(session, null);
  assert.equal(links.length, 1);
  const [l] = links;
  assert.deepEqual([l.repo, l.number, l.url], ['JanDeDobbeleer/oh-my-posh', 7360, 'https://github.com/JanDeDobbeleer/oh-my-posh/pull/7360']);
  assert.deepEqual(l.methods, ['pr_link', 'gh_pr_command']);
  // pr-link 0.9 and the gh pr commands 0.6: 1 - 0.1 * 0.4.
  assert.equal(l.confidence, 0.96);
  assert.equal(l.relation, 'reviewer');
  assert.deepEqual(l.evidence, [
    'pr-link https://github.com/JanDeDobbeleer/oh-my-posh/pull/7360',
    'gh pr view JanDeDobbeleer/oh-my-posh#7360',
    'gh pr diff JanDeDobbeleer/oh-my-posh#7360',
    'gh pr comment JanDeDobbeleer/oh-my-posh#7360',
  ]);
  assert.equal(l.known, false, 'no lifecycle without a poll of the repository');
  assert.equal(outcome, null);
  // Its git branch is `next`, a shared branch, never taken for a PR's head.
  assert.equal(session.gitBranch, 'next');
});
