/**
 * Family: sweeps under faults, with real processes, signals and a real redis-server: a bad
 * trial command, a damaged sweep.json, Ctrl-C to the sweep's process group, Redis unreachable,
 * stopped mid-sweep, and restarted empty.
 */
import * as fs from 'fs';
import * as path from 'path';
import { BUILT, expectCleanError, expectNoStack, FAKE_TRAIN, HAS_REDIS, maybe, run, start, startRedis, tmp, until, write } from './helpers';

jest.setTimeout(120000);

const FAKE = `${process.execPath} ${FAKE_TRAIN}`;
const GRID6 = "sweep.grid = {'ModularGAN.g_lr': [1e-4, 2e-4, 3e-4, 4e-4, 5e-4, 6e-4]}\n";
const trialDirs = (sd: string) => fs.readdirSync(sd).filter((n) => /^[0-9a-f]{12}$/.test(n)).map((n) => path.join(sd, n));

maybe(BUILT)('--trial_command "[bad json": one line, nothing written', async () => {
  const dir = tmp('badcmd');
  const sweep = write(dir, 's.gin', GRID6);
  const sd = path.join(dir, 'sd');
  expectCleanError(await run(['sweep', 'run', sweep, '--sweep_dir', sd, '--trial_command', '[bad json']), /The trial command '\[bad json' is not valid JSON/);
  expect(fs.existsSync(sd)).toBe(false);
});

maybe(BUILT)('a damaged sweep.json is named; sweep run rewrites it', async () => {
  const dir = tmp('badjson');
  const sweep = write(dir, 's.gin', "sweep.grid = {'ModularGAN.g_lr': [1e-4]}\n");
  const sd = path.join(dir, 'sd');
  expect((await run(['sweep', 'run', sweep, '--sweep_dir', sd, '--trial_command', FAKE])).code).toBe(0);
  fs.writeFileSync(path.join(sd, 'sweep.json'), '{ "trials": [ torn');
  expectCleanError(await run(['sweep', 'results', sd]), /sweep.json is damaged: it is not valid JSON/);
  expect((await run(['sweep', 'run', sweep, '--sweep_dir', sd, '--trial_command', FAKE])).code).toBe(0);
  expect((await run(['sweep', 'results', sd])).code).toBe(0);
});

maybe(BUILT)("Ctrl-C to the sweep's process group: each trial gets one SIGTERM, writes its stop checkpoint; exit 130", async () => {
  const dir = tmp('ctrlc');
  const sweep = write(dir, 's.gin', "sweep.grid = {'ModularGAN.g_lr': [1e-4, 2e-4]}\n");
  const sd = path.join(dir, 'sd');
  const p = start(['sweep', 'run', sweep, '--sweep_dir', sd, '--workers', '2', '--trial_command', FAKE], { detached: true, env: { FAKE_STEPS: '100000', FAKE_STEP_MS: '20' } });
  await until('both trials to start', () => fs.existsSync(sd) && trialDirs(sd).filter((d) => fs.existsSync(path.join(d, 'started'))).length === 2, 60000);
  // What a terminal does on Ctrl-C: SIGINT to every process of the foreground group.
  process.kill(-p.child.pid!, 'SIGINT');
  const r = await p.done;
  expect(r.code).toBe(130);
  expect(r.output).toMatch(/interrupted: run the same command again to resume/);
  expectNoStack(r.output);
  for (const d of trialDirs(sd)) {
    expect(fs.readFileSync(path.join(d, 'signals'), 'utf8').trim().split('\n')).toEqual(['SIGTERM']);
    expect(fs.existsSync(path.join(d, 'stop-checkpoints'))).toBe(true);
    expect(JSON.parse(fs.readFileSync(path.join(d, 'status.json'), 'utf8')).state).toBe('queued');
  }
});

maybe(BUILT && HAS_REDIS)('an unreachable queue: one line, and the sweep directory is not written', async () => {
  const redis = await startRedis();
  await redis.stop();
  const dir = tmp('noredis');
  const sweep = write(dir, 's.gin', GRID6);
  const sd = path.join(dir, 'sd');
  const r = await run(['sweep', 'run', sweep, '--sweep_dir', sd, '--queue', redis.url, '--trial_command', FAKE]);
  expectCleanError(r, /Cannot reach Redis at redis:\/\/127\.0\.0\.1:\d+: .*ECONNREFUSED/);
  expect(r.output.split('\n').filter(Boolean).length).toBeLessThanOrEqual(2);
  expect(fs.existsSync(sd)).toBe(false);
});

maybe(BUILT && HAS_REDIS)('Redis stopped mid-sweep: the worker says so in one line and stops with an error', async () => {
  const redis = await startRedis();
  const dir = tmp('redisdown');
  const sweep = write(dir, 's.gin', GRID6);
  const sd = path.join(dir, 'sd');
  try {
    expect((await run(['sweep', 'run', sweep, '--sweep_dir', sd, '--queue', redis.url, '--detach', '--trial_command', FAKE])).code).toBe(0);
    const w = start(['sweep', 'worker', '--queue', redis.url, '--sweep_dir', sd, '--exit_when_done', '--redis_timeout_ms', '2000', '--trial_command', FAKE], { env: { FAKE_STEPS: '10', FAKE_STEP_MS: '100' } });
    await until('a trial to start', () => trialDirs(sd).some((d) => fs.existsSync(path.join(d, 'started'))), 60000);
    await redis.stop();
    const r = await w.done;
    expectCleanError(r, /Lost the connection to Redis at redis:\/\/127\.0\.0\.1:\d+ for \d+ s; this worker stopped\./);
    expect(r.output.match(/lost the connection to Redis/g)?.length ?? 0).toBeLessThanOrEqual(1);
    expect(r.output.split('\n').length).toBeLessThan(15);
  } finally {
    await redis.stop();
  }
});

maybe(BUILT && HAS_REDIS)('Redis restarted empty mid-sweep: workers and sweep run report the vanished trials', async () => {
  let redis = await startRedis();
  const dir = tmp('redisempty');
  const sweep = write(dir, 's.gin', GRID6);
  const sd = path.join(dir, 'sd');
  try {
    const env = { FAKE_STEPS: '4', FAKE_STEP_MS: '50' };
    const runner = start(['sweep', 'run', sweep, '--sweep_dir', sd, '--queue', redis.url, '--trial_command', FAKE], { env });
    await until('the trials to be enqueued', () => /6 trials enqueued/.test(runner.output()), 60000);
    // One worker runs two trials, then Redis restarts without its data.
    const w1 = start(['sweep', 'worker', '--queue', redis.url, '--sweep_dir', sd, '--trial_command', FAKE], { env });
    await until('two trials done', () => trialDirs(sd).filter((d) => fs.existsSync(path.join(d, 'completions'))).length >= 2, 60000);
    w1.child.kill('SIGKILL');
    await w1.done;
    const port = redis.port;
    await redis.stop();
    redis = await startRedis(port);
    const w2 = await run(['sweep', 'worker', '--queue', redis.url, '--sweep_dir', sd, '--exit_when_done', '--trial_command', FAKE], { env });
    expectCleanError(w2, /unfinished trials? of .*sd (is|are) no longer on the queue at redis:.*was Redis restarted without its data\?/);
    const r = await runner.done;
    expectCleanError(r, /no longer on the queue/);
  } finally {
    await redis.stop();
  }
});
