// The held-out style figure: of every token form harvest knows (test/support/fake-tokens.ts) and
// the context-bound credentials, how many a scrubber redacts in every context (`.env` line, JSON,
// YAML, shell export, command line, HTTP header, URL, prose). Pass another scrub module to compare
// versions: node --import tsx scripts/secret-coverage.ts [scrub module]
import { resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { FAKE_TOKENS, rng } from '../test/support/fake-tokens.ts';
import { CONTEXT_CASES, CONTEXTS } from '../test/support/secret-contexts.ts';

const modulePath = resolve(process.argv[2] ?? fileURLToPath(new URL('../src/transforms/scrub.ts', import.meta.url)));
const { scrubText } = (await import(pathToFileURL(modulePath).href)) as { scrubText: (t: string, c: Record<string, number>) => string };

const rows: { kind: string; form: string; issue: boolean; missed: string[] }[] = [];
FAKE_TOKENS.forEach((f, i) => {
  const token = f.make(rng(1000 + i));
  const missed = Object.entries(CONTEXTS)
    .filter(([ctx]) => !(f.kind === 'private_key' && (ctx === 'url' || ctx === 'command')))
    .filter(([, place]) => scrubText(place(token), {}).includes(token))
    .map(([ctx]) => ctx);
  rows.push({ kind: f.kind, form: f.form, issue: f.issue === true, missed });
});
for (const [kind, cases] of Object.entries(CONTEXT_CASES)) {
  const missed = cases.filter(([text, secret]) => secret !== '' && scrubText(text, {}).includes(secret)).map(([text]) => text.slice(0, 40));
  rows.push({ kind, form: 'in context', issue: ['basic_auth', 'auth_header', 'url_credentials'].includes(kind), missed });
}
const full = rows.filter((r) => r.missed.length === 0);
const issue = rows.filter((r) => r.issue);
console.log(JSON.stringify({
  forms: rows.length,
  redacted_in_every_context: full.length,
  issue_forms: issue.length,
  issue_forms_redacted_in_every_context: issue.filter((r) => r.missed.length === 0).length,
  missed: rows.filter((r) => r.missed.length).map((r) => `${r.kind} (${r.form}): ${r.missed.join(', ')}`),
}, null, 1));
