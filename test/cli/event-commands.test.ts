// The event commands register on a program as main.ts will wire them, beside the other exports.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Command } from 'commander';
import { registerRecordActionCommand } from '../../src/cli/record-action.ts';
import { registerRecordOutcomeCommand } from '../../src/cli/record-outcome.ts';
import { registerStatsCommand } from '../../src/cli/stats.ts';
import { registerExportCommand } from '../../src/cli/export.ts';
import { registerTrainingExportCommands } from '../../src/cli/export-training.ts';
import { parseSince } from '../../src/cli/history-options.ts';

test('commands register, and `export` is shared whichever registers first', () => {
  for (const first of ['events', 'training']) {
    const p = new Command('harvest');
    if (first === 'training') registerTrainingExportCommands(p);
    registerRecordActionCommand(p);
    registerRecordOutcomeCommand(p);
    registerStatsCommand(p);
    registerExportCommand(p);
    if (first === 'events') registerTrainingExportCommands(p);
    const names = p.commands.map((c) => c.name());
    assert.equal(names.filter((n) => n === 'export').length, 1);
    for (const n of ['record-action', 'record-outcome', 'stats']) assert.ok(names.includes(n), n);
    const sub = p.commands.find((c) => c.name() === 'export')!.commands.map((c) => c.name());
    for (const n of ['decisions', 'observations', 'dpo']) assert.ok(sub.includes(n), `${first}: ${sub.join(',')}`);
  }
});

test('--since takes durations and dates', () => {
  const now = Date.parse('2025-03-31T00:00:00Z');
  assert.equal(parseSince('30d', now), Date.parse('2025-03-01T00:00:00Z'));
  assert.equal(parseSince('12h', now), now - 12 * 3_600_000);
  assert.equal(parseSince('2025-01-31', now), Date.parse('2025-01-31'));
  assert.throws(() => parseSince('soon', now));
});
