/** Local sweeps with a fake, fast trainer: run, skip finished, resume interrupted, failures; results. */
import * as fs from 'fs';
import * as path from 'path';
import { loadSweep } from '../../../packages/runner/src/sweep/load';
import { runLocal } from '../../../packages/runner/src/sweep/local';
import { collectResults, resultsCsv, resultsTable, writeResults } from '../../../packages/runner/src/sweep/results';
import { renderReport, writeReport, boxStats } from '../../../packages/runner/src/sweep/report';
import { readStatus, toRecord, writeJsonAtomic, writePlan, writeStatus } from '../../../packages/runner/src/sweep/state';
import { processTrialRunner } from '../../../packages/runner/src/sweep/trial_process';
import { registerTestConfigurables, tmpDir, writeFiles } from './helpers';

const FAKE = [process.execPath, path.join(__dirname, 'fake-train.js')];
const SWEEP = `sweep.grid = {
    'SweepToyGAN.g_lr': [1e-4, 3e-4, 1e-3],
    'SweepToyGAN.loss_fn': [@toy_hinge, @toy_non_saturating],
}
sweep.metric = 'fid'
`;

beforeAll(registerTestConfigurables);

function setup(env: Record<string, string> = {}) {
  const src = writeFiles({ 'sweep.gin': SWEEP });
  const sweep = loadSweep(path.join(src, 'sweep.gin'));
  const sweepDir = tmpDir('sweep-run-');
  const trials = sweep.trials.map((t) => toRecord(t, sweep.file));
  writePlan(sweepDir, { sweepFile: sweep.file, keys: sweep.keys, trials, metric: 'fid' });
  const runner = processTrialRunner(FAKE, { ...process.env, FAKE_STEPS: '5', FAKE_STEP_MS: '20', ...env });
  return { sweep, sweepDir, trials, runner };
}

const completions = (dir: string, id: string) => {
  const f = path.join(dir, id, 'completions');
  return fs.existsSync(f) ? fs.readFileSync(f, 'utf8').trim().split('\n').length : 0;
};

test('runs every trial once in its own run directory, then skips them all on a re-run', async () => {
  const { sweepDir, trials, runner } = setup();
  const events: string[] = [];
  const s = await runLocal({ sweepDir, trials, runner, workers: 2, onEvent: (e) => events.push(`${e.type}:${e.id}`) });
  expect(s.done.sort()).toEqual(trials.map((t) => t.id).sort());
  for (const t of trials) {
    expect(readStatus(sweepDir, t.id)?.state).toBe('done');
    expect(completions(sweepDir, t.id)).toBe(1);
    expect(fs.readFileSync(path.join(sweepDir, t.id, 'trial.log'), 'utf8')).toContain('--gin_bindings');
  }
  const again = await runLocal({ sweepDir, trials, runner, workers: 2 });
  expect(again.done).toEqual([]);
  expect(again.skipped).toHaveLength(trials.length);
  for (const t of trials) expect(completions(sweepDir, t.id)).toBe(1);
});

test('an interrupted trial resumes from its checkpoint; finished ones are not rerun', async () => {
  const { sweepDir, trials, runner } = setup();
  await runLocal({ sweepDir, trials: trials.slice(1), runner, workers: 2 });
  // Simulate a crash of trial 0 at step 3: a checkpoint and metrics up to it, status running.
  const dir = path.join(sweepDir, trials[0].id);
  fs.writeFileSync(path.join(dir, 'checkpoint'), '3');
  fs.writeFileSync(path.join(dir, 'metrics.jsonl'), [1, 2, 3].map((step) => JSON.stringify({ step, fid: 100 })).join('\n') + '\n');
  writeStatus(sweepDir, trials[0].id, { state: 'running', attempts: 1, wallTimeSec: 1 });
  const s = await runLocal({ sweepDir, trials, runner, workers: 2 });
  expect(s.done).toEqual([trials[0].id]);
  const steps = fs.readFileSync(path.join(dir, 'metrics.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l).step);
  expect(steps).toEqual([1, 2, 3, 4, 5]);
  expect(readStatus(sweepDir, trials[0].id)).toMatchObject({ state: 'done', attempts: 2 });
});

test('a failing trial is retried, then marked failed with its error; the others finish', async () => {
  const { sweepDir, trials, runner } = setup({ FAKE_FAIL_IF: 'SweepToyGAN.g_lr=0.0003' });
  const s = await runLocal({ sweepDir, trials, runner, workers: 2, maxAttempts: 3 });
  expect(s.failed).toHaveLength(2);
  expect(s.done).toHaveLength(4);
  for (const id of s.failed) {
    const st = readStatus(sweepDir, id)!;
    expect(st).toMatchObject({ state: 'failed', attempts: 3 });
    expect(st.error).toMatch(/exited with status 1[\s\S]*configured to fail for SweepToyGAN.g_lr=0.0003/);
  }
  // Failed trials are skipped on a re-run unless asked to retry them.
  const again = await runLocal({ sweepDir, trials, runner, workers: 2 });
  expect(again.skipped).toHaveLength(6);
});

test('results: table, CSV, JSON and an HTML report ranked by the metric', async () => {
  const { sweepDir, trials, runner } = setup();
  await runLocal({ sweepDir, trials, runner, workers: 2 });
  const res = collectResults(sweepDir);
  expect(res.metric).toBe('fid');
  expect(res.mode).toBe('min');
  expect(res.metrics).toEqual(['d_loss', 'fid']);
  // Ranked by best fid: lr 3e-4 is closest to the fake's optimum, hinge beats non-saturating.
  expect(res.rows[0].bindings).toEqual({ 'SweepToyGAN.g_lr': '0.0003', 'SweepToyGAN.loss_fn': '@toy_loss.toy_hinge' });
  const fids = res.rows.map((r) => r.best.fid);
  expect([...fids].sort((a, b) => a - b)).toEqual(fids);
  expect(res.rows.every((r) => r.steps === 5 && r.state === 'done' && (r.wallTimeSec ?? 0) > 0)).toBe(true);
  const table = resultsTable(res);
  expect(table.split('\n')[0]).toMatch(/^trial\s+state\s+g_lr\s+loss_fn\s+steps\s+wall\s+fid final\s+fid best \(min\)\s+d_loss$/);
  expect(table).toContain('@toy_hinge');
  const csv = resultsCsv(res).trim().split('\n');
  expect(csv[0]).toBe('trial,state,SweepToyGAN.g_lr,SweepToyGAN.loss_fn,steps,wall_time_sec,attempts,finished_at,d_loss_final,d_loss_best,fid_final,fid_best,error');
  expect(csv).toHaveLength(7);
  const files = writeResults(res);
  const json = JSON.parse(fs.readFileSync(files.json, 'utf8'));
  expect(json.trials[0].id).toBe(res.rows[0].id);
  expect(json.trials[0].best.fid).toBeCloseTo(res.rows[0].best.fid);
  const html = renderReport(res);
  expect((html.match(/<svg/g) ?? []).length).toBe(3); // one box plot per swept binding + best-so-far
  expect(html).not.toMatch(/<script|https?:\/\/(?!www\.w3\.org)/);
  expect(fs.existsSync(writeReport(res))).toBe(true);
  // --sort by another metric, other direction
  const byLoss = collectResults(sweepDir, { metric: 'd_loss', mode: 'max' });
  expect(byLoss.metric).toBe('d_loss');
  expect(() => collectResults(sweepDir, { metric: 'nope' })).toThrow(/No trial logged a metric named 'nope'.*\n?.*/);
});

test('box statistics', () => {
  expect(boxStats([1, 2, 3, 4, 5, 100])).toMatchObject({ median: 3.5, q1: 2.25, q3: 4.75, whiskerLow: 1, whiskerHigh: 5 });
});

test('a full disk never leaves a half-written status file: the old one stays, the error says what to do', () => {
  const dir = tmpDir('sweep-enospc-');
  const file = path.join(dir, 'status.json');
  writeJsonAtomic(file, { state: 'running', attempts: 1 });
  const realFs = jest.requireActual<typeof fs>('fs');
  const real = realFs.writeFileSync;
  const spy = jest.spyOn(realFs, 'writeFileSync').mockImplementation(((p: fs.PathOrFileDescriptor, data: string) => {
    real(p, String(data).slice(0, 5)); // a torn write...
    throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
  }) as typeof fs.writeFileSync);
  try {
    expect(() => writeJsonAtomic(file, { state: 'done', attempts: 1 })).toThrow(/Cannot write to '.*status\.json': the disk is full \(ENOSPC\)\. Its previous version is intact\./);
  } finally {
    spy.mockRestore();
  }
  expect(JSON.parse(fs.readFileSync(file, 'utf8'))).toEqual({ state: 'running', attempts: 1 });
  expect(fs.readdirSync(dir)).toEqual(['status.json']);
});
