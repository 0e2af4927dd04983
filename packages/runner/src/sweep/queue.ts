/**
 * Distributed sweeps on a BullMQ queue in Redis. `gan sweep run --queue` enqueues one job per
 * trial (job id = `t-<trial id>`, so enqueuing twice never duplicates a trial); any number of
 * `gan sweep worker` processes pull jobs and run each trial as a child process in its run
 * directory under the shared sweep directory. A worker that dies loses its job lock; another
 * worker's stalled-job check puts the job back and it is retried (resuming from checkpoints).
 * A trial that fails `attempts` times is marked failed with its error; the others go on.
 */
import * as path from 'path';
import { Job, Queue, WaitingError, Worker } from 'bullmq';
import IORedis from 'ioredis';
import { SweepError } from './errors';
import { readStatus, readTrial, TrialRecord, trialDir, workerName, writeStatus } from './state';
import { TrialRunner } from './trial_process';

export interface RedisTarget {
  url: string;
  host: string;
  port: number;
  db: number;
  username?: string;
  password?: string;
  tls: boolean;
}

export function parseQueueUrl(url: string): RedisTarget {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new SweepError(`Invalid queue URL '${url}'.`, 'write --queue redis://HOST:PORT (optionally redis://:PASSWORD@HOST:PORT/DB)');
  }
  if (u.protocol !== 'redis:' && u.protocol !== 'rediss:') {
    throw new SweepError(`Unsupported queue URL '${url}': only redis:// and rediss:// are supported.`, 'write --queue redis://HOST:PORT');
  }
  const db = u.pathname && u.pathname !== '/' ? Number(u.pathname.slice(1)) : 0;
  if (!Number.isInteger(db) || db < 0) throw new SweepError(`Invalid Redis database '${u.pathname.slice(1)}' in '${url}'.`, 'the path of a redis:// URL is a database number, e.g. redis://HOST:PORT/0');
  return {
    url,
    host: u.hostname || '127.0.0.1',
    port: u.port ? Number(u.port) : 6379,
    db,
    username: u.username ? decodeURIComponent(u.username) : undefined,
    password: u.password ? decodeURIComponent(u.password) : undefined,
    tls: u.protocol === 'rediss:',
  };
}

function connectionOptions(t: RedisTarget) {
  return { host: t.host, port: t.port, db: t.db, username: t.username, password: t.password, tls: t.tls ? {} : undefined };
}

/** Fails fast, naming the URL, when Redis cannot be reached (instead of retrying forever). */
export async function checkRedis(t: RedisTarget, timeoutMs = 3000): Promise<void> {
  const client = new IORedis({ ...connectionOptions(t), lazyConnect: true, connectTimeout: timeoutMs, maxRetriesPerRequest: 0, enableOfflineQueue: false, retryStrategy: () => null });
  client.on('error', () => {});
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      (async () => {
        await client.connect();
        await client.ping();
      })(),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
      }),
    ]);
  } catch (e) {
    throw new SweepError(`Cannot reach Redis at ${t.url}: ${(e as Error).message || String(e)}.`, 'start redis-server there (or check host, port and password), then run the command again');
  } finally {
    if (timer) clearTimeout(timer);
    client.disconnect();
  }
}

/** The queue of a sweep directory: named after the directory, the same on every machine. */
export function defaultQueueName(sweepDir: string): string {
  return `gan-sweep-${path.basename(path.resolve(sweepDir)).replace(/[^A-Za-z0-9_.-]/g, '_')}`;
}

export const jobId = (trialId: string) => `t-${trialId}`;

export interface QueueTuning {
  /** How long a job's lock lives without renewal (a dead worker's job is retried after it). */
  lockDurationMs?: number;
  /** How often workers look for stalled jobs. */
  stalledIntervalMs?: number;
}

export interface TrialJobData {
  trialId: string;
  trial: TrialRecord;
}

export interface EnqueueSummary {
  added: string[];
  alreadyQueued: string[];
  skipped: string[];
}

/** Enqueues the trials that are not done (and not failed, unless `retryFailed`). */
export async function enqueueTrials(
  target: RedisTarget,
  name: string,
  sweepDir: string,
  trials: TrialRecord[],
  opts: { maxAttempts?: number; retryFailed?: boolean } = {},
): Promise<EnqueueSummary> {
  await checkRedis(target);
  const queue = new Queue<TrialJobData>(name, { connection: connectionOptions(target) });
  const out: EnqueueSummary = { added: [], alreadyQueued: [], skipped: [] };
  try {
    for (const trial of trials) {
      const st = readStatus(sweepDir, trial.id);
      if (st?.state === 'done' || (st?.state === 'failed' && !opts.retryFailed)) {
        out.skipped.push(trial.id);
        continue;
      }
      const existing = await queue.getJob(jobId(trial.id));
      if (existing) {
        const state = await existing.getState();
        if (state === 'failed' || state === 'completed') await existing.remove();
        else {
          out.alreadyQueued.push(trial.id);
          continue;
        }
      }
      if (st?.state === 'failed') writeStatus(sweepDir, trial.id, { ...st, state: 'queued', error: undefined });
      await queue.add('trial', { trialId: trial.id, trial }, { jobId: jobId(trial.id), attempts: opts.maxAttempts ?? 3, removeOnComplete: false, removeOnFail: false });
      out.added.push(trial.id);
    }
  } finally {
    await queue.close();
  }
  return out;
}

/** Job states of the given trials (`undefined` when the queue has no such job). */
export async function queueStates(target: RedisTarget, name: string, ids: string[]): Promise<Map<string, { state: string; failedReason?: string }>> {
  const queue = new Queue<TrialJobData>(name, { connection: connectionOptions(target) });
  try {
    const out = new Map<string, { state: string; failedReason?: string }>();
    for (const id of ids) {
      const job = await queue.getJob(jobId(id));
      if (job) out.set(id, { state: await job.getState(), failedReason: job.failedReason });
    }
    return out;
  } finally {
    await queue.close();
  }
}

export interface WorkerOptions extends QueueTuning {
  target: RedisTarget;
  name: string;
  sweepDir: string;
  runner: TrialRunner;
  /** Stop once the queue has nothing waiting, delayed or active. */
  exitWhenDone?: boolean;
  signal?: AbortSignal;
  log?: (line: string) => void;
}

/** Marks a trial failed (when BullMQ gave up on it) unless it already is. */
function markFailed(sweepDir: string, id: string, error: string): void {
  const st = readStatus(sweepDir, id);
  if (st?.state === 'done' || st?.state === 'failed') return;
  writeStatus(sweepDir, id, { ...(st ?? { attempts: 0 }), state: 'failed', error, finishedAt: new Date().toISOString() });
}

/** Pulls trials and runs them, one at a time, until stopped (or the queue is empty). */
export async function runWorker(o: WorkerOptions): Promise<{ ran: number }> {
  await checkRedis(o.target);
  const log = o.log ?? (() => {});
  const lockDuration = o.lockDurationMs ?? 30000;
  let ran = 0;
  let busy = false;
  const processor = async (job: Job<TrialJobData>, token?: string) => {
    busy = true;
    const id = job.data.trialId;
    try {
      const trial = readTrial(o.sweepDir, id) ?? job.data.trial;
      const prev = readStatus(o.sweepDir, id) ?? { state: 'queued' as const, attempts: 0 };
      if (prev.state === 'done') return { skipped: true };
      const startedAt = new Date().toISOString();
      writeStatus(o.sweepDir, id, { ...prev, state: 'running', attempts: prev.attempts + 1, startedAt, worker: workerName(), error: undefined });
      log(`trial ${id}: started (attempt ${job.attemptsMade + 1}/${job.opts.attempts ?? 1})`);
      const result = await o.runner(trial, trialDir(o.sweepDir, id), { signal: o.signal });
      ran++;
      const base = { attempts: prev.attempts + 1, startedAt, finishedAt: new Date().toISOString(), wallTimeSec: (prev.wallTimeSec ?? 0) + result.wallTimeSec, worker: workerName() };
      if (o.signal?.aborted && !result.ok) {
        // Stopped on purpose (Ctrl-C, SIGTERM): back to the queue without using an attempt.
        writeStatus(o.sweepDir, id, { ...base, state: 'queued', error: 'interrupted' });
        log(`trial ${id}: interrupted, returned to the queue`);
        await job.moveToWait(token);
        throw new WaitingError();
      }
      if (result.ok) {
        writeStatus(o.sweepDir, id, { ...base, state: 'done' });
        log(`trial ${id}: done in ${result.wallTimeSec.toFixed(1)}s`);
        return { wallTimeSec: result.wallTimeSec };
      }
      const last = job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
      writeStatus(o.sweepDir, id, { ...base, state: last ? 'failed' : 'queued', error: result.error });
      log(`trial ${id}: ${last ? 'failed' : 'failed, will retry'}: ${(result.error ?? '').split('\n')[0]}`);
      throw new Error(result.error ?? 'trial failed');
    } finally {
      busy = false;
    }
  };
  const worker = new Worker<TrialJobData>(o.name, processor, {
    connection: connectionOptions(o.target),
    concurrency: 1,
    lockDuration,
    stalledInterval: o.stalledIntervalMs ?? Math.max(1000, lockDuration),
    maxStalledCount: 2,
  });
  worker.on('error', (e) => log(`queue error: ${e.message}`));
  worker.on('failed', (job, err) => {
    // Jobs given up on by the stalled-job check never reach the processor's bookkeeping.
    if (job && job.finishedOn && job.attemptsMade >= (job.opts.attempts ?? 1)) markFailed(o.sweepDir, job.data.trialId, err.message);
    else if (job && /stalled/i.test(err.message)) markFailed(o.sweepDir, job.data.trialId, err.message);
  });
  const queue = new Queue(o.name, { connection: connectionOptions(o.target) });
  try {
    await new Promise<void>((resolve) => {
      if (o.signal?.aborted) return resolve();
      o.signal?.addEventListener('abort', () => resolve(), { once: true });
      if (!o.exitWhenDone) return;
      let idle = 0;
      const tick = async () => {
        try {
          const c = await queue.getJobCounts('waiting', 'active', 'delayed', 'prioritized');
          const pending = Object.values(c).reduce((a, b) => a + b, 0);
          idle = pending === 0 && !busy ? idle + 1 : 0;
        } catch {
          idle = 0;
        }
        if (idle >= 2) resolve();
        else timer = setTimeout(tick, 500);
      };
      let timer = setTimeout(tick, 500);
      o.signal?.addEventListener('abort', () => clearTimeout(timer), { once: true });
    });
  } finally {
    await worker.close();
    await queue.close();
  }
  return { ran };
}
