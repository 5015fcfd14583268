// The beads reader over the bundled export (fixtures/beads/harvest/.beads): what it reads, what it
// counts as bad input, and that nothing bad is fatal.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readBeadsExport, dispatchHeader, parseEvent, parseIssue } from '../../../src/sources/beads/read.ts';
import { discoverBeadsExports } from '../../../src/sources/beads/discover.ts';

const FIX = fileURLToPath(new URL('../../../fixtures/beads', import.meta.url));
const ISSUES = join(FIX, 'harvest/.beads/issues.jsonl');
const EVENTS = join(FIX, 'harvest/.beads/events.jsonl');

test('the bundled export: every line read, bad input counted, never fatal', async () => {
  const ex = await readBeadsExport({ issuesPath: ISSUES, eventsPath: EVENTS });
  assert.equal(ex.counts.issue_lines, 15);
  assert.equal(ex.counts.issue_malformed_json, 1);
  assert.equal(ex.counts.issues, 14);
  assert.equal(ex.counts.issue_unknown_fields, 1);
  assert.equal(ex.counts.issue_unknown_status, 1);
  assert.deepEqual(ex.unknown, { fields: ['frobnicate'], statuses: ['triaged'], eventTypes: ['teleported'] });
  assert.equal(ex.counts.event_lines, 49);
  assert.equal(ex.counts.event_malformed_json, 1);
  assert.equal(ex.counts.events, 48);
  assert.equal(ex.counts.events_orphan, 1, 'the event for hv-zz9, a bead not in the issue file');
  assert.equal(ex.counts.event_value_not_json, 1);
  assert.equal(ex.counts.event_unknown_type, 1);
  assert.equal(ex.skew.skewMs, 0, 'the fixture stamps events in UTC');
  const a1 = ex.issues.get('hv-a1')!;
  assert.equal(a1.molecule, 'hv-wisp-m1');
  assert.equal(a1.dispatchedBy, 'mayor');
  assert.deepEqual(a1.labels, ['influx']);
  assert.deepEqual(ex.issues.get('hv-e5')!.dependencies, [{ from: 'hv-e5', to: 'hv-a1', type: 'supersedes' }]);
  const b2 = ex.events.get('hv-b2')!;
  assert.deepEqual(b2.map((e) => e.type), ['created', 'status_changed', 'closed', 'reopened', 'commented', 'status_changed', 'closed']);
  assert.equal(b2[1].statusFrom, 'open');
  assert.equal(b2[1].statusTo, 'hooked');
  assert.equal(b2[1].assigneeTo, 'harvest/polecats/furiosa');
  assert.equal(b2[2].reason, 'Closed', 'a plain-text close value is the reason');
});

test('event values: snapshots, patches, plain reasons, and text that is not JSON', () => {
  const counts = {};
  const e = parseEvent({ issue_id: 'x-1', event_type: 'updated', actor: 'a', created_at: '2026-01-01T00:00:00Z', old_value: '{"status":"open"', new_value: '{"hook_bead":"x-2"}' }, 1, counts);
  assert.equal(e?.hookBead, 'x-2');
  assert.equal(e?.statusFrom, undefined);
  assert.deepEqual(counts, { event_value_not_json: 1 });
  const c = parseEvent({ issue_id: 'x-1', event_type: 'closed', created_at: 'yesterday', old_value: '', new_value: 'done' }, 2, counts);
  assert.equal(c?.statusTo, 'closed');
  assert.equal(c?.reason, 'done');
  assert.equal(c?.at, null);
  assert.equal((counts as Record<string, number>).event_bad_time, 1);
  assert.equal(parseEvent('not an object', 3, counts), null);
  assert.equal(parseEvent({ event_type: 'created' }, 4, counts), null);
});

test('issues without an id are counted and skipped; a missing status reads as open', () => {
  const counts: Record<string, number> = {};
  assert.equal(parseIssue({ title: 'x' }, 1, counts), null);
  const i = parseIssue({ id: 'x-1', labels: [{ label: 'a' }, 'b'], dependencies: [{ depends_on_id: 'x-2', type: 'blocks' }] }, 2, counts);
  assert.equal(i?.status, 'open');
  assert.deepEqual(i?.labels, ['a', 'b']);
  assert.deepEqual(i?.dependencies, [{ from: 'x-1', to: 'x-2', type: 'blocks' }]);
  assert.equal(counts.issues_without_id, 1);
  assert.equal(counts.issues_without_status, 1);
});

test('dispatch headers: the key: value lines that open a description', () => {
  assert.deepEqual(dispatchHeader('attached_molecule: lf-wisp-x\nattached_at: 2026-01-01T00:00:00Z\ndispatched_by: mayor\n\nBody: not a header'), {
    attached_molecule: 'lf-wisp-x', attached_at: '2026-01-01T00:00:00Z', dispatched_by: 'mayor',
  });
  assert.deepEqual(dispatchHeader('Fix the thing.\nowner: me'), {});
  assert.deepEqual(dispatchHeader(null), {});
});

test('discovery: .beads/issues.jsonl with its events, <name>-issues.jsonl, an issues file itself', async () => {
  const found = await discoverBeadsExports(FIX);
  assert.deepEqual(found.map((f) => [f.source, f.issuesPath.endsWith('issues.jsonl'), f.eventsPath !== null]), [['harvest', true, true]]);
  const dir = mkdtempSync(join(tmpdir(), 'beads-disc-'));
  writeFileSync(join(dir, 'lora-forge-issues.jsonl'), '{"id":"lf-1","status":"open"}\n');
  writeFileSync(join(dir, 'lora-forge-events.jsonl'), '');
  mkdirSync(join(dir, 'rig/.beads/backup'), { recursive: true });
  writeFileSync(join(dir, 'rig/.beads/issues.jsonl'), '{"id":"r-1"}\n');
  writeFileSync(join(dir, 'rig/.beads/backup/issues.jsonl'), '{"id":"r-1"}\n');
  const all = await discoverBeadsExports(dir);
  assert.deepEqual(all.map((f) => f.source).sort(), ['lora-forge', 'rig'], 'the backup copy beside .beads/issues.jsonl is the same data');
  const one = await discoverBeadsExports(join(dir, 'lora-forge-issues.jsonl'));
  assert.equal(one[0].source, 'lora-forge');
  assert.ok(one[0].eventsPath?.endsWith('lora-forge-events.jsonl'));
});
