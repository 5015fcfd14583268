// `harvest scan PATH... [--json]`: the check to run before publishing. Scans dataset folders, export
// files or raw session folders; prints findings by kind with file:line, never the values; exit 1
// when anything is found, 2 for a path that does not exist.
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { loadConfig, loadPrivacy } from '../config.ts';
import { scanPaths, ScanPathError, type ScanResult } from '../pipeline/secret-scan.ts';
import { UserError } from '../user-error.ts';

const PLACES_SHOWN = 20;

export function formatScan(r: ScanResult): string {
  const out: string[] = [];
  const byKind = new Map<string, string[]>();
  for (const f of r.findings) {
    const places = byKind.get(f.kind) ?? [];
    places.push(`${f.file}:${f.line}${f.count > 1 ? ` (x${f.count})` : ''}`);
    byKind.set(f.kind, places);
  }
  for (const [kind, places] of byKind) {
    out.push(`${kind}: ${r.kinds[kind]}`);
    for (const p of places.slice(0, PLACES_SHOWN)) out.push(`  ${p}`);
    if (places.length > PLACES_SHOWN) out.push(`  ... and ${places.length - PLACES_SHOWN} more lines (--json lists all)`);
  }
  const total = Object.values(r.kinds).reduce((a, b) => a + b, 0);
  const skipped = r.skipped.length ? `, ${r.skipped.length} binary files skipped` : '';
  out.push(
    total === 0
      ? `no secrets found in ${r.files} files (${r.lines} lines${skipped})`
      : `${total} findings of ${byKind.size} kinds in ${new Set(r.findings.map((f) => f.file)).size} of ${r.files} files (${r.lines} lines${skipped})`,
  );
  return out.join('\n');
}

export function registerScanCommand(program: Command): void {
  program
    .command('scan')
    .argument('<paths...>', 'dataset folders, export files or raw session folders')
    .description('find secrets and personal data left in files before publishing them; exit 1 when anything is found')
    .option('--json', 'print the result as one JSON object (findings with kind, file, line; never values)')
    .option('--privacy <mode>', 'what counts beyond secrets: default, publish (every layer), or layers (HARVEST_PRIVACY)')
    .option('--no-secretlint', "skip secretlint's recommended preset (the second judge)")
    .action(async (paths: string[], o: { json?: boolean; privacy?: string; secretlint: boolean }) => {
      const privacy = o.privacy ? loadPrivacy(process.env, o.privacy) : loadConfig().privacy;
      let r: ScanResult;
      try {
        r = await scanPaths(paths.map((p) => resolve(p)), { privacy, secretlint: o.secretlint, base: process.cwd() });
      } catch (e) {
        if (e instanceof ScanPathError) throw new UserError(e.message, 2, 'give dataset folders, export files or session folders that exist');
        throw e;
      }
      process.stdout.write((o.json ? JSON.stringify(r) : formatScan(r)) + '\n');
      if (r.findings.length > 0) process.exitCode = 1;
    });
}
