// `harvest report` as a newcomer meets it: sessions backfilled through the command line (beads
// linked through Redis, their lifecycles ingested into another folder, a corpus whose files all
// warn), the report written by the command and opened in a real Chromium. Its cards agree with
// each other and with the shards, the --min-score table counts what the shards hold, examples are
// readable and scrubbed, the largest sessions drill down, the dropped / truncated / redacted
// reasons come from the run files; no network. Its charts are checked on a screenshot: each has
// its size and its colours on screen.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { PNG } from 'pngjs';
import { REDIS_URL, uniquePrefix, dropPrefix } from '../support/redis.ts';
import { runCli, REPO } from '../support/harvest-cli.ts';
import { writeWarningCorpus, type WarningCorpus } from '../support/warning-corpus.ts';
import { readDataset } from '../../src/sinks/shards/dataset-reader.ts';
import { viewChars, viewMessages } from '../../src/model/sample-view.ts';
import { MIN_SCORE_STEPS } from '../../src/sinks/report/report-data.ts';
import { PALETTE } from '../../src/sinks/report/svg-charts.ts';

const CHROMIUM = '/usr/bin/chromium';
const skip = existsSync(CHROMIUM) ? false : `no browser at ${CHROMIUM}`;
const prefix = uniquePrefix('report');
const out = mkdtempSync(join(tmpdir(), 'harvest-report-out-'));
const SCREENSHOT = process.env.HARVEST_REPORT_SCREENSHOT ?? join(out, 'report.png');
let corpus: WarningCorpus;
let browser: Browser;
let page: Page;
const problems: string[] = [];

interface Expected {
  samples: number;
  linkedSamples: number;
  beads: Set<string>;
  kept: Map<string, number[]>;
  roles: Set<string>;
  largestSession: string;
}
let expected: Expected;

async function fromShards(): Promise<Expected> {
  const e: Expected = { samples: 0, linkedSamples: 0, beads: new Set(), kept: new Map(), roles: new Set(), largestSession: '' };
  const chars = new Map<string, number>();
  for await (const r of readDataset(join(out, 'samples'))) {
    const m = r.value.metadata as Record<string, unknown>;
    e.samples++;
    const role = String(m.role);
    const k = e.kept.get(role) ?? MIN_SCORE_STEPS.map(() => 0);
    MIN_SCORE_STEPS.forEach((t, i) => { if (Number(m.quality_score) >= t) k[i]++; });
    e.kept.set(role, k);
    if (Array.isArray(m.beads) && m.beads.length) {
      e.linkedSamples++;
      for (const l of m.beads as { bead_id: string }[]) e.beads.add(l.bead_id);
    }
    if (m.branch === 'abandoned') continue;
    e.roles.add(role);
    const sid = String(m.session_id);
    chars.set(sid, (chars.get(sid) ?? 0) + viewChars(viewMessages(r.value)));
  }
  e.largestSession = [...chars].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))[0][0];
  return e;
}

before(async () => {
  if (skip) return;
  const env = { REDIS_URL, HARVEST_PREFIX: prefix };
  const cli = async (args: string[]) => {
    const r = await runCli(args, env);
    assert.equal(r.code, 0, `harvest ${args.join(' ')}\n${r.stderr}`);
    return r;
  };
  // Lifecycles go to another folder: the samples link to beads this dataset keeps no lifecycle of.
  await cli(['beads', 'ingest', join(REPO, 'fixtures/beads/harvest'), '--inline', '--out', mkdtempSync(join(tmpdir(), 'harvest-report-beads-'))]);
  await cli(['backfill', '--claude', join(REPO, 'fixtures/beads/sessions/claude'), '--pir', join(REPO, 'fixtures/beads/sessions/pi'), '--out', out, '--inline']);
  // The bundled sample data: its sessions carry (fake) secrets of several kinds.
  await cli(['backfill', '--claude', join(REPO, 'fixtures/claude/projects'), '--pir', join(REPO, 'fixtures/pi/sessions'), '--out', out, '--inline']);
  const warn = mkdtempSync(join(tmpdir(), 'harvest-report-warn-'));
  corpus = writeWarningCorpus(warn, 30);
  await cli(['backfill', '--pir', warn, '--out', out, '--inline']);
  const rep = await cli(['report', '--out', out]);
  expected = await fromShards();
  assert.match(rep.stdout, new RegExp(`wrote .*report\\.html: ${expected.samples} samples from \\d+ sessions, ${expected.linkedSamples} linked to ${expected.beads.size} beads, 3 run files`));

  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
  page.on('console', (m) => { if (m.type() === 'error') problems.push(m.text()); });
  page.on('pageerror', (e) => problems.push(e.message));
  page.on('request', (r) => { if (!r.url().startsWith('file:')) problems.push(`network request ${r.url()}`); });
  await page.goto(pathToFileURL(join(out, 'report.html')).href, { waitUntil: 'load' });
});

after(async () => {
  await browser?.close();
  await dropPrefix(prefix);
});

test('self-contained: no script, no network, no console error', { skip }, () => {
  const html = readFileSync(join(out, 'report.html'), 'utf8');
  // Sample text may quote URLs; nothing the page loads may point anywhere (the browser saw no request).
  assert.doesNotMatch(html, /<script|<link|<img|<iframe|\s(src|href)=|url\(/);
  assert.deepEqual(problems, []);
});

test('the cards agree with each other and with the shards', { skip }, async () => {
  const cards = Object.fromEntries(await page.$$eval('#cards .stat', (els) => els.map((e) => [e.querySelector('span')!.textContent, Number(e.querySelector('b')!.textContent)])));
  assert.equal(cards.samples, expected.samples);
  assert.equal(cards.train + cards.val, expected.samples);
  assert.ok(expected.beads.size > 0 && expected.linkedSamples > 0, 'the fixtures link samples to beads');
  assert.equal(cards[`samples linked to ${expected.beads.size} beads`], expected.linkedSamples);
  assert.equal(cards['bead lifecycles in this folder'], 0);
  // No lifecycle here, so the outcome mix is that of the linked beads: as many as the card says.
  const outcomes = await page.$$eval('#chart-bead-outcomes .mark title', (els) => els.map((e) => Number(e.textContent!.split(': ')[1])));
  assert.equal(outcomes.reduce((a, b) => a + b, 0), expected.beads.size);
  assert.match(await page.locator('section', { hasText: 'Bead outcomes' }).innerText(), /This folder keeps no bead lifecycles: `harvest beads ingest DIR --out /);
  // Coverage, as validate prints it for the same folder.
  const v = JSON.parse((await runCli(['validate', out, '--json'], {})).stdout).stats.coverage;
  assert.ok(v.assistantMessages > 0);
  assert.match(await page.locator('#coverage').innerText(), new RegExp(`^Coverage: ${v.targets} of ${v.assistantMessages} assistant messages are the training target of a sample`));
  assert.match(await page.locator('#coverage').innerText(), /Targets trained by two samples: 0\./);
});

test('the --min-score table counts what each threshold keeps, per role', { skip }, async () => {
  const rows = await page.$$eval('#table-min-score tbody tr', (trs) => trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.firstChild!.textContent!.trim())));
  assert.equal(rows.length, expected.kept.size);
  for (const [role, ...cells] of rows) assert.deepEqual(cells.map(Number), expected.kept.get(role), role);
  const total = await page.$$eval('#table-min-score tfoot td', (tds) => tds.slice(1).map((td) => Number(td.firstChild!.textContent)));
  assert.deepEqual(total, MIN_SCORE_STEPS.map((_, i) => [...expected.kept.values()].reduce((a, k) => a + k[i], 0)));
  for (const [, ...cells] of rows) for (let i = 1; i < cells.length; i++) assert.ok(Number(cells[i]) <= Number(cells[i - 1]), 'a higher threshold keeps fewer');
});

test('examples per role: a readable conversation, secrets scrubbed', { skip }, async () => {
  for (const role of expected.roles) {
    const ex = page.locator(`#examples-${role} details.example`);
    assert.ok((await ex.count()) >= 1, role);
    const first = ex.first();
    assert.equal(await first.getAttribute('open'), '', `${role}: the first example is open`);
    assert.ok((await first.locator('.msg.assistant').count()) >= 1, role);
    assert.ok((await first.locator('.msg.user, .msg.system').count()) >= 1, role);
  }
  const polecat = page.locator('#examples-polecat details.example');
  assert.match((await polecat.first().locator('summary').innerText()), /^best · score \d\.\d\d · \d+ turns · /);
  assert.ok((await page.locator('.msg .call').count()) > 0, 'tool calls shown as calls');
  const text = await page.locator('body').innerText();
  assert.doesNotMatch(text, /sk-ant-api03-FAKE|ghp_FAKE|AKIAIOSFODNN7EXAMPLE|hunter2/);
  assert.doesNotMatch(text, /<tool_call|<tool_result|<think>/, 'no raw tags');
});

test('the largest sessions drill down to their samples', { skip }, async () => {
  const sessions = page.locator('#largest-sessions details.session');
  assert.equal(await sessions.count(), 10);
  assert.equal(await sessions.first().getAttribute('data-session'), expected.largestSession);
  await sessions.first().locator('summary').click();
  assert.ok(await sessions.first().locator('tbody tr').first().isVisible());
});

test('what was dropped, truncated and redacted, by reason, from the run files', { skip }, async () => {
  const marks = async (id: string) => Object.fromEntries(await page.$$eval(`#${id} .mark title`, (els) => els.map((e) => {
    const t = e.textContent!;
    const i = t.lastIndexOf(': ');
    return [t.slice(0, i), Number(t.slice(i + 2))];
  })));
  const dropped = await marks('chart-dropped');
  assert.ok(dropped.malformed_json >= corpus.malformed, JSON.stringify(dropped));
  assert.ok(dropped.sessions_empty >= corpus.empty);
  const redacted = await marks('chart-redacted');
  assert.ok(Object.keys(redacted).length >= 3, `kinds of secrets redacted: ${JSON.stringify(redacted)}`);
  const warnings = await page.$$eval('#table-warnings tbody tr', (trs) => trs.map((tr) => [tr.children[1].textContent, Number(tr.children[0].textContent)]));
  assert.deepEqual(warnings.find(([k]) => k === 'N line(s) skipped (malformed_json)'), ['N line(s) skipped (malformed_json)', corpus.malformed]);
  assert.match(await page.locator('section', { hasText: 'What was dropped' }).locator('.note').innerText(), /^From 3 session run files in runs\//);
});

/** Pixels of `png` within `tol` of colour `hex`. */
function pixelsOf(png: PNG, hex: string, tol = 24): number {
  const [r, g, b] = [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16));
  let n = 0;
  for (let i = 0; i < png.data.length; i += 4) {
    if (Math.abs(png.data[i] - r) <= tol && Math.abs(png.data[i + 1] - g) <= tol && Math.abs(png.data[i + 2] - b) <= tol) n++;
  }
  return n;
}

test('screenshot: every chart is on screen with its size and colours', { skip }, async () => {
  await page.screenshot({ path: SCREENSHOT, fullPage: true });
  const full = PNG.sync.read(readFileSync(SCREENSHOT));
  assert.ok(full.width >= 1100 && full.height > 3000, `${full.width}x${full.height}`);
  const charts = await page.$$eval('svg.chart', (els) => els.map((e) => ({ id: e.id, marks: [...e.querySelectorAll('.mark')].map((m) => m.getAttribute('fill')) })));
  for (const id of ['chart-samples-role-source', 'chart-score-polecat', 'chart-tokens', 'chart-turns', 'chart-tool-rate', 'chart-error-rate', 'chart-bead-outcomes', 'chart-linked', 'chart-pairs', 'chart-dropped', 'chart-truncated', 'chart-redacted']) {
    assert.ok(charts.some((c) => c.id === id), `chart ${id} present`);
  }
  for (const c of charts) {
    const el = page.locator(`#${c.id}`);
    const box = (await el.boundingBox())!;
    const png = PNG.sync.read(await el.screenshot());
    assert.ok(Math.abs(png.width - Math.round(box.width)) <= 1 && png.width > 50 && png.height > 30, `${c.id}: ${png.width}x${png.height}`);
    // Not a blank area: drawn pixels, and the colour of each kind of mark the chart holds.
    let ink = 0;
    for (let i = 0; i < png.data.length; i += 4) if (png.data[i] + png.data[i + 1] + png.data[i + 2] < 3 * 235) ink++;
    assert.ok(ink > 100, `${c.id}: ink ${ink}`);
    if (c.marks.length === 0) continue;
    for (const fill of new Set(c.marks)) assert.ok(pixelsOf(png, fill!) >= 6, `${c.id}: colour ${fill} on screen`);
  }
  // The stacked chart's legend and bars share the palette's first colour.
  assert.ok(pixelsOf(PNG.sync.read(await page.locator('#chart-samples-role-source').screenshot()), PALETTE[0]) > 200);
});
