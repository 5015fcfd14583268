// One test per rule case: a good line, mutated, must break the named rule.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { RuleBreak } from '../../src/exports/rules.ts';

export type Line = Record<string, any>;
export type RuleCase = [rule: string, mutate: (l: Line) => void];

export function ruleCases(label: string, good: () => Line, check: (l: Line) => RuleBreak[], cases: RuleCase[]): void {
  for (const [i, [rule, mutate]] of cases.entries()) {
    test(`${label}: ${rule} fails (case ${i})`, () => {
      const l = structuredClone(good());
      mutate(l);
      const got = check(l).map((b) => b.rule);
      assert.ok(got.includes(rule), `${rule} not in ${got.join(', ')}`);
    });
  }
}
