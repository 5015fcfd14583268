// The spool loses nothing: appends racing with drains all reach the submitter (some twice, which
// the event ids absorb); lines that are not events are set aside, not retried forever.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, readdirSync, existsSync } from 'node:fs';
import { appendFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { appendToSpool, drainSpool, spoolPending } from '../../src/sinks/event-spool.ts';
import { appendSpool } from '../../extensions/pi/harvest-signals.ts';
import { eventInputSchema, toEventRecord, type EventRecord } from '../../src/model/event.ts';

const rec = (i: number): EventRecord =>
  toEventRecord(eventInputSchema.parse({ type: 'action_taken', repo: 'o/r', pr: 1, action: 'wait', key: `k${i}`, at: 1_700_000_000_000 + i }), 'cli');

test('appends racing with drains: every event reaches the submitter', async () => {
  const spool = join(mkdtempSync(join(tmpdir(), 'harvest-spool-')), 'spool', 'events.jsonl');
  const seen = new Set<string>();
  const submit = async (rs: EventRecord[]) => {
    for (const r of rs) seen.add(r.id);
  };
  const writers = Array.from({ length: 8 }, async (_, w) => {
    for (let i = 0; i < 40; i++) await appendToSpool(spool, [rec(w * 1000 + i)]);
  });
  let draining = true;
  const drainer = (async () => {
    while (draining) {
      await drainSpool(spool, submit);
      await new Promise((r) => setTimeout(r, 1));
    }
  })();
  try {
    await Promise.all(writers);
  } finally {
    // Stop draining even if a writer failed, or the loop would keep this test file alive.
    draining = false;
    await drainer;
  }
  await drainSpool(spool, submit);
  assert.equal(seen.size, 8 * 40);
  assert.equal(await spoolPending(spool), false);
});

test('an append that keeps losing to drains goes to a file of its own, which the next drain takes', async () => {
  const spool = join(mkdtempSync(join(tmpdir(), 'harvest-spool-')), 'spool', 'events.jsonl');
  await appendToSpool(spool, [rec(1)]);
  await appendToSpool(spool, [rec(2), rec(3)], { tries: 0 });
  const dir = join(spool, '..');
  const spilled = readdirSync(dir).filter((n) => n.startsWith('events.jsonl.claimed-spill-'));
  assert.equal(spilled.length, 1, readdirSync(dir).join(' '));
  assert.equal(readdirSync(dir).filter((n) => n.endsWith('.tmp')).length, 0, 'no temporary file left');
  assert.equal(await spoolPending(spool), true);
  const seen: string[] = [];
  const r = await drainSpool(spool, async (rs) => { for (const x of rs) seen.push(x.id); });
  assert.deepEqual(seen.sort(), [rec(1), rec(2), rec(3)].map((x) => x.id).sort());
  assert.equal(r.files, 2);
  assert.equal(await spoolPending(spool), false);
});

test("the pi extension's spilled lines are named so that harvest's drain takes them", async () => {
  const spool = join(mkdtempSync(join(tmpdir(), 'harvest-spool-')), 'events.jsonl');
  const signal = { type: 'tool_signal' as const, at: new Date(1_700_000_000_000).toISOString(), tool: 'bash', arg_keys: ['command'], key: 'pi:s1:c1' };
  await appendSpool(spool, [signal], 0);
  assert.equal(existsSync(spool), false);
  const seen: EventRecord[] = [];
  const r = await drainSpool(spool, async (rs) => { seen.push(...rs); });
  assert.equal(r.files, 1);
  assert.equal(seen.length, 1);
  assert.equal(seen[0].type, 'tool_signal');
  assert.equal(await spoolPending(spool), false);
});

test('a failed submit keeps the claimed file for the next drain; junk lines are set aside', async () => {
  const spool = join(mkdtempSync(join(tmpdir(), 'harvest-spool-')), 'events.jsonl');
  await appendToSpool(spool, [rec(1), rec(2)]);
  await appendFile(spool, 'not json\n{"type":"action_taken"}\n');
  await assert.rejects(drainSpool(spool, async () => { throw new Error('redis down'); }), /redis down/);
  assert.equal(existsSync(spool), false, 'claimed');
  assert.equal(await spoolPending(spool), true, 'the claimed file waits');
  const got: string[] = [];
  const r = await drainSpool(spool, async (rs) => void got.push(...rs.map((x) => x.id)));
  assert.deepEqual(got, [rec(1).id, rec(2).id]);
  assert.equal(r.rejected, 2);
  assert.equal(readFileSync(`${spool}.rejected`, 'utf8').split('\n').filter(Boolean).length, 2);
  assert.equal(await spoolPending(spool), false);
});
