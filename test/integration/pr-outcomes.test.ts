// The loop end to end over a hand-made history (test/support/pr-history.ts): PR lifecycles, the
// links from sessions to PRs, the PR outcome scores and the combined quality score, the preference
// pairs, and `harvest compare`. Every expected figure below is computed by hand from the table in
// the history's header.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { filesHistory } from '../../src/analysis/history.ts';
import type { CompareGroup } from '../../src/analysis/compare.ts';
import { atMs, type EventRecord } from '../../src/model/event.ts';
import { prKey, type PrLifecycle } from '../../src/model/pr.ts';
import { dpoPairs, type DpoPair } from '../../src/pipeline/dpo-pairs.ts';
import { gatherCompare } from '../../src/pipeline/compare-report.ts';
import { attachSessionOutcomes, sessionPrLinks } from '../../src/pipeline/session-outcomes.ts';
import { memoryPrLookup, PrLifecycleStore } from '../../src/state/pr-lifecycles.ts';
import { memoryBeadLookup } from '../../src/transforms/bead-links.ts';
import { buildPrLifecycles, lifecycleSummary } from '../../src/transforms/pr-lifecycle.ts';
import { prOutcomeScore } from '../../src/transforms/outcome-score.ts';
import { BEADS, EVENTS, OBSERVATIONS, OPUS, REPO, SESSIONS, SHA2A, SHA3C, SONNET, T, at, sampleOf, writeDatasetFolder } from '../support/pr-history.ts';
import { dropPrefix, REDIS_URL, uniquePrefix } from '../support/redis.ts';
import { runCli } from '../support/harvest-cli.ts';
import { writeReport } from '../../src/cli/report.ts';

const actions = (events: EventRecord[]) => events.flatMap((e) => (e.type === 'action_taken' ? [{ id: e.id, repo: e.repo, pr: e.pr, atMs: atMs(e), action: e.action, session: e.session }] : []));
const outcomes = (events: EventRecord[]) => events.flatMap((e) => (e.type === 'outcome' ? [{ id: e.id, repo: e.repo, pr: e.pr, atMs: atMs(e), result: e.result }] : []));
const history = (until = Number.POSITIVE_INFINITY) => {
  const events = EVENTS.filter((e) => atMs(e) <= until);
  return { observations: OBSERVATIONS.filter((p) => p.timestamp <= until), actions: actions(events), outcomes: outcomes(events) };
};
const H = 3_600_000;

describe('PR outcomes over a hand-made history', () => {
  let dir: string;
  let lifecycles: Map<string, PrLifecycle>;
  const lc = (n: number) => lifecycles.get(prKey(REPO, n))!;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'harvest-pr-outcomes-'));
    lifecycles = await buildPrLifecycles(history());
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  test('lifecycles: opened, reviewed, approved, changes requested, fixes, failing spells, merged or closed and by whom', () => {
    const two = lc(2);
    assert.deepEqual(
      [two.opened_at, two.first_reviewed_at, two.first_approved_at, two.merged_at, two.merged_by, two.state],
      [at(1.5), at(2.5), at(7), at(8), 'mona', 'merged'],
    );
    assert.deepEqual([two.changes_requested_reviews, two.review_fix_actions, two.conflict_fix_actions], [1, 1, 0]);
    assert.deepEqual(two.fix_requests, [{ at: at(3), action: 'request_review_fix' }]);
    assert.deepEqual(two.failing_check_spells, [{ from: at(2), to: at(4) }]);
    assert.deepEqual(two.head_shas, [SHA2A, SHA3C]);
    assert.equal(two.observations, 4);
    assert.deepEqual(lifecycleSummary(two), {
      outcome: 'merged_after_fixes', review_fix_rounds: 1, fix_rounds: 1, failing_check_spells: 1,
      time_to_merge_hours: 6.5, time_to_first_review_hours: 1, time_to_first_approval_hours: 5.5,
    });
    // #1: 4.5 h to merge, no fix; #3: failing from +2h until it closed at +10h, two review fixes; #4: one conflict fix.
    assert.deepEqual([lifecycleSummary(lc(1)).outcome, lifecycleSummary(lc(1)).time_to_merge_hours, lc(1).actions, lc(1).orchestrator_outcomes], ['merged_first_try', 4.5, { wait: 1 }, [{ result: 'success', at: at(5) }]]);
    assert.deepEqual([lc(3).state, lc(3).closed_by, lc(3).failing_check_spells, lifecycleSummary(lc(3)).review_fix_rounds], ['closed', 'mayor', [{ from: at(2), to: at(10) }], 2]);
    assert.deepEqual([lifecycleSummary(lc(4)).outcome, lifecycleSummary(lc(4)).fix_rounds, lifecycleSummary(lc(4)).time_to_merge_hours], ['merged_after_fixes', 1, 6]);
    assert.equal(lc(5).state, 'open');
  });

  test('the same lifecycles folded incrementally in Redis: poll by poll, events in any order and twice', async () => {
    const prefix = uniquePrefix('pr-lifecycles');
    const redis = new Redis(REDIS_URL);
    const store = new PrLifecycleStore(redis, prefix);
    try {
      const polls = [...new Set(OBSERVATIONS.map((p) => p.timestamp))].sort((a, b) => a - b);
      const events = [...actions(EVENTS)].reverse();
      // Two workers folding at once: the poller's points, the events worker's actions and outcomes, each sent twice.
      await Promise.all([
        (async () => {
          for (const t of polls) for (let i = 0; i < 2; i++) await store.applyPoints(OBSERVATIONS.filter((p) => p.timestamp === t));
        })(),
        (async () => {
          for (const a of [...events, ...events]) await new PrLifecycleStore(redis, prefix).applyAction(a).then(() => undefined);
          for (const o of outcomes(EVENTS)) await store.applyOutcome(o);
        })(),
      ]);
      const stored = await store.get([...lifecycles.keys()]);
      for (const [k, want] of lifecycles) {
        const got = stored.get(k)!;
        assert.deepEqual({ ...got, applied: [...got.applied].sort() }, { ...want, applied: [...want.applied].sort() }, k);
      }
      const lookup = memoryPrLookup(stored.values());
      assert.deepEqual(lookup.byBranch('feat/two'), [prKey(REPO, 2)]);
      assert.deepEqual(lookup.bySha('3c3c3c3'), [prKey(REPO, 2)]);
    } finally {
      await store.close();
      redis.disconnect();
      await dropPrefix(prefix);
    }
  });

  test('links: method, confidence and relation of each session\'s PRs', async () => {
    const source = { snapshot: async () => memoryPrLookup(lifecycles.values()) };
    const links = async (s: string) => (await sessionPrLinks(SESSIONS[s].session, source)).links
      .map((l) => [`#${l.number}`, l.methods.join('+'), l.confidence, l.relation]);
    // gh pr create 0.95 with the session's branch 0.6: 1 - 0.05 * 0.4 = 0.98.
    assert.deepEqual(await links('S1'), [['#1', 'gh_pr_create+git_branch', 0.98, 'author']]);
    // The pushed branch 0.85 and the session's branch 0.6: 1 - 0.15 * 0.4 = 0.94.
    assert.deepEqual(await links('S2'), [['#2', 'git_push+git_branch', 0.94, 'author']]);
    // Its commit is #2's head (0.9), and it pushed #2's branch (0.85): 1 - 0.1 * 0.15 = 0.985.
    assert.deepEqual(await links('S3'), [['#2', 'commit_sha+git_push', 0.985, 'author']]);
    assert.deepEqual(await links('S4'), [['#3', 'gh_pr_create', 0.95, 'author']]);
    assert.deepEqual(await links('S5'), [['#4', 'git_branch', 0.6, 'author']]);
    // Only looked: pr-link 0.9 and gh pr view 0.6 give 1 - 0.1 * 0.4 = 0.96, as a reviewer.
    assert.deepEqual(await links('S6'), [['#1', 'pr_link+gh_pr_command', 0.96, 'reviewer']]);
    assert.deepEqual(await links('S0'), [['#9', 'gh_pr_create', 0.95, 'author']]);
    const s0 = (await sessionPrLinks(SESSIONS.S0.session, source)).links[0];
    assert.deepEqual([s0.known, s0.pr_state, s0.outcome_score], [false, null, null], 'a PR never observed is linked, unscored');
  });

  test('PR outcome scores: merged first try high, sent back or closed low', () => {
    const end = (s: string) => Date.parse(SESSIONS[s].session.endedAt!);
    const score = (n: number, s: string) => prOutcomeScore(lc(n), end(s));
    assert.deepEqual([score(1, 'S1')!.score, score(1, 'S1')!.reason], [1, 'merged first try']);
    // #2: one fix round (-0.2) and one failing spell (-0.05) = 0.75 for the session that finished it...
    assert.deepEqual([score(2, 'S3')!.score, score(2, 'S3')!.work_end], [0.75, 'merged']);
    // ...and half of that for the one whose work the review sent back (the fix was asked for after it ended).
    assert.deepEqual([score(2, 'S2')!.score, score(2, 'S2')!.work_end, score(2, 'S2')!.components.sent_back], [0.375, 'sent_back', 0.5]);
    assert.deepEqual([score(3, 'S4')!.score, score(3, 'S4')!.work_end], [0.1, 'closed']);
    // A conflict fix is a round (-0.2) but not the session's work sent back.
    assert.deepEqual([score(4, 'S5')!.score, score(4, 'S5')!.work_end], [0.8, 'merged']);
    assert.equal(score(5, 'S7'), null, 'open: no outcome yet');
  });

  test('the combined score: heuristic 0.3, bead 0.7 x confidence, PR 0.7 x confidence, every component recorded', async () => {
    const beads = { snapshot: async () => memoryBeadLookup(BEADS) };
    const prs = { snapshot: async () => memoryPrLookup(lifecycles.values()) };
    const r = await attachSessionOutcomes(SESSIONS.S1.session, [sampleOf(SESSIONS.S1, 0.5)], beads, { prs });
    const m = r.samples[0].metadata;
    // Bead hv-1 closed first try within the typical time: 0.5 + 0.3 + 0.2 = 1, linked by `bd close` at 0.95.
    // (0.3 * 0.5 + 0.7 * 0.95 * 1 + 0.7 * 0.98 * 1) / (0.3 + 0.665 + 0.686) = 1.501 / 1.651 = 0.909
    assert.deepEqual([m.heuristic_score, m.outcome_score, m.outcome_confidence, m.pr_outcome_score, m.pr_outcome_confidence], [0.5, 1, 0.95, 1, 0.98]);
    assert.equal(m.quality_score, 0.909);
    assert.deepEqual([m.quality_components.outcome_weight, m.quality_components.pr_weight], [0.403, 0.416]);
    const link = (m.prs as { outcome_components: Record<string, number>; pr_outcome: string; work_end: string }[])[0];
    assert.deepEqual([link.pr_outcome, link.work_end, link.outcome_components.first_try, link.outcome_components.time_to_merge_hours], ['merged_first_try', 'merged', 1, 4.5]);
    assert.deepEqual(m.session_usage, { tokens: 10_000, cost_usd: null });
  });

  describe('the dataset, written while most PRs were still open', () => {
    before(async () => {
      // The sessions were read at +4.5h (S7 at +11h): their samples know what the history knew then.
      const beads = { snapshot: async () => memoryBeadLookup(BEADS) };
      const samples = [];
      for (const [name, h] of Object.entries(SESSIONS)) {
        const then = await buildPrLifecycles(history(T + (name === 'S7' || name === 'S6' ? 11 : 4.5) * H));
        const r = await attachSessionOutcomes(h.session, [sampleOf(h)], beads, { prs: { snapshot: async () => memoryPrLookup(then.values()) } });
        samples.push(...r.samples);
      }
      const s2 = samples.find((s) => s.metadata.session_id === 's2')!.metadata.prs as { pr_state: string }[];
      assert.equal(s2[0].pr_state, 'open', 'when S2 was read, #2 was open');
      await writeDatasetFolder(dir, samples);
    });

    test('preference pairs from PRs: same PR (merged vs sent back), same bead (merged vs closed), judged on the latest history', async () => {
      const all: DpoPair[] = [];
      for await (const p of dpoPairs(dir)) all.push(p);
      const pr = all.filter((p) => p.metadata.source === 'pr' || p.metadata.source === 'pr_bead')
        .map((p) => [p.metadata.source, p.metadata.chosen_session, p.metadata.rejected_session, p.metadata.scores, p.metadata.why]);
      assert.deepEqual(pr, [
        ['pr', 's3', 's2', { chosen: 0.75, rejected: 0.375 },
          'same PR acme/widgets#2, same role polecat: chosen merged after 1 fix round (0.75), rejected sent back for fixes after this session (merged after 1 fix round) (0.375)'],
        ['pr_bead', 's5', 's4', { chosen: 0.8, rejected: 0.1 },
          'same bead hv-3, PRs acme/widgets#4 and acme/widgets#3, same role polecat: chosen merged after 1 fix round (0.8), rejected closed without merging (0.1)'],
      ]);
      const pair = all.find((p) => p.metadata.source === 'pr')!;
      assert.deepEqual(pair.prompt.map((m) => m.role), ['system', 'user']);
      assert.equal(pair.chosen[0].content, 'Working on: address the review of #2 (s3)');
      assert.equal(pair.rejected[0].content, 'Working on: build feature two (s2)');
      assert.deepEqual(pair.metadata.models, { chosen: SONNET, rejected: OPUS });
    });

    test('compare --by model: the hand-computed figures', async () => {
      const r = await gatherCompare(dir, filesHistory(dir), 'model', { sinceMs: Date.parse('2026-03-01') });
      const by = Object.fromEntries(r.groups.map((g) => [g.key, g])) as Record<string, CompareGroup>;
      // opus: S1, S2, S5 (S0 is from January). PRs #1 (first try), #2 (1 review fix), #4 (1 conflict fix): all merged.
      assert.deepEqual(by[OPUS], {
        key: OPUS, sessions: 3,
        prs: { opened: 3, merged: 3, merged_first_try: 1, closed: 0, open: 0 },
        merge_rate: { k: 3, n: 3, rate: 1, low: 0.4385, high: 1 },
        first_try_merge_rate: { k: 1, n: 3, rate: 0.3333, low: 0.0615, high: 0.7923 },
        // 4.5, 6.5 and 6 hours: median 6. Review-fix rounds 0, 1, 0.
        median_hours_to_merge: 6, review_fix_rounds_per_pr: 0.333,
        // hv-1 first try, hv-2 after a reopen, hv-3 after a release.
        beads: { worked: 3, ended: 3, first_try: 1 }, bead_first_try_close_rate: { k: 1, n: 3, rate: 0.3333, low: 0.0615, high: 0.7923 },
        // 10k + 20k + 30k tokens over 3 merged PRs; Claude Code records no cost.
        tokens: 60_000, cost: null, tokens_per_merged_pr: 20_000, cost_per_merged_pr: null,
      });
      // sonnet: S3, S4, S6 (a reviewer: a session, no PR), S7. PRs #2 (merged after a fix), #3 (closed), #5 (open).
      assert.deepEqual(by[SONNET], {
        key: SONNET, sessions: 4,
        prs: { opened: 3, merged: 1, merged_first_try: 0, closed: 1, open: 1 },
        merge_rate: { k: 1, n: 2, rate: 0.5, low: 0.0945, high: 0.9055 },
        first_try_merge_rate: { k: 0, n: 2, rate: 0, low: 0, high: 0.6576 },
        // Review-fix rounds 1, 2 and 0: a mean of 1.
        median_hours_to_merge: 6.5, review_fix_rounds_per_pr: 1,
        // hv-2 after a reopen, hv-3 after a release; hv-5 still in progress.
        beads: { worked: 3, ended: 2, first_try: 0 }, bead_first_try_close_rate: { k: 0, n: 2, rate: 0, low: 0, high: 0.6576 },
        // S3 + S4 + S7: 55k tokens and $0.55 over 1 merged PR.
        tokens: 55_000, cost: 0.55, tokens_per_merged_pr: 55_000, cost_per_merged_pr: 0.55,
      });
      const all = await gatherCompare(dir, filesHistory(dir), 'model');
      assert.deepEqual([all.groups.find((g) => g.key === OPUS)!.sessions, all.groups.find((g) => g.key === OPUS)!.prs.open], [4, 1], 'without --since: S0 and its unobserved #9');
      const harness = await gatherCompare(dir, filesHistory(dir), 'harness', { sinceMs: Date.parse('2026-03-01') });
      assert.deepEqual(harness.groups.map((g) => [g.key, g.sessions, g.prs.opened, g.prs.merged]), [['claude', 4, 3, 3], ['pi', 3, 3, 1]]);
      const role = await gatherCompare(dir, filesHistory(dir), 'role', { sinceMs: Date.parse('2026-03-01') });
      assert.deepEqual(role.groups.map((g) => [g.key, g.sessions, g.prs.opened]), [['polecat', 6, 5], ['crew', 1, 0]]);
    });

    test('the report shows the comparison: a bar per rate with its interval, per model', async () => {
      const { path, data } = await writeReport(dir, join(dir, 'report.html'));
      assert.deepEqual(data.compare!.groups.map((g) => g.key), [OPUS, SONNET], 'all time: 4 sessions each (S0 too), then by name');
      const html = await readFile(path, 'utf8');
      assert.match(html, /<svg class="chart" id="chart-compare"/);
      assert.match(html, /claude-opus-4, merge rate: 100% \(3 of 3\), 95% interval 44%-100%/);
      assert.match(html, /claude-sonnet-4, first-try merge rate: 0% \(0 of 2\), 95% interval 0%-66%/);
      assert.match(html, /claude-sonnet-4, bead first-try close rate: 0% \(0 of 2\)/);
      assert.equal((html.match(/class="interval"/g) ?? []).length, 6, 'three rates for each of two models');
    });

    test('harvest compare prints the same figures (table and --json)', async () => {
      const env = { HARVEST_OUT: dir, INFLUX_URL: '', HARVEST_LOG_LEVEL: 'silent' };
      const text = await runCli(['compare', '--by', 'model', '--data', dir, '--since', '2026-03-01'], env, 60_000);
      assert.equal(text.code, 0, text.stderr);
      process.stdout.write(`${text.stdout}`);
      const lines = text.stdout.trim().split('\n');
      assert.match(lines[0], /^sessions by model since 2026-03-01T00:00:00.000Z/);
      assert.match(lines[2], /^claude-sonnet-4 +4 +3 +1 +50% \[9-91\] \(2\) +0% \[0-66\] \(2\) +6\.5 +1\.00 +0% \[0-66\] \(2\) +55\.0k +\$0\.55$/);
      assert.match(lines[3], /^claude-opus-4 +3 +3 +3 +100% \[44-100\] \(3\) +33% \[6-79\] \(3\) +6\.0 +0\.33 +33% \[6-79\] \(3\) +20\.0k +-$/);
      const json = await runCli(['compare', '--by', 'model', '--data', dir, '--since', '2026-03-01', '--json'], env, 60_000);
      const r = JSON.parse(json.stdout) as { groups: CompareGroup[] };
      assert.deepEqual(r.groups.map((g) => [g.key, g.merge_rate.rate, g.first_try_merge_rate.rate, g.tokens_per_merged_pr]), [[SONNET, 0.5, 0, 55_000], [OPUS, 1, 0.3333, 20_000]]);
      const bad = await runCli(['compare', '--by', 'colour', '--data', dir], env, 60_000);
      assert.equal(bad.code, 2);
    });
  });
});
