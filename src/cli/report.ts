// `harvest report --out DIR [--html FILE] [--json]`: a self-contained HTML page about the dataset in
// DIR (samples per role and source, score histograms, sizes, tool-call and error rates, bead
// outcomes, preference pairs, what was dropped and why), written to DIR/report.html.
import { resolve, join } from 'node:path';
import type { Command } from 'commander';
import { loadConfig, processPrivacy } from '../config.ts';
import { gatherReport, type ReportData } from '../pipeline/dataset-report.ts';
import { writeFileAtomic } from '../sinks/shards/shard-files.ts';
import { renderReportHtml } from '../sinks/report/html.ts';
import { scrubDeep } from '../transforms/scrub.ts';
import { requireDataset } from './dataset-dir.ts';

export async function writeReport(dataDir: string, htmlPath = join(dataDir, 'report.html')): Promise<{ path: string; data: ReportData }> {
  // The report names folders and counts; under HARVEST_PRIVACY=publish its paths lose their user too.
  const data = scrubDeep(await gatherReport(dataDir), {}, processPrivacy());
  await writeFileAtomic(htmlPath, renderReportHtml(data));
  return { path: htmlPath, data };
}

export function registerReportCommand(program: Command): Command {
  return program
    .command('report')
    .description('write a self-contained HTML report of a dataset folder (DIR/report.html)')
    .option('--out <dir>', 'dataset folder (HARVEST_OUT, default ./data)')
    .option('--html <file>', 'where to write the page (default DIR/report.html)')
    .option('--json', 'print the report numbers as JSON')
    .action(async (o: { out?: string; html?: string; json?: boolean }) => {
      const dir = o.out ? resolve(o.out) : loadConfig(process.env).outDir;
      requireDataset(dir, o.out ? '--out ' : 'the default dataset folder (HARVEST_OUT) ');
      const r = await writeReport(dir, o.html ? resolve(o.html) : undefined);
      if (o.json) process.stdout.write(JSON.stringify({ path: r.path, ...r.data }) + '\n');
      else {
        const linked = Object.values(r.data.linkedSamples).reduce((a, b) => a + b, 0);
        process.stdout.write(`wrote ${r.path}: ${r.data.samples} samples from ${r.data.sessions} sessions, ${linked} linked to ${r.data.linkedBeads} beads, ${r.data.runFiles.length} run files\n`);
      }
    });
}
