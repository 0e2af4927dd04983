/**
 * `gan sweep plan|run|worker|results|best`: hyperparameter sweeps (docs/SWEEPS.md).
 *
 *   gan sweep plan SWEEP.gin [--json]                  list the trials and their ids
 *   gan sweep run SWEEP.gin --sweep_dir DIR [--workers N] [--queue redis://HOST:PORT]
 *   gan sweep worker --queue redis://HOST:PORT --sweep_dir DIR [--exit_when_done]
 *   gan sweep results DIR [--sort METRIC] [--mode min|max]
 *   gan sweep best DIR [--metric METRIC] [--mode min|max]
 */
import { spawn, ChildProcess } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Command, Option } from 'commander';
import { RunError } from '../errors';
import { Io } from '../io';
import { registerSweepConfigurables } from '../sweep/configurables';
import { SweepError } from '../sweep/errors';
import { loadSweep, LoadedSweep } from '../sweep/load';
import { runLocal, TrialEvent } from '../sweep/local';
import { newestOperativeConfig } from '../sweep/metrics';
import { makeView, watch } from '../sweep/progress';
import { checkRedis, defaultQueueName, enqueueTrials, parseQueueUrl, queueStates, RedisTarget, runWorker, vanishedError, vanishedTrials } from '../sweep/queue';
import { bestRow, collectResults, resultsTable, shortText, writeResults } from '../sweep/results';
import { writeReport } from '../sweep/report';
import { ensureSweepDir, readStatus, toRecord, TrialRecord, trialDir, writePlan, writeStatus } from '../sweep/state';
import { lockDirectory } from '../run/lock';
import { processTrialRunner, resolveTrialCommand } from '../sweep/trial_process';
import { collect, positiveInt } from './common';

// Registered at load so that `gan train --gin_config SWEEP.gin` (each trial) accepts the
// sweep.* statements of its own sweep file: they are bindings of a configurable never called.
registerSweepConfigurables();

type Run = (p: Promise<unknown>) => void;

/** The registry a sweep file is validated against: everything `gan train` registers. */
async function loadRegistry(): Promise<void> {
  await import('../wiring/container');
}

async function planFromFile(file: string, searchPath: string[]): Promise<LoadedSweep> {
  if (!fs.existsSync(file)) throw new SweepError(`Sweep file '${file}' does not exist.`, 'pass the path of a .gin file with sweep.grid / sweep.random statements');
  await loadRegistry();
  return loadSweep(file, { searchPaths: searchPath });
}

const label = (t: TrialRecord) => t.bindings.map((b) => `${b.key.split('.').pop()}=${shortText(b.text)}`).join(' ');

interface RunFlags {
  sweep_dir: string;
  workers?: number;
  queue?: string;
  queue_name?: string;
  max_attempts: number;
  retry_failed?: boolean;
  trial_command?: string;
  detach?: boolean;
  lock_duration_ms: number;
  stalled_interval_ms: number;
  redis_timeout_ms: number;
  search_path: string[];
}

function abortOnSignals(): { signal: AbortSignal; dispose: () => void } {
  const ac = new AbortController();
  const onSig = () => ac.abort();
  process.once('SIGINT', onSig);
  process.once('SIGTERM', onSig);
  return { signal: ac.signal, dispose: () => (process.off('SIGINT', onSig), process.off('SIGTERM', onSig)) };
}

async function runCommand(file: string, flags: RunFlags, io: Io): Promise<void> {
  if (!flags.sweep_dir) throw new SweepError('--sweep_dir is required.', 'pass --sweep_dir sweeps/NAME: each trial becomes a run directory inside it');
  const sweep = await planFromFile(file, flags.search_path);
  const sweepDir = path.resolve(flags.sweep_dir);
  const trials = sweep.trials.map((t) => toRecord(t, sweep.file));
  const target = flags.queue ? parseQueueUrl(flags.queue) : undefined;
  const name = flags.queue_name ?? defaultQueueName(sweepDir);
  // Everything that can be checked is checked before the sweep directory is touched.
  const command = resolveTrialCommand(flags.trial_command);
  if (target) await checkRedis(target);
  ensureSweepDir(sweepDir);
  // One `gan sweep run` per sweep directory, local or --queue (workers lock each trial's run directory).
  const release = lockDirectory(sweepDir, `gan sweep run${target ? ' --queue' : ''}`, 'sweep directory');
  try {
    await runLocked(sweepDir, sweep, trials, target, name, command, flags, io);
  } finally {
    release();
  }
}

async function runLocked(sweepDir: string, sweep: LoadedSweep, trials: TrialRecord[], target: RedisTarget | undefined, name: string, command: string[], flags: RunFlags, io: Io): Promise<void> {
  writePlan(sweepDir, { sweepFile: sweep.file, keys: sweep.keys, trials, metric: sweep.spec.metric, mode: sweep.spec.mode, queue: target ? { url: target.url, name } : undefined });
  const { signal, dispose } = abortOnSignals();
  const view = makeView(io.progressStream, (s) => io.err(s));
  const views = trials.map((t) => ({ id: t.id, label: label(t) }));
  try {
    if (!target) {
      const workers = flags.workers ?? os.cpus().length;
      io.err(`sweep: ${trials.length} trials in ${sweepDir}, ${workers} local worker${workers === 1 ? '' : 's'}\n`);
      let finished = false;
      // Failure reasons as runLocal saw them (status.json may be the very file that could not be written).
      const errors = new Map<string, string>();
      const onEvent = (e: TrialEvent) => {
        if (e.type === 'failed') errors.set(e.id, e.error);
      };
      const running = runLocal({ sweepDir, trials, runner: processTrialRunner(command), workers, maxAttempts: flags.max_attempts, retryFailed: flags.retry_failed, signal, onEvent }).finally(() => {
        finished = true;
      });
      await watch(sweepDir, views, view, { isFinished: () => finished, signal });
      const summary = await running;
      report(io, sweepDir, summary.done.length, summary.failed, summary.skipped.length, summary.interrupted, errors);
      return;
    }
    const enq = await enqueueTrials(target, name, sweepDir, trials, { maxAttempts: flags.max_attempts, retryFailed: flags.retry_failed });
    io.err(`sweep: queue '${name}' at ${target.url}: ${enq.added.length} trials enqueued, ${enq.alreadyQueued.length} already queued, ${enq.skipped.length} finished earlier\n`);
    if (flags.detach) {
      io.err(`start workers with: gan sweep worker --queue ${target.url} --sweep_dir ${sweepDir}\n`);
      return;
    }
    const children: ChildProcess[] = [];
    for (let i = 0; i < (flags.workers ?? 0); i++) {
      const args = [path.resolve(__dirname, '../../bin/gan.js'), 'sweep', 'worker', '--queue', target.url, '--sweep_dir', sweepDir, '--queue_name', name, '--exit_when_done',
        '--lock_duration_ms', String(flags.lock_duration_ms), '--stalled_interval_ms', String(flags.stalled_interval_ms), '--redis_timeout_ms', String(flags.redis_timeout_ms), ...(flags.trial_command ? ['--trial_command', flags.trial_command] : [])];
      children.push(spawn(process.execPath, args, { stdio: ['ignore', 'ignore', 'inherit'], env: process.env }));
    }
    const ids = trials.map((t) => t.id);
    let lastQueueCheck = 0;
    let redisDownSince = 0;
    let lost: SweepError | null = null;
    const final = await watch(sweepDir, views, view, {
      signal,
      isFinished: async (vs) => {
        if (Date.now() - lastQueueCheck > 2000) {
          // Jobs BullMQ gave up on without a worker noting it (e.g. stalled too often).
          lastQueueCheck = Date.now();
          const states = await withinMs(queueStates(target, name, ids), 5000).then(
            (m) => {
              redisDownSince = 0;
              return m;
            },
            () => {
              redisDownSince ||= Date.now();
              return null;
            },
          );
          if (!states) {
            if (Date.now() - redisDownSince > flags.redis_timeout_ms) {
              lost = new SweepError(`Lost the connection to Redis at ${target.url} for ${Math.round((Date.now() - redisDownSince) / 1000)} s.`, 'start redis-server again, then run the same command again (finished trials are kept, interrupted ones resume)');
              return true;
            }
            return false;
          }
          const gone = vanishedTrials(sweepDir, ids, states);
          if (gone.length) {
            lost = vanishedError(sweepDir, target.url, gone);
            return true;
          }
          for (const [id, s] of states) {
            const st = readStatus(sweepDir, id);
            if (s.state === 'failed' && st && st.state !== 'failed' && st.state !== 'done') writeStatus(sweepDir, id, { ...st, state: 'failed', error: s.failedReason ?? 'failed' });
          }
        }
        return vs.every((v) => v.state === 'done' || v.state === 'failed');
      },
    });
    for (const c of children) if (c.exitCode === null) c.kill('SIGTERM');
    if (lost) throw lost;
    // Like a local run, report what this run did: trials finished earlier are only counted.
    const earlier = new Set(enq.skipped);
    const failed = final.filter((v) => v.state === 'failed' && !earlier.has(v.id)).map((v) => v.id);
    report(io, sweepDir, final.filter((v) => v.state === 'done' && !earlier.has(v.id)).length, failed, enq.skipped.length, signal.aborted);
  } finally {
    dispose();
  }
}

function readStatusQuiet(sweepDir: string, id: string) {
  try {
    return readStatus(sweepDir, id);
  } catch {
    return undefined;
  }
}

/** `p`, or a rejection after `ms` (a Redis command waits forever while Redis is down). */
function withinMs<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([p, new Promise<T>((_, reject) => (timer = setTimeout(() => reject(new Error('timeout')), ms)))]).finally(() => clearTimeout(timer));
}

function report(io: Io, sweepDir: string, done: number, failed: string[], skipped: number, interrupted: boolean, errors = new Map<string, string>()): void {
  io.err(`sweep: ${done} trials done, ${failed.length} failed, ${skipped} skipped (finished earlier)${interrupted ? '; interrupted: run the same command again to resume' : ''}\n`);
  for (const id of failed) io.err(`  failed: ${id}: ${(readStatusQuiet(sweepDir, id)?.error ?? errors.get(id) ?? '').split('\n')[0]} (log: ${path.join(trialDir(sweepDir, id), 'trial.log')})\n`);
  io.err(`results: gan sweep results ${sweepDir}\n`);
  if (failed.length) process.exitCode = 1;
  if (interrupted) process.exitCode = 130;
}

function sweepDirArg(dir: string): string {
  if (!fs.existsSync(dir)) throw new SweepError(`Sweep directory '${dir}' does not exist.`, "pass the --sweep_dir given to 'gan sweep run'");
  return dir;
}

const modeOption = () => new Option('--mode <mode>', "whether lower ('min') or higher ('max') is better; default from the metric's name").choices(['min', 'max']);
const ms = (name: string) => positiveInt(name);

export function registerSweep(program: Command, io: Io, run: Run): void {
  const cmd = program.command('sweep').description('Hyperparameter sweeps: plan, run locally or on a Redis queue, and compare results (docs/SWEEPS.md).');

  cmd
    .command('plan')
    .description('List the trials of a sweep file (their ids and bindings) without running anything.')
    .argument('<sweep>', 'the sweep .gin file')
    .option('-I, --search_path <dir>', 'directory searched for included files (repeatable)', collect, [])
    .addOption(new Option('--search-path <dir>', 'alias of --search_path').argParser(collect).default([]).hideHelp())
    .option('--json', 'print the trials as JSON')
    .action((file: string, o: { json?: boolean; search_path: string[]; searchPath?: string[] }) =>
      run(
        (async () => {
          const s = await planFromFile(file, [...o.search_path, ...(o.searchPath ?? [])]);
          if (o.json) {
            io.out(JSON.stringify({ file: s.file, keys: s.keys, trials: s.trials.map((t) => ({ id: t.id, bindings: t.lines })) }, null, 2) + '\n');
            return;
          }
          io.out(`# ${s.trials.length} trials over ${s.keys.length} swept binding${s.keys.length === 1 ? '' : 's'}: ${s.keys.join(', ')}\n`);
          for (const t of s.trials) io.out(`${t.id}  ${t.lines.join('; ')}\n`);
        })(),
      ),
    );

  cmd
    .command('run')
    .description('Run every trial of a sweep file, each a run directory under --sweep_dir; re-running skips finished trials and resumes interrupted ones.')
    .argument('<sweep>', 'the sweep .gin file')
    .option('--sweep_dir <dir>', 'where the trials run (one run directory per trial id)')
    .option('--workers <n>', 'trials at a time (local: default one per core; with --queue: local workers to start, default 0)', positiveInt('--workers'))
    .option('--queue <url>', 'enqueue the trials on Redis (redis://HOST:PORT) for `gan sweep worker`s')
    .option('--queue_name <name>', 'BullMQ queue name (default: gan-sweep-<sweep_dir name>)')
    .option('--max_attempts <n>', 'attempts per trial before it is marked failed', positiveInt('--max_attempts'), 3)
    .option('--retry_failed', 'run trials that failed in an earlier run again')
    .option('--trial_command <cmd>', `command that runs a trial (default: this gan's train; env GAN_SWEEP_TRIAL_COMMAND)`)
    .option('--detach', 'with --queue: enqueue and return without waiting')
    .option('--lock_duration_ms <ms>', 'queue: a dead worker\'s trial is retried after this long', ms('--lock_duration_ms'), 30000)
    .option('--stalled_interval_ms <ms>', 'queue: how often workers look for stalled trials', ms('--stalled_interval_ms'), 30000)
    .option('--redis_timeout_ms <ms>', 'queue: stop with an error when Redis stays unreachable this long', ms('--redis_timeout_ms'), 30000)
    .option('-I, --search_path <dir>', 'directory searched for included files (repeatable)', collect, [])
    .addOption(new Option('--search-path <dir>', 'alias of --search_path').argParser(collect).default([]).hideHelp())
    .action((file: string, o: RunFlags & { searchPath?: string[] }) => run(runCommand(file, { ...o, search_path: [...o.search_path, ...(o.searchPath ?? [])] }, io)));

  cmd
    .command('worker')
    .description('Pull trials from a Redis queue and run them under --sweep_dir (shared storage), one at a time.')
    .requiredOption('--queue <url>', 'redis://HOST:PORT')
    .requiredOption('--sweep_dir <dir>', 'the sweep directory (the same storage as `gan sweep run`)')
    .option('--queue_name <name>', 'BullMQ queue name (default: gan-sweep-<sweep_dir name>)')
    .option('--exit_when_done', 'exit once the queue is empty instead of waiting for more trials')
    .option('--trial_command <cmd>', `command that runs a trial (default: this gan's train; env GAN_SWEEP_TRIAL_COMMAND)`)
    .option('--lock_duration_ms <ms>', 'job lock duration', ms('--lock_duration_ms'), 30000)
    .option('--stalled_interval_ms <ms>', 'stalled-job check interval', ms('--stalled_interval_ms'), 30000)
    .option('--redis_timeout_ms <ms>', 'stop with an error when Redis stays unreachable this long', ms('--redis_timeout_ms'), 30000)
    .action((o: { queue: string; sweep_dir: string; queue_name?: string; exit_when_done?: boolean; trial_command?: string; lock_duration_ms: number; stalled_interval_ms: number; redis_timeout_ms: number }) =>
      run(
        (async () => {
          const target = parseQueueUrl(o.queue);
          const sweepDir = path.resolve(o.sweep_dir);
          ensureSweepDir(sweepDir);
          const name = o.queue_name ?? defaultQueueName(sweepDir);
          const { signal, dispose } = abortOnSignals();
          io.err(`worker ${process.pid}: queue '${name}' at ${target.url}, sweep dir ${sweepDir}\n`);
          try {
            const r = await runWorker({
              target, name, sweepDir, signal, exitWhenDone: o.exit_when_done,
              runner: processTrialRunner(resolveTrialCommand(o.trial_command)),
              lockDurationMs: o.lock_duration_ms, stalledIntervalMs: o.stalled_interval_ms, redisTimeoutMs: o.redis_timeout_ms,
              log: (l) => io.err(`worker ${process.pid}: ${l}\n`),
            });
            io.err(`worker ${process.pid}: ran ${r.ran} trial attempt${r.ran === 1 ? '' : 's'}${signal.aborted ? '; interrupted' : ''}\n`);
            // A worker told to stop (SIGTERM from its supervisor) stops cleanly: exit 0, its trial requeued.
          } finally {
            dispose();
          }
        })(),
      ),
    );

  cmd
    .command('results')
    .description('Print a table of the trials (swept bindings, final and best metrics, steps, wall time); write results.csv, results.json and report.html.')
    .argument('<sweep_dir>', 'the sweep directory')
    .option('--sort <metric>', 'rank trials by this metric (default: sweep.metric, else fid, else the first)')
    .addOption(modeOption())
    .action((dir: string, o: { sort?: string; mode?: 'min' | 'max' }) =>
      run(
        (async () => {
          const res = collectResults(sweepDirArg(dir), { metric: o.sort, mode: o.mode });
          io.out(resultsTable(res));
          const files = writeResults(res);
          const html = writeReport(res);
          io.err(`wrote ${files.csv}, ${files.json}, ${html}\n`);
        })(),
      ),
    );

  cmd
    .command('best')
    .description('Print the operative config of the best trial, ready to share or train from.')
    .argument('<sweep_dir>', 'the sweep directory')
    .option('--metric <metric>', 'the metric to rank by (default: sweep.metric, else fid, else the first)')
    .addOption(modeOption())
    .action((dir: string, o: { metric?: string; mode?: 'min' | 'max' }) =>
      run(
        (async () => {
          const res = collectResults(sweepDirArg(dir), { metric: o.metric, mode: o.mode });
          const best = bestRow(res);
          if (!best || !res.metric) throw new SweepError(`No trial in ${dir} has logged ${res.metric ? `'${res.metric}'` : 'any metric'} yet.`, 'wait for trials to log metrics, or pick another --metric');
          const file = newestOperativeConfig(trialDir(res.sweepDir, best.id));
          if (!file) throw new RunError(`The best trial (${best.id}) has no operative_config-*.gin.`, `look at ${path.join(trialDir(res.sweepDir, best.id), 'trial.log')}`);
          io.out(`# Best trial ${best.id} of ${path.resolve(dir)}: ${res.metric} = ${best.best[res.metric]} (${res.mode}), ${best.steps} steps\n`);
          for (const [k, v] of Object.entries(best.bindings)) io.out(`#   ${k} = ${v}\n`);
          io.out(`# from ${file}\n\n`);
          io.out(fs.readFileSync(file, 'utf8'));
        })(),
      ),
    );
}
