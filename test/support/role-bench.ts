// How lora-forge's role benchmark (eval/role_bench.py, `_behavior_to_pattern` and `score_response`)
// matches an expected behavior against a model's answer, restated for the tests of the scenarios
// harvest writes for it: a known command's phrase looks for the command, any other phrase for its
// first three words in order, case-insensitively.
const KNOWN: Record<string, string> = {
  'runs gt hook': 'gt hook', 'runs gt mail inbox': 'gt mail inbox', 'runs gt mail read': 'gt mail read', 'runs gt prime': 'gt prime',
  'runs bd create': 'bd create', 'runs bd close': 'bd close', 'runs git status': 'git status', 'runs git commit': 'git commit',
  'runs git push': 'git push', 'checks hook': 'gt hook', 'checks mail': 'gt mail',
};

const escape = (s: string): string => s.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&');

export function behaviorPattern(behavior: string): RegExp {
  for (const [key, pattern] of Object.entries(KNOWN)) if (behavior.toLowerCase().includes(key)) return new RegExp(pattern, 'is');
  return new RegExp(behavior.toLowerCase().split(/\s+/).slice(0, 3).map(escape).join('.*'), 'is');
}

/** The share of `behaviors` an answer shows. */
export function benchScore(answer: string, behaviors: string[]): number {
  return behaviors.filter((b) => behaviorPattern(b).test(answer)).length / Math.max(1, behaviors.length);
}
