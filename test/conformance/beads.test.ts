// The real beads export in the shared corpus (../shared/corpus/beads, never copied here): every
// line read, the counts match (1142 issues, 2303 events), a lifecycle for every issue.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readBeadsExport } from '../../src/sources/beads/read.ts';
import { discoverBeadsExports } from '../../src/sources/beads/discover.ts';
import { buildLifecycle, typicalDurations } from '../../src/transforms/bead-lifecycle.ts';
import { outcomeScore } from '../../src/transforms/outcome-score.ts';
import { roleOfAgent } from '../../src/transforms/gastown-agent.ts';

const corpus = fileURLToPath(new URL('../../../shared/corpus/beads', import.meta.url));
const skip = existsSync(corpus) ? false : `no shared corpus at ${corpus}`;
const ISSUES = join(corpus, 'lora-forge-issues.jsonl');
const EVENTS = join(corpus, 'lora-forge-events.jsonl');
const lines = (p: string) => readFileSync(p, 'utf8').split('\n').filter((l) => l.trim() !== '').length;

test('lora-forge export: all 1142 issues and 2303 events read, a lifecycle for each issue', { skip }, async () => {
  const found = await discoverBeadsExports(corpus);
  assert.equal(found.length, 1);
  assert.equal(found[0].source, 'lora-forge');
  const ex = await readBeadsExport(found[0]);
  assert.equal(lines(ISSUES), 1142);
  assert.equal(lines(EVENTS), 2303);
  assert.equal(ex.counts.issue_lines, 1142);
  assert.equal(ex.counts.issues, 1142);
  assert.equal(ex.counts.event_lines, 2303);
  assert.equal(ex.counts.events, 2303);
  assert.equal(ex.counts.events_orphan ?? 0, 0);
  for (const k of ['issue_malformed_json', 'event_malformed_json', 'issue_unknown_fields', 'issue_unknown_status', 'event_unknown_type', 'event_value_not_json']) {
    assert.equal(ex.counts[k] ?? 0, 0, k);
  }
  const perIssue = [...ex.events.values()].reduce((a, l) => a + l.length, 0);
  assert.equal(perIssue, 2303, 'every event lands on its bead');
  // This export stamps events in local time (UTC+11) and issues in UTC.
  assert.equal(ex.skew.skewMs, 11 * 3600_000);

  const lcs = [...ex.issues.values()].map((i) => buildLifecycle(i, ex.events.get(i.id) ?? [], { source: 'lora-forge' }));
  assert.equal(lcs.length, 1142);
  const by = (o: string) => lcs.filter((l) => l.outcome === o).length;
  const statuses = new Map<string, number>();
  for (const l of lcs) statuses.set(l.status, (statuses.get(l.status) ?? 0) + 1);
  assert.deepEqual(Object.fromEntries(statuses), { closed: 181, completed: 74, open: 878, pinned: 9 });
  const done = lcs.filter((l) => l.status === 'closed' || l.status === 'completed');
  assert.ok(done.every((l) => l.close_count >= 1 && l.closed_at !== null), 'every closed bead has a close');
  assert.equal(lcs.reduce((a, l) => a + l.reopen_count, 0) >= 9, true, 'the 9 reopened events are counted');
  assert.ok(by('first_try') > 200);
  assert.ok(by('closed_after_reopen') + by('reopened') >= 5);
  // Claims: 79 moves into in_progress/hooked in the log.
  assert.ok(lcs.filter((l) => l.claimed_at !== null).length >= 60);
  // After the skew correction, no claim comes after its close.
  for (const l of lcs) if (l.claim_to_close_ms !== null) assert.ok(l.claim_to_close_ms >= 0, l.id);
  const lf4u0c = lcs.find((l) => l.id === 'lf-4u0c')!;
  assert.equal(lf4u0c.reopen_count, 1);
  assert.equal(lf4u0c.claimed_by, 'lora_forge/polecats/furiosa');
  assert.deepEqual(lf4u0c.attempts.map((a) => a.end), ['reopened', 'closed']);
  const durations = typicalDurations(lcs);
  assert.ok(durations.polecat > 0, 'a typical polecat duration comes out of the data');

  // Outcome scores at bead level: reopened work scores lower on average than first-try closes.
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  const score = (o: string[]) => lcs.filter((l) => o.includes(l.outcome))
    .map((l) => outcomeScore(l, null, roleOfAgent(l.claimed_by ?? l.assignee) ?? 'unknown', { typicalMs: durations[roleOfAgent(l.claimed_by ?? l.assignee) ?? ''] }))
    .filter((s) => s !== null).map((s) => s!.score);
  assert.ok(mean(score(['reopened', 'closed_after_reopen'])) < mean(score(['first_try'])));
});
