// A pi sessions folder whose every file gives the reader something to warn about: a line that is
// not JSON in each session, and every tenth file with no conversation at all. For the tests of
// how warnings are shown while a run goes (aggregated, above the progress bars) and listed after.
import { assistant, header, toolResult, user, writeLines } from '../sources/pi/session-files.ts';

export interface WarningCorpus {
  files: number;
  /** Files with a malformed line (kind "N line(s) skipped (malformed_json)"). */
  malformed: number;
  /** Files with no turns (kind "no conversation turns; nothing to emit"). */
  empty: number;
}

export function writeWarningCorpus(root: string, sessions: number, turns = 6): WarningCorpus {
  let malformed = 0;
  let empty = 0;
  for (let s = 0; s < sessions; s++) {
    const id = `w${String(s).padStart(4, '0')}`;
    const rel = `--home-ubuntu-gt-harvest-polecats-p${s % 5}--/2026-02-01T10-00-00.000Z_${id}.jsonl`;
    const lines: unknown[] = [header({ id, cwd: `/home/ubuntu/gt/harvest/polecats/p${s % 5}` })];
    if (s % 10 === 9) {
      empty++;
      writeLines(root, rel, lines);
      continue;
    }
    let parent = 'h';
    lines.push(user('u0', null, `Session ${s}: make the parser of module m${s} accept trailing commas, and keep the other tests green.`));
    parent = 'u0';
    for (let t = 0; t < turns; t++) {
      lines.push(assistant(`a${t}`, parent, `Step ${t} of session ${s}: reading src/m${s}/part${t}.ts for value ${s * 7 + t}.`, [{ id: `c${t}`, name: 'bash', arguments: { command: `grep -n v${t} src/m${s}/part${t}.ts` } }]));
      lines.push(toolResult(`r${t}`, `a${t}`, `c${t}`, `${t}: const v${t} = parse(${s}, ${t});`));
      parent = `r${t}`;
      if (t === 2) lines.push('{"type": "message", this line is cut');
    }
    lines.push(assistant('done', parent, `Session ${s} done: trailing commas parse and all tests pass.`));
    malformed++;
    writeLines(root, rel, lines);
  }
  return { files: sessions, malformed, empty };
}
