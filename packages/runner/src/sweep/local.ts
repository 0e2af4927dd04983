/**
 * Local execution: runs the planned trials with at most N trial processes at a time. Finished
 * trials are skipped, interrupted ones run again (the train command resumes from its
 * checkpoints), a failing trial is retried up to `maxAttempts` times and then marked failed
 * with its error while the others go on.
 */
import { formatError } from '../errors';
import { lockDirectory } from '../run/lock';
import { readStatus, TrialRecord, trialDir, workerName, writeStatus } from './state';
import { TrialResult, TrialRunner } from './trial_process';

export type TrialEvent =
  | { type: 'skipped'; id: string; state: 'done' | 'failed' }
  | { type: 'queued'; id: string }
  | { type: 'started'; id: string; attempt: number }
  | { type: 'retrying'; id: string; attempt: number; error: string }
  | { type: 'done'; id: string; result: TrialResult }
  | { type: 'failed'; id: string; error: string; attempts: number };

export interface LocalRunOptions {
  sweepDir: string;
  trials: TrialRecord[];
  runner: TrialRunner;
  workers: number;
  maxAttempts?: number;
  /** Run trials that failed in an earlier run again (default: skip them). */
  retryFailed?: boolean;
  onEvent?: (e: TrialEvent) => void;
  signal?: AbortSignal;
}

export interface LocalRunSummary {
  done: string[];
  failed: string[];
  skipped: string[];
  interrupted: boolean;
}

export async function runLocal(opts: LocalRunOptions): Promise<LocalRunSummary> {
  const maxAttempts = opts.maxAttempts ?? 3;
  const emit = opts.onEvent ?? (() => {});
  const summary: LocalRunSummary = { done: [], failed: [], skipped: [], interrupted: false };
  const release = lockDirectory(opts.sweepDir, 'gan sweep run', 'sweep directory');
  try {
    const pending: Array<{ trial: TrialRecord; attempt: number }> = [];
    for (const trial of opts.trials) {
      const st = readStatus(opts.sweepDir, trial.id);
      if (st?.state === 'done' || (st?.state === 'failed' && !opts.retryFailed)) {
        summary.skipped.push(trial.id);
        emit({ type: 'skipped', id: trial.id, state: st.state });
        continue;
      }
      if (st && st.state !== 'queued') writeStatus(opts.sweepDir, trial.id, { ...st, state: 'queued', error: undefined });
      // Attempts restart per invocation; the total is kept in status.json.
      pending.push({ trial, attempt: 1 });
      emit({ type: 'queued', id: trial.id });
    }
    // A trial whose bookkeeping fails (its directory unwritable, the disk full) is reported
    // failed with that one-line reason; the other trials go on.
    const runOne = async (trial: TrialRecord, attempt: number): Promise<void> => {
      try {
        await runAttempt(trial, attempt);
      } catch (e) {
        const error = formatError(e).replace(/^error: /, '').split('\n')[0];
        try {
          writeStatus(opts.sweepDir, trial.id, { ...(readStatus(opts.sweepDir, trial.id) ?? { attempts: attempt }), state: 'failed', error });
        } catch {
          /* the same fault; reported below */
        }
        summary.failed.push(trial.id);
        emit({ type: 'failed', id: trial.id, error, attempts: attempt });
      }
    };
    const runAttempt = async (trial: TrialRecord, attempt: number): Promise<void> => {
      const prev = readStatus(opts.sweepDir, trial.id) ?? { state: 'queued', attempts: 0 };
      const startedAt = new Date().toISOString();
      writeStatus(opts.sweepDir, trial.id, { ...prev, state: 'running', attempts: prev.attempts + 1, startedAt, worker: workerName(), error: undefined });
      emit({ type: 'started', id: trial.id, attempt });
      const result = await opts.runner(trial, trialDir(opts.sweepDir, trial.id), { signal: opts.signal });
      const wall = (prev.wallTimeSec ?? 0) + result.wallTimeSec;
      const base = { attempts: prev.attempts + 1, startedAt, finishedAt: new Date().toISOString(), wallTimeSec: wall, worker: workerName() };
      if (opts.signal?.aborted) {
        writeStatus(opts.sweepDir, trial.id, { ...base, state: 'queued', error: 'interrupted' });
        return;
      }
      if (result.ok) {
        writeStatus(opts.sweepDir, trial.id, { ...base, state: 'done' });
        summary.done.push(trial.id);
        emit({ type: 'done', id: trial.id, result });
      } else if (attempt < maxAttempts) {
        writeStatus(opts.sweepDir, trial.id, { ...base, state: 'queued', error: result.error });
        emit({ type: 'retrying', id: trial.id, attempt, error: result.error ?? '' });
        pending.push({ trial, attempt: attempt + 1 });
      } else {
        writeStatus(opts.sweepDir, trial.id, { ...base, state: 'failed', error: result.error });
        summary.failed.push(trial.id);
        emit({ type: 'failed', id: trial.id, error: result.error ?? '', attempts: attempt });
      }
    };
    const workers = Math.max(1, Math.floor(opts.workers));
    const lanes = Array.from({ length: workers }, async () => {
      while (!opts.signal?.aborted) {
        const next = pending.shift();
        if (!next) return;
        await runOne(next.trial, next.attempt);
      }
    });
    await Promise.all(lanes);
    summary.interrupted = Boolean(opts.signal?.aborted);
    return summary;
  } finally {
    release();
  }
}
