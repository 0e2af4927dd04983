/**
 * Family: locks. Two writers on one run or sweep directory, stale locks (dead pid, reused pid),
 * every path that opens a directory (train, eval, sweep run local and --queue).
 */
import { spawn } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { lockDirectory, lockHolder } from '../../packages/runner/src/run/lock';
import { BUILT, expectCleanError, expectNoStack, FAKE_TRAIN, HAS_REDIS, maybe, run, start, startRedis, tmp, TINY, write } from './helpers';

jest.setTimeout(120000);

/** A lock file as another process would leave it. */
function fakeLock(dir: string, info: Record<string, unknown>): void {
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, '.lock'), JSON.stringify({ hostname: os.hostname(), procStart: null, since: '2020-01-01T00:00:00.000Z', command: 'gan train', ...info }));
}

/** A live process that is not a gan (holds a pid for the test's duration). */
function sleeper() {
  const p = spawn('sleep', ['60'], { stdio: 'ignore' });
  return { pid: p.pid!, kill: () => p.kill('SIGKILL') };
}

maybe(BUILT)('two gan train on one --model_dir: one runs, the other is refused; metrics hold each step once', async () => {
  const dir = tmp('lock2');
  const gin = write(dir, 't.gin', TINY.replace('training_steps = 10', 'training_steps = 40'));
  const model = path.join(dir, 'run');
  const a = start(['train', '--gin_config', gin, '--model_dir', model, '--quiet']);
  const b = start(['train', '--gin_config', gin, '--model_dir', model, '--quiet']);
  const [ra, rb] = await Promise.all([a.done, b.done]);
  const codes = [ra.code, rb.code].sort();
  expect(codes).toEqual([0, 1]);
  const loser = ra.code === 1 ? ra : rb;
  expectCleanError(loser, /Run directory .*run is in use by 'gan train' \(pid \d+ on .*\)\. Nothing was changed\./);
  const steps = fs.readFileSync(path.join(model, 'metrics.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l).step);
  expect(steps).toEqual(Array.from({ length: 40 }, (_, i) => i + 1));
  expect(fs.existsSync(path.join(model, '.lock'))).toBe(false);
});

maybe(BUILT)('a stale lock (dead pid; reused pid) is taken over; a live holder is named', async () => {
  const dir = tmp('stale');
  const gin = write(dir, 't.gin', TINY.replace('training_steps = 10', 'training_steps = 2'));
  const model = path.join(dir, 'run');
  // A pid that no longer exists.
  const dead = spawn('true');
  await new Promise((r) => dead.on('exit', r));
  fakeLock(model, { pid: dead.pid });
  const r1 = await run(['train', '--gin_config', gin, '--model_dir', model, '--quiet']);
  expect(r1.code).toBe(0);
  // A live pid whose process started after the lock was written: the pid was reused.
  const s = sleeper();
  try {
    fakeLock(model, { pid: s.pid, procStart: '1' });
    expect(lockHolder(model)).toBeNull();
    fakeLock(model, { pid: s.pid, procStart: null });
    expect(lockHolder(model)?.pid).toBe(s.pid);
    // eval opens the run directory the same way.
    const r2 = await run(['eval', '--model_dir', model]);
    expectCleanError(r2, new RegExp(`is in use by 'gan train' \\(pid ${s.pid} on `));
    // A lock from another host cannot be checked: it is respected and named.
    fakeLock(model, { pid: 1, hostname: 'elsewhere.example' });
    const r3 = await run(['train', '--gin_config', gin, '--model_dir', model, '--quiet']);
    expectCleanError(r3, /in use by 'gan train' \(pid 1 on elsewhere\.example.*if that process no longer exists, delete .*\.lock/s);
  } finally {
    s.kill();
  }
});

test('lockDirectory: exclusive across holders, re-entrant in one process, released on release()', () => {
  const dir = tmp('unit');
  const release = lockDirectory(dir, 'gan test');
  expect(lockHolder(dir)?.pid).toBe(process.pid);
  const inner = lockDirectory(dir, 'gan test');
  inner();
  expect(lockHolder(dir)?.pid).toBe(process.pid);
  release();
  expect(fs.existsSync(path.join(dir, '.lock'))).toBe(false);
  // A lock left by this process without a live holder (a crashed in-process run) is stale.
  fakeLock(dir, { pid: process.pid });
  lockDirectory(dir, 'gan test')();
});

maybe(BUILT && HAS_REDIS)('a local sweep run and a --queue run on one --sweep_dir: the second is refused', async () => {
  const redis = await startRedis();
  const dir = tmp('sweeplock');
  const sweep = write(dir, 's.gin', "sweep.grid = {'ModularGAN.g_lr': [1e-4, 2e-4]}\n");
  const sweepDir = path.join(dir, 'sd');
  const env = { FAKE_STEPS: '2000', FAKE_STEP_MS: '50' };
  try {
    const local = start(['sweep', 'run', sweep, '--sweep_dir', sweepDir, '--workers', '2', '--trial_command', `${process.execPath} ${FAKE_TRAIN}`], { env });
    await new Promise<void>((resolve) => {
      const t = setInterval(() => {
        if (fs.existsSync(path.join(sweepDir, '.lock'))) (clearInterval(t), resolve());
      }, 50);
    });
    const queued = await run(['sweep', 'run', sweep, '--sweep_dir', sweepDir, '--queue', redis.url, '--detach', '--trial_command', `${process.execPath} ${FAKE_TRAIN}`], { env });
    expectCleanError(queued, /Sweep directory .*sd is in use by 'gan sweep run' \(pid \d+/);
    const again = await run(['sweep', 'run', sweep, '--sweep_dir', sweepDir, '--trial_command', `${process.execPath} ${FAKE_TRAIN}`], { env });
    expectCleanError(again, /is in use by 'gan sweep run'/);
    // The refused runs enqueued nothing and started no trial: each trial was started once.
    for (const id of fs.readdirSync(sweepDir).filter((n) => /^[0-9a-f]{12}$/.test(n))) {
      expect(fs.readFileSync(path.join(sweepDir, id, 'trial.log'), 'utf8').match(/^=== /gm)).toHaveLength(1);
    }
    local.child.kill('SIGINT');
    const r = await local.done;
    expect(r.code).toBe(130);
    expect(r.output).toMatch(/interrupted: run the same command again to resume/);
    expectNoStack(r.output);
    expect(fs.existsSync(path.join(sweepDir, '.lock'))).toBe(false);
  } finally {
    await redis.stop();
  }
});
