/**
 * The scrubber's first question of every text: could any rule match here? Literal prefixes of all
 * rules go into one case-sensitive trie anchored at the start of a word, and their words into one
 * case-insensitive trie: the engine then tests one character a position, where an alternation of
 * fifty literals would try each. At each place a trie finds, the rules whose own literal starts
 * there (and whose confirm matches) are marked; the search steps on by one, since literals overlap
 * (`://x:ghp_...@` holds a token's prefix).
 */
import type { SecretRule } from './rule.ts';

const escape = (s: string): string => s.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&');

interface TrieNode {
  [ch: string]: TrieNode | boolean | undefined;
}

/** A pattern matching any of `words`, shaped as a trie so the engine tests one character at a time. */
export function triePattern(words: readonly string[]): string {
  const root: TrieNode = {};
  for (const w of words) {
    let n = root;
    for (const c of w) n = (n[c] as TrieNode | undefined) ?? (n[c] = {});
    n[''] = true;
  }
  const emit = (n: TrieNode): string => {
    const keys = Object.keys(n).filter((k) => k !== '');
    if (keys.length === 0) return '';
    const alts = keys.map((k) => escape(k) + emit(n[k] as TrieNode));
    const body = alts.length === 1 ? alts[0] : `(?:${alts.join('|')})`;
    // A word that ends here: what follows is optional (the longest literal wins, which is enough).
    return n[''] ? `(?:${body})?` : body;
  };
  return emit(root);
}

export type Prefilter = (text: string) => boolean[] | null;

interface Watch {
  rule: number;
  literals: readonly string[];
  /** Words match in any case; prefixes exactly. */
  anyCase: boolean;
  confirm?: RegExp;
}

/**
 * Marks in `hit` the rules one of whose literals starts at `at`. `longest` is the longest literal
 * found there, so every other literal found there is a prefix of it.
 */
function mark(text: string, at: number, longest: string, watches: Watch[], hit: boolean[]): void {
  const lower = longest.toLowerCase();
  const wordStart = at === 0 || !/\w/.test(text[at - 1]);
  for (const w of watches) {
    if (hit[w.rule]) continue;
    if (!w.anyCase && !wordStart) continue;
    const seen = w.literals.some((l) => (w.anyCase ? lower : longest).startsWith(l));
    if (!seen) continue;
    if (w.confirm) {
      w.confirm.lastIndex = at;
      if (!w.confirm.test(text)) continue;
    }
    hit[w.rule] = true;
  }
}

export function buildPrefilter(rules: readonly SecretRule[]): Prefilter {
  const prefixWatches: Watch[] = [];
  const wordWatches: Watch[] = [];
  rules.forEach((r, rule) => {
    const confirm = r.confirm ? new RegExp(r.confirm.source, 'iy') : undefined;
    if (r.prefixes?.length) prefixWatches.push({ rule, literals: r.prefixes, anyCase: false });
    if (r.words?.length) wordWatches.push({ rule, literals: r.words, anyCase: true, confirm });
    if (!r.prefixes?.length && !r.words?.length) throw new Error(`secret rule ${r.kind} has no prefix or word for the prefilter`);
  });
  const scans = [
    { re: new RegExp(`\\b${triePattern(prefixWatches.flatMap((w) => w.literals))}`, 'g'), watches: prefixWatches },
    { re: new RegExp(triePattern(wordWatches.flatMap((w) => w.literals)), 'gi'), watches: wordWatches },
  ];

  return (text) => {
    let hit: boolean[] | null = null;
    for (const { re, watches } of scans) {
      re.lastIndex = 0;
      for (let m = re.exec(text); m !== null; m = re.exec(text)) {
        hit ??= new Array<boolean>(rules.length).fill(false);
        mark(text, m.index, m[0], watches, hit);
        re.lastIndex = m.index + 1;
      }
    }
    return hit;
  };
}
