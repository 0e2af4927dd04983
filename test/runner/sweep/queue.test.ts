/**
 * Distributed sweeps on a real redis-server (started here on a free loopback port, no
 * persistence, killed after): several `gan sweep worker` processes, one SIGKILLed mid-trial;
 * every trial must finish exactly once. Plus fail-fast on an unreachable Redis.
 */
import { ChildProcess, spawn, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as net from 'net';
import * as path from 'path';
import { main } from '@cgan/runner';
import { loadSweep } from '../../../packages/runner/src/sweep/load';
import { checkRedis, defaultQueueName, enqueueTrials, parseQueueUrl } from '../../../packages/runner/src/sweep/queue';
import { readStatus, toRecord, writePlan } from '../../../packages/runner/src/sweep/state';
import { registerTestConfigurables, tmpDir, writeFiles } from './helpers';

const ROOT = path.resolve(__dirname, '../../..');
const GAN = path.join(ROOT, 'packages/runner/bin/gan.js');
const FAKE = `${process.execPath} ${path.join(__dirname, 'fake-train.js')}`;
const hasRedis = spawnSync('redis-server', ['--version']).status === 0;
const built = fs.existsSync(path.join(ROOT, 'packages/runner/dist/commands/sweep.js'));

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
    s.on('error', reject);
  });
}

async function until(what: string, cond: () => boolean | Promise<boolean>, timeoutMs: number): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (await cond()) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
}

const exited = (p: ChildProcess, timeoutMs: number) =>
  new Promise<number | null>((resolve, reject) => {
    if (p.exitCode !== null || p.signalCode !== null) return resolve(p.exitCode);
    const t = setTimeout(() => reject(new Error(`worker ${p.pid} did not exit within ${timeoutMs} ms`)), timeoutMs);
    p.once('exit', (code) => (clearTimeout(t), resolve(code)));
  });

let redis: ChildProcess | undefined;
let url = '';
const procs: ChildProcess[] = [];

beforeAll(async () => {
  registerTestConfigurables();
  if (!hasRedis) return;
  const port = await freePort();
  redis = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
  url = `redis://127.0.0.1:${port}`;
  await until('redis-server to accept connections', async () => checkRedis(parseQueueUrl(url), 500).then(() => true, () => false), 10000);
});

afterAll(() => {
  for (const p of procs) if (p.exitCode === null && p.signalCode === null) p.kill('SIGKILL');
  redis?.kill('SIGKILL');
});

const maybe = hasRedis && built ? test : test.skip;

maybe('several workers; one SIGKILLed mid-trial; every trial finishes exactly once', async () => {
  const src = writeFiles({ 'sweep.gin': `sweep.grid = {'SweepToyGAN.g_lr': [1e-4, 2e-4, 3e-4, 5e-4, 1e-3, 2e-3]}\n` });
  const sweep = loadSweep(path.join(src, 'sweep.gin'));
  const sweepDir = tmpDir('sweep-queue-');
  const trials = sweep.trials.map((t) => toRecord(t, sweep.file));
  writePlan(sweepDir, { sweepFile: sweep.file, keys: sweep.keys, trials });
  const target = parseQueueUrl(url);
  const name = defaultQueueName(sweepDir);
  const enq = await enqueueTrials(target, name, sweepDir, trials, { maxAttempts: 3 });
  expect(enq.added).toHaveLength(6);
  // Enqueuing again never duplicates a trial.
  expect((await enqueueTrials(target, name, sweepDir, trials)).alreadyQueued).toHaveLength(6);

  const env = { ...process.env, FAKE_STEPS: '6', FAKE_STEP_MS: '80' };
  const start = () => {
    const p = spawn(process.execPath, [GAN, 'sweep', 'worker', '--queue', url, '--sweep_dir', sweepDir, '--exit_when_done', '--trial_command', FAKE, '--lock_duration_ms', '1000', '--stalled_interval_ms', '300'], { env, stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    p.stderr!.on('data', (d) => (err += d));
    procs.push(p);
    return Object.assign(p, { log: () => err });
  };
  const workers = [start(), start(), start()];
  // Kill the first worker while it runs a trial.
  let victimTrial = '';
  await until('worker 1 to start a trial', () => {
    victimTrial = trials.find((t) => readStatus(sweepDir, t.id)?.state === 'running' && readStatus(sweepDir, t.id)?.worker?.endsWith(`:${workers[0].pid}`))?.id ?? '';
    return victimTrial !== '' && fs.existsSync(path.join(sweepDir, victimTrial, 'checkpoint'));
  }, 30000);
  workers[0].kill('SIGKILL');
  // Stop the second worker gracefully mid-trial: its trial goes back to the queue.
  await until('worker 2 to run a trial', () => trials.some((t) => readStatus(sweepDir, t.id)?.state === 'running' && readStatus(sweepDir, t.id)?.worker?.endsWith(`:${workers[1].pid}`)), 30000);
  workers[1].kill('SIGTERM');
  expect(await exited(workers[1], 15000)).toBe(0);
  expect(workers[1].log()).toMatch(/interrupted, returned to the queue/);
  await until('every trial to be done', () => trials.every((t) => readStatus(sweepDir, t.id)?.state === 'done'), 40000);
  expect(await exited(workers[2], 15000)).toBe(0);
  for (const t of trials) {
    const n = fs.readFileSync(path.join(sweepDir, t.id, 'completions'), 'utf8').trim().split('\n').length;
    expect({ id: t.id, completions: n }).toEqual({ id: t.id, completions: 1 });
  }
  // The victim's trial was picked up by another worker and resumed from its checkpoint.
  const st = readStatus(sweepDir, victimTrial)!;
  expect(st.attempts).toBe(2);
  expect(st.worker).not.toMatch(new RegExp(`:${workers[0].pid}$`));
  const steps = fs.readFileSync(path.join(sweepDir, victimTrial, 'metrics.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l).step);
  expect(steps[steps.length - 1]).toBe(6);
  expect(new Set(steps).size).toBe(steps.length); // resumed, not restarted from step 0
}, 90000);

maybe('gan sweep run --queue --workers 2: enqueues, starts workers, retries then fails a bad trial, re-run skips', async () => {
  const src = writeFiles({ 'sweep.gin': `sweep.grid = {'SweepToyGAN.g_lr': [1e-4, 2e-4, 3e-4]}\nsweep.seeds = [0, 1]\nsweep.seed_binding = 'SweepToyGAN.seed'\n` });
  const sweepDir = tmpDir('sweep-queue-cli-');
  let err = '';
  const io = { out: () => undefined, err: (s: string) => void (err += s), progressStream: { isTTY: false } as NodeJS.WriteStream };
  Object.assign(process.env, { FAKE_STEPS: '3', FAKE_STEP_MS: '10', FAKE_FAIL_IF: 'SweepToyGAN.g_lr=0.0002' });
  const args = ['node', 'gan', 'sweep', 'run', path.join(src, 'sweep.gin'), '--sweep_dir', sweepDir, '--queue', url, '--workers', '2', '--trial_command', FAKE];
  try {
    expect(await main(args, io)).toBe(1); // some trials failed
  } finally {
    delete process.env.FAKE_FAIL_IF;
    process.exitCode = undefined;
  }
  expect(err).toContain('6 trials enqueued');
  expect(err).toContain('sweep: 4 trials done, 2 failed');
  expect(err).toMatch(/trial [0-9a-f]{12} running/);
  // A trial failing three times is marked failed with its error; the sweep went on.
  const failed = fs.readdirSync(sweepDir).map((id) => ({ id, st: readStatus(sweepDir, id) })).filter((x) => x.st?.state === 'failed');
  expect(failed).toHaveLength(2);
  for (const f of failed) {
    expect(f.st!.attempts).toBe(3);
    expect(f.st!.error).toMatch(/exited with status 1: fake-train: configured to fail/);
  }
  err = '';
  const code = await main(args, io);
  expect(err).toContain('0 trials enqueued, 0 already queued, 6 finished earlier');
  expect(code).toBe(0);
}, 60000);

test('an unreachable Redis fails fast with the URL in the message', async () => {
  const port = await freePort();
  const t0 = Date.now();
  await expect(checkRedis(parseQueueUrl(`redis://127.0.0.1:${port}`))).rejects.toThrow(new RegExp(`Cannot reach Redis at redis://127\\.0\\.0\\.1:${port}`));
  expect(Date.now() - t0).toBeLessThan(4000);
  const r = spawnSync(process.execPath, [GAN, 'sweep', 'worker', '--queue', `redis://127.0.0.1:${port}`, '--sweep_dir', tmpDir()], { encoding: 'utf8', timeout: 20000 });
  if (built) {
    expect(r.status).toBe(1);
    expect(r.stderr).toContain(`error: Cannot reach Redis at redis://127.0.0.1:${port}`);
    expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace
  }
  expect(() => parseQueueUrl('http://x')).toThrow(/only redis:\/\//);
});
