// Outcome-linked quality end to end against the real Redis: the beads export through the `beads`
// queue and worker (lifecycles in Redis, shards, bead_outcome points, a run file), the fixture
// sessions linked through RedisBeadLookup into a dataset, then `export dpo`, `export sharegpt`
// and the report, which a headless Chromium opens.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Redis } from 'ioredis';
import { Queue } from 'bullmq';
import { chromium } from 'playwright-core';
import { loadConfig, type HarvestConfig } from '../../src/config.ts';
import { beadsIngest } from '../../src/cli/beads.ts';
import { exportDpo } from '../../src/cli/export-training.ts';
import { writeReport } from '../../src/cli/report.ts';
import { exportShareGpt } from '../../src/pipeline/sharegpt-export.ts';
import { sessionToSamples } from '../../src/pipeline/session-samples.ts';
import { attachSessionOutcomes } from '../../src/pipeline/session-outcomes.ts';
import { BeadStore, RedisBeadLookup } from '../../src/state/bead-store.ts';
import { ShardWriter } from '../../src/sinks/shards/shard-writer.ts';
import { readDataset } from '../../src/sinks/shards/dataset-reader.ts';
import { sampleProblems } from '../../src/model/sample-rules.ts';
import { sampleContentHash } from '../../src/transforms/dedupe.ts';
import { readClaudeSession } from '../../src/sources/claude/read.ts';
import { readPiSession } from '../../src/sources/pi/read.ts';
import { BEADS_QUEUE, beadsQueue } from '../../queues/beads.ts';
import { REDIS_URL, uniquePrefix, dropPrefix } from '../support/redis.ts';
import { startCli, waitExit } from '../support/harvest-cli.ts';
import { BEADS_DIR, SESSION_ROOTS, TOWN_ROOT, SESSION_IDS, sessionFiles } from '../support/beads-fixtures.ts';
import { discoverBeadsExports } from '../../src/sources/beads/discover.ts';

const prefixes: string[] = [];
let out = '';
let cfg: HarvestConfig;
let redis: Redis;

function config(prefix: string, outDir: string): HarvestConfig {
  return loadConfig({ ...process.env, REDIS_URL, HARVEST_PREFIX: prefix, HARVEST_OUT: outDir, HARVEST_TOWN_ROOT: TOWN_ROOT, HARVEST_LOG_LEVEL: 'silent' });
}

/** What the session-file pipeline does once wired: read, samples, outcomes from Redis, shards. */
async function buildSamples(c: HarvestConfig, r: Redis): Promise<number> {
  const lookup = new RedisBeadLookup(r, c.prefix);
  const writer = new ShardWriter({ root: join(c.outDir, 'samples'), workerId: 'test', maxBytes: c.shardMaxBytes });
  let n = 0;
  const files = [
    ...SESSION_ROOTS.claude.flatMap((d) => sessionFiles(d).map((f) => ({ f, pi: false }))),
    ...SESSION_ROOTS.pi.flatMap((d) => sessionFiles(d).map((f) => ({ f, pi: true }))),
  ];
  for (const { f, pi } of files) {
    const read = pi ? await readPiSession(f, { runtime: 'pi' }) : await readClaudeSession(f, { runtime: 'claude-code' });
    if (!read.session) continue;
    const s = sessionToSamples(read.session, { townRoot: TOWN_ROOT, version: 1, valPercent: 20 });
    const linked = await attachSessionOutcomes(read.session, s.samples, lookup, { townRoot: TOWN_ROOT });
    for (const sample of linked.samples) {
      const h = sampleContentHash(sample);
      await writer.append(`${sample.metadata.split}/${sample.metadata.role}`, [{ json: JSON.stringify(sample), entry: { recordId: sample.metadata.record_id, version: 1, gptHash: sample.metadata.gpt_hash, sampleHash: h } }]);
      n++;
    }
  }
  await writer.sealAll();
  return n;
}

before(async () => {
  const prefix = uniquePrefix('beads');
  prefixes.push(prefix);
  out = mkdtempSync(join(tmpdir(), 'harvest-beads-'));
  cfg = config(prefix, out);
  redis = new Redis(REDIS_URL);
});

after(async () => {
  redis?.disconnect();
  for (const p of prefixes) await dropPrefix(p);
});

test('beads ingest --inline: lifecycles in Redis, shards, points, a run file; an unchanged export is not redone', async () => {
  const s = await beadsIngest(cfg, BEADS_DIR, { inline: true });
  assert.equal(s.enqueued, 1);
  assert.equal(s.counts.exports, 1);
  assert.equal(s.counts.issues, 14);
  assert.equal(s.counts.events, 48);
  assert.equal(s.counts.lifecycles, 14);
  assert.equal(s.counts.beads_written, 14);
  assert.equal(s.counts.events_orphan, 1);
  assert.equal(s.counts.issue_unknown_status, 1);

  const store = new BeadStore(redis, cfg.prefix);
  assert.equal(await store.count(), 14);
  const b2 = (await store.get(['hv-b2'])).get('hv-b2')!;
  assert.equal(b2.reopen_count, 1);
  assert.equal(b2.outcome, 'closed_after_reopen');
  assert.ok((await store.roleDurations()).polecat > 0);

  const recs = [];
  for await (const r of readDataset(join(out, 'beads'))) recs.push(r);
  assert.equal(recs.length, 14);
  assert.equal(recs[0].group, 'harvest');
  const points = readdirSync(join(out, 'points')).filter((f) => f.endsWith('.lp'));
  const lp = points.map((f) => readFileSync(join(out, 'points', f), 'utf8')).join('');
  assert.equal(lp.split('\n').filter((l) => l.startsWith('bead_outcome,')).length, 14, 'a point per bead');
  assert.match(lp, /bead_outcome,issue_type=bug,outcome=closed_after_reopen,role=polecat,source=harvest,status=closed [^\n]*bead_id="hv-b2"[^\n]*reopen_count=1i/);
  const run = JSON.parse(readFileSync(join(out, 'runs', 'beads-harvest.json'), 'utf8'));
  assert.deepEqual(run.unknown.statuses, ['triaged']);

  const again = await beadsIngest(cfg, BEADS_DIR, { inline: true });
  assert.equal(again.enqueued, 0);
  assert.equal(again.unchanged, 1);
  const forced = await beadsIngest(cfg, BEADS_DIR, { inline: true, force: true });
  assert.equal(forced.enqueued, 1);
  assert.equal(forced.counts.beads_same, 14, 'redone: every lifecycle is the same, nothing rewritten');
  assert.equal(forced.counts.beads_written ?? 0, 0);
});

const corpus = fileURLToPath(new URL('../../../shared/corpus/beads', import.meta.url));

test('the real lora-forge export through the queue: 1142 lifecycles stored, 2303 events read', { skip: existsSync(corpus) ? false : `no shared corpus at ${corpus}` }, async () => {
  const prefix = uniquePrefix('beadsc');
  prefixes.push(prefix);
  const o = mkdtempSync(join(tmpdir(), 'harvest-beadsc-'));
  const s = await beadsIngest(config(prefix, o), corpus, { inline: true });
  assert.equal(s.counts.issues, 1142);
  assert.equal(s.counts.events, 2303);
  assert.equal(s.counts.lifecycles, 1142);
  assert.equal(s.counts.beads_written, 1142);
  assert.equal(s.counts.event_clock_skew_minutes, 660);
  assert.equal(await new BeadStore(redis, prefix).count(), 1142);
});

test('a separate `harvest worker --queues beads` serves the beads queue (registry wiring)', async () => {
  const prefix = uniquePrefix('beadsw');
  prefixes.push(prefix);
  const o = mkdtempSync(join(tmpdir(), 'harvest-beadsw-'));
  const conn = new Redis(REDIS_URL);
  const q = beadsQueue({ redisUrl: REDIS_URL, prefix }, conn);
  const [exp] = await discoverBeadsExports(BEADS_DIR);
  await q.add(BEADS_QUEUE, { ...exp }, { jobId: 'one' });
  const w = await startCli(['worker', '--queues', BEADS_QUEUE, '--out', o], {
    REDIS_URL, HARVEST_PREFIX: prefix, HARVEST_OUT: o, HARVEST_ROOTS: BEADS_DIR,
  });
  try {
    for (let i = 0; i < 300; i++) {
      const c = await q.getJobCounts('completed', 'failed');
      if ((c.completed ?? 0) + (c.failed ?? 0) >= 1) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    assert.equal((await q.getJobCounts('completed')).completed, 1);
  } finally {
    w.child.kill('SIGTERM');
    assert.equal(await waitExit(w.child), 0);
    await q.close();
    conn.disconnect();
  }
  assert.equal(await new BeadStore(redis, prefix).count(), 14);
});

test('sessions link through Redis; dpo pairs from both sources; training files; a report that renders', async () => {
  const written = await buildSamples(cfg, redis);
  assert.ok(written >= 20);
  let linked = 0;
  for await (const r of readDataset(join(out, 'samples'))) {
    assert.deepEqual(sampleProblems(r.value), []);
    const m = r.value.metadata as Record<string, unknown>;
    if (Array.isArray(m.beads) && m.beads.length) {
      linked++;
      assert.equal(typeof m.heuristic_score, 'number');
    }
    if (m.session_id === SESSION_IDS.s2FuriosaB2) assert.ok((m.outcome_score as number) <= 0.2);
  }
  assert.ok(linked >= 12, `linked samples (${linked})`);

  // DPO pairs.
  const dpoPath = join(out, 'export', 'pairs.jsonl');
  const d = await exportDpo(out, dpoPath);
  assert.ok((d.bySource.bead ?? 0) >= 2, `bead pairs ${JSON.stringify(d.bySource)}`);
  assert.ok((d.bySource.pi_branch ?? 0) >= 2, `pi branch pairs ${JSON.stringify(d.bySource)}`);
  const text = readFileSync(dpoPath, 'utf8');
  assert.equal(createHash('sha256').update(text).digest('hex'), d.sha256);
  assert.ok(!/sk-ant-api03-FAKE|ghp_FAKE|AKIAIOSFODNN7EXAMPLE|hunter2/.test(text), 'secrets scrubbed');
  const pairs = text.trim().split('\n').map((l) => JSON.parse(l));
  for (const p of pairs) {
    assert.ok(Array.isArray(p.prompt) && p.prompt.length >= 2);
    assert.ok(['user', 'tool'].includes(p.prompt.at(-1).role), 'the prompt ends where the sides part');
    for (const m of p.prompt) assert.ok(['system', 'user', 'assistant', 'tool'].includes(m.role) && typeof m.content === 'string');
    assert.ok(Array.isArray(p.tools));
    assert.deepEqual(p.chosen.map((m: { role: string }) => m.role), ['assistant']);
    assert.deepEqual(p.rejected.map((m: { role: string }) => m.role), ['assistant']);
    assert.notDeepEqual(p.chosen, p.rejected);
    assert.ok(['bead', 'pi_branch'].includes(p.metadata.source));
    assert.ok(typeof p.metadata.why === 'string' && p.metadata.why.length > 10);
    assert.ok('chosen' in p.metadata.scores && 'rejected' in p.metadata.scores);
  }
  const beadPairs = pairs.filter((p) => p.metadata.source === 'bead');
  const b2 = beadPairs.find((p) => p.metadata.bead_id === 'hv-b2');
  assert.equal(b2.metadata.chosen_session, SESSION_IDS.s3SlitB2);
  assert.equal(b2.metadata.rejected_session, SESSION_IDS.s2FuriosaB2);
  assert.ok(b2.metadata.scores.chosen > b2.metadata.scores.rejected);
  const c3 = beadPairs.find((p) => p.metadata.bead_id === 'hv-c3');
  assert.equal(c3.metadata.chosen_session, SESSION_IDS.s5NuxC3);
  assert.equal(c3.metadata.rejected_session, SESSION_IDS.s4RictusC3);
  for (const p of beadPairs) assert.equal(p.metadata.role, 'polecat', 'pairs never cross roles');
  const branch = pairs.find((p) => p.metadata.source === 'pi_branch' && p.metadata.session_id === SESSION_IDS.s8CapableI9);
  assert.equal(branch.metadata.branch_point, 'e6');
  assert.match(branch.rejected[0].content, /^Yes\. Set the stride/);
  assert.ok(existsSync(join(out, 'export', 'pairs.manifest.json')));

  // ShareGPT training files.
  const trainDir = join(out, 'train');
  const man = await exportShareGpt(out, trainDir);
  const names = man.files.map((f) => f.file);
  for (const f of ['gastown_train.jsonl', 'gastown_val.jsonl', 'polecat_train.jsonl', 'mayor_train.jsonl']) assert.ok(names.includes(f), f);
  for (const f of man.files) {
    const buf = readFileSync(join(trainDir, f.file));
    assert.equal(buf.length, f.bytes);
    assert.equal(createHash('sha256').update(buf).digest('hex'), f.sha256);
    assert.equal(buf.toString('utf8').split('\n').filter(Boolean).length, f.records);
  }
  const perRole = man.files.filter((f) => f.file.endsWith('_train.jsonl') && f.file !== 'gastown_train.jsonl').reduce((a, f) => a + f.records, 0);
  assert.equal(perRole, man.files.find((f) => f.file === 'gastown_train.jsonl')!.records);
  assert.ok((man.counts.skipped_abandoned_branch ?? 0) >= 1, 'abandoned branches stay out of the SFT files');
  const withMeta = await exportShareGpt(out, join(out, 'train-meta'), { withMetadata: true });
  const val = readFileSync(join(out, 'train-meta', 'gastown_val.jsonl'), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l));
  assert.ok(val.every((l) => l.metadata.split === 'val'));
  const train = readFileSync(join(out, 'train-meta', 'gastown_train.jsonl'), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l));
  assert.ok(train.every((l) => l.metadata.split === 'train'));
  const trainSessions = new Set(train.map((l) => l.metadata.session_id));
  assert.ok(val.every((l) => !trainSessions.has(l.metadata.session_id)), 'split per session');
  assert.equal(withMeta.samples.val.polecat ?? 0, val.filter((l) => l.metadata.role === 'polecat').length);

  // The report, in a real browser.
  const rep = await writeReport(out);
  assert.ok(rep.data.pairsBySource.bead >= 2);
  const html = readFileSync(rep.path, 'utf8');
  // Example samples may quote URLs in their text; nothing the page loads points anywhere.
  assert.ok(!/<script|<link|<img|\s(src|href)=|url\(/.test(html), 'no network assets');
  const browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  try {
    const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
    const problems: string[] = [];
    page.on('console', (m) => { if (m.type() === 'error') problems.push(m.text()); });
    page.on('pageerror', (e) => problems.push(e.message));
    page.on('request', (r) => { if (!r.url().startsWith('file:')) problems.push(`network request ${r.url()}`); });
    await page.goto(pathToFileURL(rep.path).href, { waitUntil: 'load' });
    const charts = await page.$$eval('svg.chart', (els) => els.map((e) => {
      const r = e.getBoundingClientRect();
      return { id: e.id, marks: e.querySelectorAll('.mark').length, w: r.width, h: r.height };
    }));
    const ids = charts.map((c) => c.id);
    for (const id of ['chart-samples-role-source', 'chart-score-polecat', 'chart-tokens', 'chart-turns', 'chart-tool-rate', 'chart-error-rate', 'chart-bead-outcomes', 'chart-pairs', 'chart-dropped']) {
      assert.ok(ids.includes(id), `chart ${id} present`);
    }
    for (const c of charts) {
      assert.ok(c.marks > 0, `chart ${c.id} has marks`);
      assert.ok(c.w > 50 && c.h > 30, `chart ${c.id} has a size`);
    }
    if (process.env.HARVEST_REPORT_SCREENSHOT) await page.screenshot({ path: process.env.HARVEST_REPORT_SCREENSHOT, fullPage: true });
    assert.deepEqual(problems, []);
  } finally {
    await browser.close();
  }
});
