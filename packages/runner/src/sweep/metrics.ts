/**
 * Reading a trial's metrics: `metrics.jsonl` (one record per logged step, see
 * ../run/metrics_log) and `eval.jsonl` (evaluation results), plus its planned total steps
 * from the newest `operative_config-*.gin` (`options.training_steps`).
 */
import * as fs from 'fs';
import * as path from 'path';
import { readJsonl } from '../run/metrics_log';

export interface MetricSeries {
  /** Last logged step. */
  step: number;
  /** Final (last seen) and best value of every numeric field. */
  final: Record<string, number>;
  min: Record<string, number>;
  max: Record<string, number>;
  /** Wall-clock of the last record (seconds since the run started), when logged. */
  elapsedSec?: number;
  stepsPerSec?: number;
}

const SKIP = new Set(['step', 'time', 'timestamp']);

export function readMetrics(runDir: string): MetricSeries {
  const out: MetricSeries = { step: 0, final: {}, min: {}, max: {} };
  for (const name of ['metrics.jsonl', 'eval.jsonl']) {
    const file = path.join(runDir, name);
    if (!fs.existsSync(file)) continue;
    for (const r of readJsonl(file) as Array<Record<string, unknown>>) {
      if (typeof r.step === 'number') out.step = Math.max(out.step, r.step);
      const wall = r.wall as { elapsed_sec?: number; steps_per_sec?: number } | undefined;
      if (wall && typeof wall.elapsed_sec === 'number') out.elapsedSec = wall.elapsed_sec;
      if (wall && typeof wall.steps_per_sec === 'number') out.stepsPerSec = wall.steps_per_sec;
      for (const [k, v] of Object.entries(r)) {
        if (SKIP.has(k) || typeof v !== 'number' || !Number.isFinite(v)) continue;
        out.final[k] = v;
        out.min[k] = k in out.min ? Math.min(out.min[k], v) : v;
        out.max[k] = k in out.max ? Math.max(out.max[k], v) : v;
      }
    }
  }
  return out;
}

/** The last record's step only (cheap: reads the file's tail). */
export function lastStep(runDir: string): { step: number; stepsPerSec?: number } | undefined {
  const file = path.join(runDir, 'metrics.jsonl');
  let fd: number;
  try {
    fd = fs.openSync(file, 'r');
  } catch {
    return undefined;
  }
  try {
    const size = fs.fstatSync(fd).size;
    const len = Math.min(size, 8192);
    const buf = Buffer.alloc(len);
    fs.readSync(fd, buf, 0, len, size - len);
    const lines = buf.toString('utf8').split('\n').filter((l) => l.trim());
    for (let i = lines.length - 1; i >= 0; i--) {
      try {
        const r = JSON.parse(lines[i]);
        if (typeof r.step === 'number') return { step: r.step, stepsPerSec: r.wall?.steps_per_sec };
      } catch {
        // torn or partial line
      }
    }
    return undefined;
  } finally {
    fs.closeSync(fd);
  }
}

/** The newest operative config file of a run (`operative_config-<step>.gin`). */
export function newestOperativeConfig(runDir: string): string | undefined {
  let files: string[];
  try {
    files = fs.readdirSync(runDir);
  } catch {
    return undefined;
  }
  const found = files
    .map((f) => /^operative_config-(\d+)\.gin$/.exec(f))
    .filter((m): m is RegExpExecArray => m !== null)
    .sort((a, b) => Number(b[1]) - Number(a[1]));
  return found.length ? path.join(runDir, found[0][0]) : undefined;
}

const STEPS_RE = /^\s*(?:runner_lib\.)?options\.training_steps\s*=\s*(\d+)/m;

/**
 * The trial's total steps: `options.training_steps` from its newest operative config, else (before
 * the first one is written) from the config it was started with (trial.json's bindings and
 * sweep file, as recorded in run.json's effective bindings, or `fallback`).
 */
export function totalSteps(runDir: string, fallback?: number): number | undefined {
  const f = newestOperativeConfig(runDir);
  if (f) {
    const m = STEPS_RE.exec(fs.readFileSync(f, 'utf8'));
    if (m) return Number(m[1]);
  }
  try {
    const run = JSON.parse(fs.readFileSync(path.join(runDir, 'run.json'), 'utf8')) as { effective_bindings?: Record<string, string> };
    const v = Object.entries(run.effective_bindings ?? {}).find(([k]) => /(^|\.)options\.training_steps$/.test(k))?.[1];
    if (v !== undefined && Number.isFinite(Number(v))) return Number(v);
  } catch {
    // no run.json yet
  }
  return fallback;
}

/** Lower is better for distances and losses; higher for scores. */
export function defaultMode(metric: string): 'min' | 'max' {
  return /(^|_)(is|inception_score|precision|recall|f_?8|f1_8|f8|accuracy|acc|score)($|_)/i.test(metric) && !/fid|kid/i.test(metric) ? 'max' : 'min';
}
