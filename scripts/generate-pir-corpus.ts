// Writes a synthetic pir session tree (or one huge session) for tests and benchmarks.
//   node --import tsx scripts/generate-pir-corpus.ts --out DIR [--sessions 726] [--seed 1] [--scale 1] [--small]
//   node --import tsx scripts/generate-pir-corpus.ts --out DIR --huge-mb 1024 [--seed 1]
//   node --import tsx scripts/generate-pir-corpus.ts --index-for DIR [--relative] [--no-wal] [--unlisted NAME] [--missing-row PATH]
// (--index-for rebuilds session-index.sqlite for a tree on disk: how fixtures/pi/sessions got its index)
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { basename } from 'node:path';
import {
  generateHugePirSession,
  generatePirCorpus,
  indexExistingTree,
  type PirCorpusOptions,
  type PirCorpusResult,
} from './pir-corpus.ts';

export { generatePirCorpus, generateHugePirSession, indexExistingTree };
export type { PirCorpusOptions, PirCorpusResult };

const USAGE = `usage:
  generate-pir-corpus --out DIR [--sessions N=726] [--seed S=1] [--scale X=1] [--small] [--no-index]
  generate-pir-corpus --out DIR --huge-mb MB [--seed S=1]
  generate-pir-corpus --index-for DIR [--relative] [--no-wal] [--unlisted NAME]... [--missing-row PATH]...`;

function mib(n: number): string {
  return `${(n / 1024 / 1024).toFixed(1)} MiB`;
}

export async function main(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      out: { type: 'string' },
      sessions: { type: 'string', default: '726' },
      seed: { type: 'string', default: '1' },
      scale: { type: 'string', default: '1' },
      small: { type: 'boolean', default: false },
      'no-index': { type: 'boolean', default: false },
      'huge-mb': { type: 'string' },
      'index-for': { type: 'string' },
      relative: { type: 'boolean', default: false },
      'no-wal': { type: 'boolean', default: false },
      unlisted: { type: 'string', multiple: true, default: [] },
      'missing-row': { type: 'string', multiple: true, default: [] },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  const seed = Number(values.seed);
  if (values['index-for']) {
    const leaveOut = new Set(values.unlisted);
    const { indexPath, rows } = await indexExistingTree(values['index-for'], {
      relative: values.relative,
      wal: !values['no-wal'],
      exclude: (p) => leaveOut.has(basename(p)),
      missingRows: values['missing-row'],
    });
    console.log(`${indexPath}: ${rows.length} rows`);
    return 0;
  }
  if (!values.out || !Number.isFinite(seed)) {
    console.error(USAGE);
    return 2;
  }
  if (values['huge-mb']) {
    const mb = Number(values['huge-mb']);
    if (!(mb > 0)) {
      console.error('--huge-mb wants a positive number');
      return 2;
    }
    const t0 = Date.now();
    const r = generateHugePirSession({ out: values.out, mb, seed });
    console.log(`${r.path}: ${mib(r.bytes)}, ${r.assistantMessages} assistant messages, ${r.hugeOutputs} outputs of 1-6 MiB (${((Date.now() - t0) / 1000).toFixed(1)} s)`);
    return 0;
  }
  const sessions = Number(values.sessions);
  const scale = Number(values.scale);
  if (!Number.isInteger(sessions) || sessions < 1 || !(scale > 0)) {
    console.error('--sessions wants a positive integer, --scale a positive number');
    return 2;
  }
  const t0 = Date.now();
  const r = await generatePirCorpus({ out: values.out, sessions, seed, scale, small: values.small, index: !values['no-index'] });
  const longest = Math.max(...r.sessions.map((s) => s.assistantMessages));
  const sum = (f: (s: PirCorpusResult['sessions'][number]) => number) => r.sessions.reduce((a, s) => a + f(s), 0);
  console.log(
    `${r.root}: ${r.sessions.length} sessions, ${mib(r.bytes)} of JSONL + ${mib(r.blobBytes)} of blobs ` +
      `(${((Date.now() - t0) / 1000).toFixed(1)} s)\n` +
      `  assistant messages ${sum((s) => s.assistantMessages)} (longest ${longest}), tool calls ${sum((s) => s.toolCalls)}, ` +
      `branches ${sum((s) => s.branches)}, compactions ${sum((s) => s.compactions)}, blobs ${sum((s) => s.blobs)} ` +
      `(${sum((s) => s.blobsMissing)} missing), secrets ${sum((s) => s.secrets)}\n` +
      `  index ${r.indexPath ?? '(none)'}: ${r.unlisted.length} files unlisted, ${r.missingRows.length} rows for missing files`,
  );
  return 0;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (err: unknown) => {
      console.error(err instanceof Error ? err.stack : err);
      process.exit(1);
    },
  );
}
