// `npm run bench`: every benchmark, each printing its figures and its ratio against a baseline
// measured in the same run. Sections: BENCH_ONLY=sessions,github,events to pick.
import { benchSessions } from './sessions.ts';
import { benchGithub } from './github.ts';
import { benchEvents } from './events.ts';

const only = new Set((process.env.BENCH_ONLY ?? '').split(',').filter(Boolean));
const want = (name: string) => only.size === 0 || only.has(name);

const sections: [string, () => Promise<string[]>][] = [
  ['sessions', () => benchSessions({
    sessions: Number(process.env.BENCH_SESSIONS ?? 726),
    scales: (process.env.BENCH_SCALES ?? '1,5').split(',').map(Number),
    hugeMb: Number(process.env.BENCH_HUGE_MB ?? 1024),
  })],
  ['github', benchGithub],
  ['events', benchEvents],
];

for (const [name, run] of sections) {
  if (!want(name)) continue;
  console.log(`== ${name}`);
  try {
    for (const line of await run()) console.log(line);
  } catch (e) {
    console.log(`  failed: ${(e as Error).stack ?? e}`);
  }
}
process.exit(0);
