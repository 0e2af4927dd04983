/**
 * `npm run results` (scripts/results/run.js, issue 13): runs only the (row, seed) pairs whose raw
 * file is missing, writes raw files whole, and regenerates RESULTS.md from every raw file (header:
 * machine, dates, budgets, extractor, sample counts; one section per table from its render()).
 * Fixture tables stand in for the training; the real tables' render() runs on fixture raws.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const results = require('../../scripts/results/run.js');
// eslint-disable-next-line @typescript-eslint/no-require-imports
const lib = require('../../scripts/results/lib.js');

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'results-harness-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

function rawOf(table: string, row: string, seed: number, fid200: number, fid400: number) {
  const tag = 'fashion-mnist-classifier@7cfeae34';
  return {
    table, row, label: row, seed, steps: 400, batch_size: 32, wall_s: 300 + seed, threads: 1,
    machine: '2-core test CPU, Node v20, backend wasm+xnnpack', started: `2026-11-30T11:0${seed}:00.000Z`, finished: `2026-11-30T11:1${seed}:00.000Z`,
    git_commit: 'abc1234', extractor: tag, extractor_fingerprint: '7cfeae344314daba', extractor_accuracy: 0.8618, num_samples: 2000, split: 'test',
    metrics: [{ step: 200, [`fid[${tag}]`]: fid200, [`kid[${tag}]`]: fid200 / 1000 }, { step: 400, [`fid[${tag}]`]: fid400, [`kid[${tag}]`]: fid400 / 1000 }],
    final: { [`fid[${tag}]`]: fid400, [`kid[${tag}]`]: fid400 / 1000 },
  };
}

test('skips measured rows, writes the others whole, and renders every table from the raw files', async () => {
  const tables = path.join(dir, 'tables');
  const resultsDir = path.join(dir, 'results');
  const md = path.join(dir, 'RESULTS.md');
  fs.mkdirSync(tables);
  const calls = path.join(dir, 'calls.txt');
  fs.writeFileSync(
    path.join(tables, 'fake.js'),
    `const fs = require('fs');
module.exports = {
  id: 'fake', order: 1, title: 'A fake table',
  rows: [{ id: 'a', label: 'row a', seeds: [1, 2] }, { id: 'b', label: 'row b', seeds: [1] }],
  async runRow(row, seed, ctx) {
    fs.appendFileSync(${JSON.stringify(calls)}, row.id + seed + '\\n');
    if (row.id === 'b') throw new Error('b breaks');
    return { steps: 10, batch_size: 4, wall_s: 1, threads: 1, machine: 'fake machine', started: '2026-11-30T10:00:00Z', finished: '2026-11-30T10:01:00Z',
      extractor: 'x-classifier@12345678', extractor_fingerprint: '1234567890abcdef', num_samples: 50, split: 'test', final: { 'fid[x]': seed * 10 }, samples: ctx.samplesPath };
  },
  render(raws) { return 'rows: ' + raws.map((r) => r.row + r.seed + '=' + r.final['fid[x]']).join(' '); },
};`,
  );
  // a1 was measured before: it must be skipped and kept as it is.
  fs.mkdirSync(path.join(resultsDir, 'fake'), { recursive: true });
  const a1 = path.join(resultsDir, 'fake', 'a--seed1.json');
  fs.writeFileSync(a1, JSON.stringify({ table: 'fake', row: 'a', seed: 1, steps: 10, batch_size: 4, machine: 'fake machine', final: { 'fid[x]': 99 } }));
  const logs: string[] = [];
  const code = await results.main(['--tables-dir', tables, '--results-dir', resultsDir, '--results-md', md], { log: (m: string) => logs.push(m), noSignals: true });
  expect(code).toBe(1); // b failed
  expect(fs.readFileSync(calls, 'utf8').split('\n').filter(Boolean)).toEqual(['a2', 'b1']);
  expect(logs.join('\n')).toMatch(/fake\/a--seed1: raw file present, skipped[\s\S]*fake\/b--seed1: FAILED: b breaks/);
  expect(JSON.parse(fs.readFileSync(a1, 'utf8')).final['fid[x]']).toBe(99);
  const a2 = JSON.parse(fs.readFileSync(path.join(resultsDir, 'fake', 'a--seed2.json'), 'utf8'));
  expect(a2).toMatchObject({ table: 'fake', row: 'a', label: 'row a', seed: 2, final: { 'fid[x]': 20 } });
  expect(fs.existsSync(path.join(resultsDir, 'fake', 'b--seed1.json'))).toBe(false); // no raw for a failed row
  expect(fs.readdirSync(path.join(resultsDir, 'fake')).filter((f) => f.includes('.tmp'))).toEqual([]);
  const text = fs.readFileSync(md, 'utf8');
  expect(text).toMatch(/## 1\. A fake table\n\nrows: a1=99 a2=20/);
  expect(text).toMatch(/\*\*Machine\(s\):\*\* fake machine/);
  expect(text).toMatch(/\*\*Budgets:\*\* fake: 10 steps × batch 4/);
  expect(text).toMatch(/x-classifier@12345678.*fingerprint 1234567890abcdef/);
  expect(text).toMatch(/\*\*Sample counts:\*\* 50 generated vs 50 real test images/);

  // A second run measures nothing new (b still fails), --render-only runs nothing at all.
  fs.writeFileSync(calls, '');
  await results.main(['--tables-dir', tables, '--results-dir', resultsDir, '--results-md', md, '--render-only'], { log: () => undefined, noSignals: true });
  expect(fs.readFileSync(calls, 'utf8')).toBe('');
  await results.main(['--tables-dir', tables, '--results-dir', resultsDir, '--results-md', md, '--row', 'a', '--seeds', '3'], { log: () => undefined, noSignals: true });
  expect(fs.readFileSync(calls, 'utf8')).toBe('a3\n');
  await expect(results.main(['--tables-dir', tables, '--results-dir', resultsDir, '--results-md', md, '--table', 'nope'], { log: () => undefined, noSignals: true })).rejects.toThrow(/no table 'nope'; tables: fake/);
});

test('the losses table renders mean ± spread per loss from raw files and says whether the trend holds', () => {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const losses = require('../../scripts/results/tables/losses.js');
  const raws = [rawOf('losses', 'non_saturating', 1, 60, 40), rawOf('losses', 'non_saturating', 2, 62, 44), rawOf('losses', 'hinge', 1, 70, 41), rawOf('losses', 'hinge', 2, 70, 43), rawOf('losses', 'wgangp', 1, 150, 120), rawOf('losses', 'wgangp', 2, 150, 124)];
  const md = losses.render(raws);
  expect(md).toContain('| non-saturating | 61.0 ± 1.4 (n=2) | 42.0 ± 2.8 (n=2) | 1: 40.0, 2: 44.0 |');
  expect(md).toMatch(/range from 42\.0 \(non-saturating\) to 122\.0 \(WGAN-GP/);
  expect(md).toMatch(/holds only partly: WGAN-GP .* is clearly behind/);
  expect(md).toMatch(/1 loss\(es\) not measured yet/);
});

test('the fewer-labels table computes the fraction of the unconditional-to-conditional gap closed', () => {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const fewer = require('../../scripts/results/tables/fewer_labels.js');
  const raw = (row: string, seed: number, fid: number) => ({ ...rawOf('fewer_labels', row, seed, fid, fid), steps: fewer.STEPS });
  const raws = [raw('unconditional', 1, 100), raw('unconditional', 2, 102), raw('conditional', 1, 60), raw('conditional', 2, 62), raw('s3gan_10', 1, 80), raw('s3gan_10', 2, 82), raw('s3gan_20', 1, 58), raw('s3gan_20', 2, 60)];
  const md = fewer.render(raws);
  expect(md).toMatch(/a gap of 40\.0/);
  expect(md).toMatch(/10% 50%, 20% 105%/);
  expect(md).toMatch(/holds only in part here: S3GAN with 10% labels does not match .* with 20% it is at least as good/);
  expect(md).toMatch(/Not measured .*SSGAN/);
});

test('--by-seed runs every row\'s first seed before any second seed', () => {
  const t = { rows: [{ id: 'a', seeds: [1, 2] }, { id: 'b', seeds: [1, 2] }, { id: 'c', seeds: [1] }] };
  const ids = (a: object) => results.jobsOf(t, a).map(([r, s]: [{ id: string }, number]) => `${r.id}${s}`);
  expect(ids({})).toEqual(['a1', 'a2', 'b1', 'b2', 'c1']);
  expect(ids({ 'by-seed': true })).toEqual(['a1', 'b1', 'c1', 'a2', 'b2']);
  expect(ids({ 'by-seed': true, row: ['b', 'c'], seeds: [3] })).toEqual(['b3', 'c3']);
});

test('metric lookup ignores the extractor tag; stats give the sample standard deviation', () => {
  expect(lib.metricOf({ 'fid[a@1]': 3, 'kid[a@1]': 1 }, 'fid')).toBe(3);
  expect(lib.metricOf({ 'fid_x[a]': 3 }, 'fid')).toBeUndefined();
  const s = lib.stats([1, 3]);
  expect([s.mean, s.sd, s.n]).toEqual([2, Math.SQRT2, 2]);
  expect(lib.fmtStats(lib.stats([5]))).toBe('5.0 (n=1)');
  expect(lib.fmtStats(lib.stats([]))).toBe('—');
});
