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
import { readManifest, readStatus, readTrial, TrialRecord, trialDir, workerName, writeStatus } from './state';
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

/** A Queue whose connection errors are ours to report (BullMQ prints a stack for unheard ones). */
function openQueue<T = unknown>(name: string, t: RedisTarget, onError: (e: Error) => void = () => undefined): Queue<T> {
  const q = new Queue<T>(name, { connection: connectionOptions(t) });
  q.on('error', onError);
  return q;
}

/** Closes a BullMQ object, giving up (and dropping its connection) when Redis does not answer. */
async function closeWithin(o: { close(force?: boolean): Promise<void>; disconnect(): Promise<void> }, ms = 3000, force = false): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timedOut = await Promise.race([
    o.close(force).then(() => false, () => true),
    new Promise<boolean>((r) => {
      timer = setTimeout(() => r(true), ms);
    }),
  ]);
  clearTimeout(timer);
  if (timedOut) await within(o.disconnect(), 1000, 'a disconnect').catch(() => undefined);
}

/** `p`, or a rejection after `ms` (ioredis queues commands while disconnected, forever). */
function within<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    p,
    new Promise<T>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer to ${what} within ${ms} ms`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

/** An error message without its trailing period (ioredis ends some with one). */
const reason = (e: unknown) => ((e as Error)?.message || String(e)).replace(/\.+$/, '');

/** Fails fast, naming the URL, when Redis cannot be reached (instead of retrying forever). */
export async function checkRedis(t: RedisTarget, timeoutMs = 3000): Promise<void> {
  const client = new IORedis({ ...connectionOptions(t), lazyConnect: true, connectTimeout: timeoutMs, maxRetriesPerRequest: 0, enableOfflineQueue: false, retryStrategy: () => null });
  // The first connection error says why (ECONNREFUSED, ENOTFOUND, ...); later ones only "closed".
  let first: Error | undefined;
  client.on('error', (e) => (first ??= e));
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
    throw new SweepError(`Cannot reach Redis at ${t.url}: ${reason(first ?? e)}.`, 'start redis-server there (or check host, port and password), then run the command again');
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
  const queue = openQueue<TrialJobData>(name, target);
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
  } catch (e) {
    throw new SweepError(`Lost Redis at ${target.url} while enqueuing: ${reason(e)}.`, 'check that redis-server is running, then run the same command again (enqueuing twice never duplicates a trial)');
  } finally {
    await closeWithin(queue);
  }
  return out;
}

/** Job states of the given trials (`undefined` when the queue has no such job). */
export async function queueStates(target: RedisTarget, name: string, ids: string[]): Promise<Map<string, { state: string; failedReason?: string }>> {
  const queue = openQueue<TrialJobData>(name, target);
  try {
    const out = new Map<string, { state: string; failedReason?: string }>();
    for (const id of ids) {
      const job = await queue.getJob(jobId(id));
      if (job) out.set(id, { state: await job.getState(), failedReason: job.failedReason });
    }
    return out;
  } finally {
    await closeWithin(queue);
  }
}

/**
 * Trials of the sweep that are neither done nor failed and have no job on the queue: their
 * jobs vanished (Redis restarted without its data, or the queue was emptied by hand).
 */
export function vanishedTrials(sweepDir: string, ids: string[], states: Map<string, unknown>): string[] {
  return ids.filter((id) => {
    const st = readStatus(sweepDir, id)?.state;
    return st !== 'done' && st !== 'failed' && !states.has(id);
  });
}

export function vanishedError(sweepDir: string, url: string, ids: string[]): SweepError {
  return new SweepError(
    `${ids.length} unfinished trial${ids.length === 1 ? '' : 's'} of ${sweepDir} ${ids.length === 1 ? 'is' : 'are'} no longer on the queue at ${url} (${ids.slice(0, 3).join(', ')}${ids.length > 3 ? ', ...' : ''}): was Redis restarted without its data?`,
    "run 'gan sweep run SWEEP.gin --sweep_dir ... --queue ...' again to enqueue them (finished trials are kept); give Redis persistence (appendonly yes) to survive restarts",
  );
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
  /** Stop (with an error) when Redis stays unreachable this long. */
  redisTimeoutMs?: number;
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
  // Connection trouble: one line when it starts, one when it ends; give up after redisTimeoutMs.
  let downSince = 0;
  const onError = (e: Error) => {
    if (!downSince) {
      downSince = Date.now();
      log(`lost the connection to Redis at ${o.target.url} (${reason(e)}); retrying for ${Math.round((o.redisTimeoutMs ?? 30000) / 1000)} s`);
    }
  };
  worker.on('error', onError);
  worker.on('failed', (job, err) => {
    // Jobs given up on by the stalled-job check never reach the processor's bookkeeping.
    if (job && job.finishedOn && job.attemptsMade >= (job.opts.attempts ?? 1)) markFailed(o.sweepDir, job.data.trialId, err.message);
    else if (job && /stalled/i.test(err.message)) markFailed(o.sweepDir, job.data.trialId, err.message);
  });
  const queue = openQueue(o.name, o.target, onError);
  let failure: SweepError | null = null;
  try {
    await new Promise<void>((resolve) => {
      if (o.signal?.aborted) return resolve();
      o.signal?.addEventListener('abort', () => resolve(), { once: true });
      let idle = 0;
      const tick = async () => {
        try {
          const c = await within(queue.getJobCounts('waiting', 'active', 'delayed', 'prioritized'), 2000, 'a job count');
          if (downSince) log(`reconnected to Redis at ${o.target.url}`);
          downSince = 0;
          const pending = Object.values(c).reduce((a, b) => a + b, 0);
          idle = o.exitWhenDone && pending === 0 && !busy ? idle + 1 : 0;
        } catch (e) {
          onError(e as Error);
          idle = 0;
        }
        if (downSince && Date.now() - downSince > (o.redisTimeoutMs ?? 30000)) {
          failure = new SweepError(
            `Lost the connection to Redis at ${o.target.url} for ${Math.round((Date.now() - downSince) / 1000)} s; this worker stopped.`,
            'start redis-server again, then restart the workers (an interrupted trial resumes from its checkpoints)',
          );
          return resolve();
        }
        if (idle >= 2) {
          // The queue is empty: check that no unfinished trial of the sweep lost its job.
          const ids = (readManifestQuiet(o.sweepDir)?.trials ?? []).map((t) => t.id);
          try {
            const gone = vanishedTrials(o.sweepDir, ids, await within(queueStates(o.target, o.name, ids), 10000, 'a job listing'));
            if (gone.length) failure = vanishedError(o.sweepDir, o.target.url, gone);
          } catch {
            /* Redis went away meanwhile: nothing more to say than the exit */
          }
          return resolve();
        }
        timer = setTimeout(tick, 500);
      };
      let timer = setTimeout(tick, 500);
      o.signal?.addEventListener('abort', () => clearTimeout(timer), { once: true });
    });
  } finally {
    await closeWithin(worker, 5000, Boolean(failure));
    await closeWithin(queue);
  }
  if (failure) throw failure;
  return { ran };
}

function readManifestQuiet(sweepDir: string) {
  try {
    return readManifest(sweepDir);
  } catch {
    return undefined;
  }
}
