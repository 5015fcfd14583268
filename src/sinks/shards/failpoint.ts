// Named points where the fault tests kill this process (kill -9 of itself) to show that nothing is
// lost or doubled whatever step a crash interrupts: HARVEST_FAILPOINT=<name>:<n> dies at the n-th
// time `name` is reached. Unset (always, outside tests) it is one comparison.
const spec = /^([a-z-]+):(\d+)$/.exec(process.env.HARVEST_FAILPOINT ?? '');
let hits = 0;

export type FailpointName = 'after-data' | 'after-commit' | 'after-keep' | 'mid-seal';

export function failpoint(name: FailpointName): void {
  if (spec === null || spec[1] !== name) return;
  if (++hits === Number(spec[2])) process.kill(process.pid, 'SIGKILL');
}
