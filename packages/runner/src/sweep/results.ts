/**
 * Results of a sweep: one row per trial (swept bindings, state, steps, wall time, final and
 * best value of every metric), sorted by a metric, printed as a table and written as CSV and
 * JSON next to the trials.
 */
import * as fs from 'fs';
import * as path from 'path';
import { SweepError } from './errors';
import { defaultMode, readMetrics } from './metrics';
import { readManifest, readStatus, readTrial, SweepManifest, TrialState, trialDir, writeJsonAtomic } from './state';

export interface ResultRow {
  id: string;
  state: TrialState;
  /** Swept binding -> value as written in Gin. */
  bindings: Record<string, string>;
  steps: number;
  wallTimeSec: number | null;
  attempts: number;
  finishedAt: string | null;
  error: string | null;
  final: Record<string, number>;
  best: Record<string, number>;
}

export interface SweepResults {
  sweepDir: string;
  keys: string[];
  metrics: string[];
  metric: string | null;
  mode: 'min' | 'max';
  rows: ResultRow[];
}

export function loadManifest(sweepDir: string): SweepManifest {
  const m = readManifest(sweepDir);
  if (!m) {
    const why = fs.existsSync(sweepDir) ? `${sweepDir} has no sweep.json` : `${sweepDir} does not exist`;
    throw new SweepError(`Not a sweep directory: ${why}.`, "pass the --sweep_dir given to 'gan sweep run'");
  }
  return m;
}

/**
 * The one name-matching rule of sweep.metric, --sort and --metric: an exact name, else the
 * metric whose name without its extractor tag is `name` (`fid` matches `fid[fashion-mnist-classifier]`),
 * case-insensitive. Null when none matches; an error when several do.
 */
export function matchMetric(metrics: string[], name: string): string | null {
  if (metrics.includes(name)) return name;
  const base = (m: string) => m.replace(/\[.*\]$/, '').toLowerCase();
  const hits = metrics.filter((m) => m.toLowerCase() === name.toLowerCase() || base(m) === name.toLowerCase());
  if (hits.length > 1) throw new SweepError(`Metric name '${name}' matches several metrics: ${hits.join(', ')}.`, 'give the full name, e.g. ' + hits[0]);
  return hits[0] ?? null;
}

/**
 * Which metric ranks trials: the option, else the sweep file's sweep.metric, else fid, else the
 * first. A requested metric (option or sweep.metric) that no trial logged is an error naming the
 * metrics that exist (sweep.metric only once some trial has logged metrics).
 */
export function chooseMetric(metrics: string[], requested: string | undefined, manifest: SweepManifest): string | null {
  const missing = (name: string, where: string) =>
    new SweepError(`No trial logged a metric named '${name}' (${where}).`, metrics.length ? `metrics found: ${metrics.join(', ')}` : 'no trial has logged metrics yet');
  if (requested) {
    const m = matchMetric(metrics, requested);
    if (!m) throw missing(requested, 'the option');
    return m;
  }
  if (manifest.metric && metrics.length) {
    const m = matchMetric(metrics, manifest.metric);
    if (!m) throw missing(manifest.metric, 'sweep.metric in the sweep file; does the sweep evaluate? set e.g. run_config.schedule = "eval_after_train"');
    return m;
  }
  return metrics.find((m) => /^fid/i.test(m)) ?? metrics[0] ?? null;
}

export function collectResults(sweepDir: string, opts: { metric?: string; mode?: 'min' | 'max' } = {}): SweepResults {
  const manifest = loadManifest(sweepDir);
  const rows: ResultRow[] = [];
  const metricSet = new Set<string>();
  const series = manifest.trials.map((t) => {
    const dir = trialDir(sweepDir, t.id);
    return { t: readTrial(sweepDir, t.id) ?? t, st: readStatus(sweepDir, t.id), m: readMetrics(dir) };
  });
  for (const s of series) for (const k of Object.keys(s.m.final)) metricSet.add(k);
  const metrics = [...metricSet].sort();
  const metric = chooseMetric(metrics, opts.metric, manifest);
  const mode = opts.mode ?? (metric && manifest.metric && matchMetric([metric], manifest.metric) ? manifest.mode : undefined) ?? (metric ? defaultMode(metric) : 'min');
  for (const { t, st, m } of series) {
    const best: Record<string, number> = {};
    for (const k of Object.keys(m.final)) best[k] = (k === metric ? mode : defaultMode(k)) === 'max' ? m.max[k] : m.min[k];
    rows.push({
      id: t.id,
      state: st?.state ?? 'queued',
      bindings: Object.fromEntries(t.bindings.map((b) => [b.key, b.text])),
      steps: m.step,
      wallTimeSec: st?.wallTimeSec ?? null,
      attempts: st?.attempts ?? 0,
      finishedAt: st?.finishedAt ?? null,
      error: st?.state === 'failed' ? st.error ?? null : null,
      final: m.final,
      best,
    });
  }
  const res: SweepResults = { sweepDir, keys: manifest.keys, metrics, metric, mode, rows };
  if (metric) sortRows(res, metric, mode);
  return res;
}

/** Best first by the metric's best value; trials without it last, in plan order. */
export function sortRows(res: SweepResults, metric: string, mode: 'min' | 'max'): void {
  const sign = mode === 'max' ? -1 : 1;
  res.rows.sort((a, b) => {
    const x = a.best[metric];
    const y = b.best[metric];
    if (x === undefined && y === undefined) return 0;
    if (x === undefined) return 1;
    if (y === undefined) return -1;
    return sign * (x - y);
  });
}

export function bestRow(res: SweepResults): ResultRow | undefined {
  const m = res.metric;
  return m ? res.rows.find((r) => r.best[m] !== undefined) : undefined;
}

/** Column names for swept keys: the parameter alone when unambiguous (`g_lr`). */
export function shortKeys(keys: string[]): Map<string, string> {
  const out = new Map<string, string>();
  for (const k of keys) {
    const param = k.split('.').pop()!;
    const clash = keys.filter((x) => x.split('.').pop() === param).length > 1;
    out.set(k, clash ? k.split('/').pop()!.split('.').slice(-2).join('.') : param);
  }
  return out;
}

/** `@loss_lib.hinge` -> `@hinge` for tables and plots. */
export const shortText = (text: string) => text.replace(/@((?:[A-Za-z_][\w]*\/)*)(?:[A-Za-z_][\w]*\.)+([A-Za-z_]\w*)/g, '@$1$2');

export function fmtNum(x: number | undefined | null): string {
  if (x === undefined || x === null || !Number.isFinite(x)) return '-';
  if (x !== 0 && (Math.abs(x) < 1e-3 || Math.abs(x) >= 1e6)) return x.toExponential(3);
  return Number(x.toPrecision(5)).toString();
}

/** A plain aligned text table (numbers right-aligned). */
export function renderTable(header: string[], rows: string[][], numeric: boolean[]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => (numeric[i] ? c.padStart(widths[i]) : c.padEnd(widths[i]))).join('  ').trimEnd();
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n') + '\n';
}

export function resultsTable(res: SweepResults, maxOtherMetrics = 4): string {
  const short = shortKeys(res.keys);
  // A logged echo of a swept binding (g_lr beside ModularGAN.g_lr) would repeat its column.
  const swept = new Set(short.values());
  const others = res.metrics.filter((m) => m !== res.metric && !swept.has(m)).slice(0, maxOtherMetrics);
  const header = ['trial', 'state', ...res.keys.map((k) => short.get(k)!), 'steps', 'wall'];
  const numeric = [false, false, ...res.keys.map(() => false), true, true];
  if (res.metric) {
    header.push(`${res.metric} final`, `${res.metric} best (${res.mode})`);
    numeric.push(true, true);
  }
  for (const m of others) {
    header.push(m);
    numeric.push(true);
  }
  const rows = res.rows.map((r) => {
    const cells = [r.id, r.state, ...res.keys.map((k) => shortText(r.bindings[k] ?? '-')), String(r.steps), r.wallTimeSec === null ? '-' : `${r.wallTimeSec.toFixed(1)}s`];
    if (res.metric) cells.push(fmtNum(r.final[res.metric]), fmtNum(r.best[res.metric]));
    for (const m of others) cells.push(fmtNum(r.final[m]));
    return cells;
  });
  return renderTable(header, rows, numeric);
}

const csvCell = (s: string) => (/[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);

export function resultsCsv(res: SweepResults): string {
  const header = ['trial', 'state', ...res.keys, 'steps', 'wall_time_sec', 'attempts', 'finished_at', ...res.metrics.flatMap((m) => [`${m}_final`, `${m}_best`]), 'error'];
  const lines = [header.map(csvCell).join(',')];
  for (const r of res.rows) {
    const cells = [r.id, r.state, ...res.keys.map((k) => r.bindings[k] ?? ''), String(r.steps), r.wallTimeSec === null ? '' : String(r.wallTimeSec), String(r.attempts), r.finishedAt ?? ''];
    for (const m of res.metrics) cells.push(r.final[m] === undefined ? '' : String(r.final[m]), r.best[m] === undefined ? '' : String(r.best[m]));
    cells.push(r.error ?? '');
    lines.push(cells.map(csvCell).join(','));
  }
  return lines.join('\n') + '\n';
}

/** Writes DIR/results.csv and DIR/results.json; returns their paths. */
export function writeResults(res: SweepResults): { csv: string; json: string } {
  const csv = path.join(res.sweepDir, 'results.csv');
  const json = path.join(res.sweepDir, 'results.json');
  const tmp = `${csv}.tmp-${process.pid}`;
  fs.writeFileSync(tmp, resultsCsv(res));
  fs.renameSync(tmp, csv);
  writeJsonAtomic(json, { metric: res.metric, mode: res.mode, keys: res.keys, metrics: res.metrics, trials: res.rows });
  return { csv, json };
}
