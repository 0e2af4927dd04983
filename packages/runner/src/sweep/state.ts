/**
 * The on-disk state of a sweep. Each trial owns one directory, `DIR/<trial id>/`, and nothing
 * outside it: `trial.json` (its bindings), `status.json` (queued/running/done/failed, attempts,
 * error, wall time), `trial.log` (the trial process's output), plus whatever the train command
 * writes (operative config, checkpoints, metrics.jsonl). `DIR/sweep.json` lists the plan.
 * Every JSON file is written to a temporary file and renamed, so a crash or a full disk leaves
 * the previous version intact.
 */
// The default import is the fs module object itself, so tests can simulate a full disk.
import fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { clip, fileSystemError } from '../errors';
import { SweepError } from './errors';
import { Trial } from './plan';

export type TrialState = 'queued' | 'running' | 'done' | 'failed';

export interface TrialStatus {
  state: TrialState;
  attempts: number;
  error?: string;
  startedAt?: string;
  finishedAt?: string;
  /** Seconds spent running, summed over attempts. */
  wallTimeSec?: number;
  worker?: string;
}

export interface TrialRecord {
  id: string;
  lines: string[];
  bindings: Array<{ key: string; text: string }>;
  sweepFile: string;
}

export interface SweepManifest {
  sweepFile: string;
  keys: string[];
  trials: TrialRecord[];
  metric?: string;
  mode?: 'min' | 'max';
  queue?: { url: string; name: string };
  updatedAt: string;
}

export function writeJsonAtomic(file: string, value: unknown): void {
  const tmp = `${file}.tmp-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
  try {
    fs.writeFileSync(tmp, JSON.stringify(value, null, 2) + '\n');
    fs.renameSync(tmp, file);
  } catch (e) {
    fs.rmSync(tmp, { force: true });
    const code = (e as NodeJS.ErrnoException).code;
    if (!code) throw e;
    const fe = fileSystemError(Object.assign(e as object, { path: file, dest: undefined, syscall: 'write' }));
    throw new SweepError(
      `${fe ? fe.message.replace(/\.$/, '') : `Cannot write ${file}: ${(e as Error).message}`}. Its previous version is intact.`,
      code === 'ENOSPC' || code === 'EDQUOT'
        ? 'free some disk space, then run the same command again: finished trials are kept and interrupted ones resume'
        : 'check that the sweep directory is writable',
    );
  }
}

export function readJson<T>(file: string): T | undefined {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8')) as T;
  } catch {
    return undefined;
  }
}

export const trialDir = (sweepDir: string, id: string) => path.join(sweepDir, id);
export const workerName = () => `${os.hostname()}:${process.pid}`;

export function toRecord(t: Trial, sweepFile: string): TrialRecord {
  return { id: t.id, lines: t.lines, bindings: t.bindings.map((b) => ({ key: b.key, text: b.text })), sweepFile };
}

/** Creates the trial directories and `sweep.json`; existing trials keep their state. */
export function writePlan(sweepDir: string, manifest: Omit<SweepManifest, 'updatedAt'>): void {
  ensureSweepDir(sweepDir);
  for (const t of manifest.trials) {
    const dir = trialDir(sweepDir, t.id);
    try {
      fs.mkdirSync(dir, { recursive: true });
    } catch (e) {
      throw fileSystemError(e, `trial ${t.id} of sweep ${sweepDir}`) ?? e;
    }
    if (!fs.existsSync(path.join(dir, 'trial.json'))) writeJsonAtomic(path.join(dir, 'trial.json'), t);
    if (!fs.existsSync(path.join(dir, 'status.json'))) writeStatus(sweepDir, t.id, { state: 'queued', attempts: 0 });
  }
  // Keep trials planned by earlier versions of the sweep file listed (their results still count).
  let old: SweepManifest | undefined;
  try {
    old = readManifest(sweepDir);
  } catch (e) {
    if (!(e instanceof SweepError)) throw e; // a damaged sweep.json is rewritten from the plan
  }
  const ids = new Set(manifest.trials.map((t) => t.id));
  const kept = (old?.trials ?? []).filter((t) => !ids.has(t.id));
  const keys = [...new Set([...manifest.keys, ...(old?.keys ?? [])])];
  writeJsonAtomic(path.join(sweepDir, 'sweep.json'), { ...manifest, keys, trials: [...manifest.trials, ...kept], updatedAt: new Date().toISOString() });
}

/** Creates the sweep directory (a file in its place, or no permission, is a one-line error). */
export function ensureSweepDir(sweepDir: string): void {
  try {
    if (fs.existsSync(sweepDir) && !fs.statSync(sweepDir).isDirectory()) {
      throw new SweepError(`--sweep_dir '${sweepDir}' is a file, not a folder.`, 'pass a folder (it is created when missing)');
    }
    fs.mkdirSync(sweepDir, { recursive: true });
  } catch (e) {
    throw fileSystemError(e, `--sweep_dir ${sweepDir}`) ?? e;
  }
}

/** sweep.json: undefined when missing; a damaged one is an error naming it. */
export function readManifest(sweepDir: string): SweepManifest | undefined {
  const file = path.join(sweepDir, 'sweep.json');
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw fileSystemError(e) ?? e;
  }
  let m: SweepManifest;
  try {
    m = JSON.parse(text);
  } catch (e) {
    throw new SweepError(`${file} is damaged: it is not valid JSON (${clip((e as Error).message)}).`, "run 'gan sweep run SWEEP.gin --sweep_dir ...' again to rewrite it (finished trials are kept)");
  }
  if (!m || !Array.isArray(m.trials)) throw new SweepError(`${file} is damaged: it has no list of trials.`, "run 'gan sweep run SWEEP.gin --sweep_dir ...' again to rewrite it (finished trials are kept)");
  return m;
}

export function readStatus(sweepDir: string, id: string): TrialStatus | undefined {
  return readJson<TrialStatus>(path.join(trialDir(sweepDir, id), 'status.json'));
}

export function writeStatus(sweepDir: string, id: string, s: TrialStatus): void {
  writeJsonAtomic(path.join(trialDir(sweepDir, id), 'status.json'), s);
}

export function readTrial(sweepDir: string, id: string): TrialRecord | undefined {
  return readJson<TrialRecord>(path.join(trialDir(sweepDir, id), 'trial.json'));
}

/** The last `max` characters of a trial's log (for error messages). */
export function logTail(sweepDir: string, id: string, max = 1500): string {
  try {
    const text = fs.readFileSync(path.join(trialDir(sweepDir, id), 'trial.log'), 'utf8');
    return text.slice(-max).trim();
  } catch {
    return '';
  }
}
