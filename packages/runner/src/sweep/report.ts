/**
 * DIR/report.html: for each swept binding, the distribution of the chosen metric per value
 * (box plots with every trial as a dot, as in the Compare GAN papers), and the best-so-far
 * value versus trials in completion order. Self-contained: inline SVG and CSS, no scripts.
 */
import * as fs from 'fs';
import * as path from 'path';
import { fmtNum, ResultRow, shortKeys, shortText, SweepResults } from './results';

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

export function quantile(sorted: number[], q: number): number {
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
}

export interface BoxStats {
  q1: number;
  median: number;
  q3: number;
  whiskerLow: number;
  whiskerHigh: number;
  n: number;
}

/** Tukey box: quartiles, whiskers at the furthest points within 1.5 IQR. */
export function boxStats(values: number[]): BoxStats {
  const s = [...values].sort((a, b) => a - b);
  const q1 = quantile(s, 0.25);
  const q3 = quantile(s, 0.75);
  const iqr = q3 - q1;
  const inside = s.filter((x) => x >= q1 - 1.5 * iqr && x <= q3 + 1.5 * iqr);
  return { q1, median: quantile(s, 0.5), q3, whiskerLow: inside[0], whiskerHigh: inside[inside.length - 1], n: s.length };
}

function niceRange(values: number[]): [number, number] {
  let lo = Math.min(...values);
  let hi = Math.max(...values);
  if (lo === hi) {
    lo -= Math.abs(lo) * 0.1 || 1;
    hi += Math.abs(hi) * 0.1 || 1;
  }
  const pad = (hi - lo) * 0.08;
  return [lo - pad, hi + pad];
}

function yAxis(x0: number, y: (v: number) => number, lo: number, hi: number, width: number): string {
  const ticks = 5;
  let out = '';
  for (let i = 0; i <= ticks; i++) {
    const v = lo + ((hi - lo) * i) / ticks;
    out += `<line x1="${x0}" x2="${x0 + width}" y1="${y(v)}" y2="${y(v)}" class="grid"/><text x="${x0 - 6}" y="${y(v) + 4}" class="tick" text-anchor="end">${esc(fmtNum(v))}</text>`;
  }
  return out;
}

/** Deterministic jitter so dots do not overlap (no randomness: the report is reproducible). */
const jitter = (i: number) => (((i * 2654435761) % 1000) / 1000 - 0.5) * 0.5;

export function boxPlotSvg(title: string, groups: Array<{ label: string; values: number[] }>, metric: string): string {
  const W = 520;
  const H = 300;
  const m = { l: 64, r: 16, t: 30, b: 56 };
  const all = groups.flatMap((g) => g.values);
  const [lo, hi] = niceRange(all);
  const y = (v: number) => (m.t + (H - m.t - m.b) * (1 - (v - lo) / (hi - lo))).toFixed(1);
  const bw = (W - m.l - m.r) / Math.max(1, groups.length);
  let svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" role="img" aria-label="${esc(title)}">`;
  svg += `<text x="${W / 2}" y="18" class="title" text-anchor="middle">${esc(title)}</text>`;
  svg += yAxis(m.l, (v) => Number(y(v)), lo, hi, W - m.l - m.r);
  svg += `<text x="14" y="${(H - m.b + m.t) / 2}" class="axis" transform="rotate(-90 14 ${(H - m.b + m.t) / 2})" text-anchor="middle">${esc(metric)}</text>`;
  groups.forEach((g, gi) => {
    const cx = m.l + bw * (gi + 0.5);
    const half = Math.min(40, bw * 0.3);
    if (g.values.length) {
      const b = boxStats(g.values);
      svg += `<line x1="${cx}" x2="${cx}" y1="${y(b.whiskerLow)}" y2="${y(b.q1)}" class="whisker"/><line x1="${cx}" x2="${cx}" y1="${y(b.q3)}" y2="${y(b.whiskerHigh)}" class="whisker"/>`;
      svg += `<line x1="${cx - half / 2}" x2="${cx + half / 2}" y1="${y(b.whiskerLow)}" y2="${y(b.whiskerLow)}" class="whisker"/><line x1="${cx - half / 2}" x2="${cx + half / 2}" y1="${y(b.whiskerHigh)}" y2="${y(b.whiskerHigh)}" class="whisker"/>`;
      svg += `<rect x="${cx - half}" y="${y(b.q3)}" width="${2 * half}" height="${Math.max(1, Number(y(b.q1)) - Number(y(b.q3)))}" class="box"/>`;
      svg += `<line x1="${cx - half}" x2="${cx + half}" y1="${y(b.median)}" y2="${y(b.median)}" class="median"/>`;
      g.values.forEach((v, i) => {
        svg += `<circle cx="${(cx + jitter(i + 1) * half * 2).toFixed(1)}" cy="${y(v)}" r="3" class="dot"><title>${esc(fmtNum(v))}</title></circle>`;
      });
    }
    const label = g.label.length > 22 ? `${g.label.slice(0, 21)}…` : g.label;
    svg += `<text x="${cx}" y="${H - m.b + 18}" class="tick" text-anchor="middle">${esc(label)}</text><text x="${cx}" y="${H - m.b + 32}" class="small" text-anchor="middle">n=${g.values.length}</text>`;
  });
  return svg + '</svg>';
}

export function bestSoFarSvg(points: Array<{ id: string; value: number }>, metric: string, mode: 'min' | 'max'): string {
  const W = 1060;
  const H = 300;
  const m = { l: 64, r: 16, t: 30, b: 44 };
  const [lo, hi] = niceRange(points.map((p) => p.value));
  const n = points.length;
  const x = (i: number) => (m.l + ((W - m.l - m.r) * (n === 1 ? 0.5 : i / (n - 1)))).toFixed(1);
  const y = (v: number) => (m.t + (H - m.t - m.b) * (1 - (v - lo) / (hi - lo))).toFixed(1);
  let svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" role="img" aria-label="best so far">`;
  svg += `<text x="${W / 2}" y="18" class="title" text-anchor="middle">Best ${esc(metric)} so far (${mode}) vs trials completed</text>`;
  svg += yAxis(m.l, (v) => Number(y(v)), lo, hi, W - m.l - m.r);
  let best = points[0]?.value;
  let d = '';
  points.forEach((p, i) => {
    best = mode === 'min' ? Math.min(best, p.value) : Math.max(best, p.value);
    d += `${i ? `L${x(i)},${y(best)}` : `M${x(i)},${y(best)}`}`;
    if (i + 1 < n) d += `L${x(i + 1)},${y(best)}`;
    svg += `<circle cx="${x(i)}" cy="${y(p.value)}" r="3" class="dot"><title>${esc(p.id)}: ${esc(fmtNum(p.value))}</title></circle>`;
  });
  svg += `<path d="${d}" class="best"/>`;
  svg += `<text x="${(W + m.l) / 2}" y="${H - 8}" class="axis" text-anchor="middle">trials, in order of completion (${n})</text>`;
  for (let i = 0; i < n; i += Math.max(1, Math.ceil(n / 20))) svg += `<text x="${x(i)}" y="${H - m.b + 16}" class="tick" text-anchor="middle">${i + 1}</text>`;
  return svg + '</svg>';
}

const CSS = `body{font:14px system-ui,sans-serif;margin:24px;color:#222}h1{font-size:20px}h2{font-size:16px;margin-top:28px}
.plots{display:flex;flex-wrap:wrap;gap:12px}svg{background:#fff;border:1px solid #ddd}
.grid{stroke:#eee}.tick{font-size:11px;fill:#555}.small{font-size:10px;fill:#888}.axis{font-size:12px;fill:#333}.title{font-size:13px;font-weight:600}
.box{fill:#cfe2f3;stroke:#3d6fa8}.median{stroke:#c0392b;stroke-width:2}.whisker{stroke:#3d6fa8}.dot{fill:#333;fill-opacity:.55}.best{fill:none;stroke:#c0392b;stroke-width:2}
table{border-collapse:collapse;font-size:12px}td,th{border:1px solid #ddd;padding:3px 6px;text-align:left}td.n{text-align:right}`;

export function renderReport(res: SweepResults): string {
  const metric = res.metric;
  const head = `<!doctype html><html><head><meta charset="utf-8"><title>Sweep report</title><style>${CSS}</style></head><body>`;
  const counts = ['done', 'failed', 'running', 'queued'].map((s) => `${res.rows.filter((r) => r.state === s).length} ${s}`).join(', ');
  let body = `<h1>Sweep report: ${esc(path.basename(path.resolve(res.sweepDir)))}</h1><p>${res.rows.length} trials (${counts}).`;
  if (!metric) return `${head}${body} No trial has logged metrics yet.</p></body></html>`;
  body += ` Metric: <b>${esc(metric)}</b>, best = ${res.mode} over each trial's log.</p>`;
  const withMetric = res.rows.filter((r) => r.best[metric] !== undefined);
  const short = shortKeys(res.keys);
  body += `<h2>${esc(metric)} per value of each swept binding</h2><div class="plots">`;
  for (const k of res.keys) {
    const groups = new Map<string, number[]>();
    for (const r of withMetric) {
      const label = shortText(r.bindings[k] ?? '-');
      if (!groups.has(label)) groups.set(label, []);
      groups.get(label)!.push(r.best[metric]);
    }
    const sorted = [...groups.entries()].sort((a, b) => {
      const na = Number(a[0]);
      const nb = Number(b[0]);
      return Number.isFinite(na) && Number.isFinite(nb) ? na - nb : a[0].localeCompare(b[0]);
    });
    // Random continuous values give one trial per value: bucket them into quantile bins instead.
    const groupsList = sorted.length > 8 && sorted.every(([l]) => Number.isFinite(Number(l))) ? binned(sorted) : sorted.map(([label, values]) => ({ label, values }));
    body += boxPlotSvg(`${short.get(k)} (${k})`, groupsList, metric);
  }
  body += '</div>';
  const order = [...withMetric].sort((a, b) => String(a.finishedAt ?? '~').localeCompare(String(b.finishedAt ?? '~')));
  body += `<h2>Best so far</h2>${bestSoFarSvg(order.map((r) => ({ id: r.id, value: r.best[metric] })), metric, res.mode)}`;
  body += `<h2>Top trials</h2><table><tr><th>trial</th>${res.keys.map((k) => `<th>${esc(short.get(k)!)}</th>`).join('')}<th>${esc(metric)} best</th><th>steps</th></tr>`;
  for (const r of withMetric.slice(0, 10)) {
    body += `<tr><td>${esc(r.id)}</td>${res.keys.map((k) => `<td>${esc(shortText(r.bindings[k] ?? '-'))}</td>`).join('')}<td class="n">${esc(fmtNum(r.best[metric]))}</td><td class="n">${r.steps}</td></tr>`;
  }
  return `${head}${body}</table></body></html>`;
}

function binned(sorted: Array<[string, number[]]>): Array<{ label: string; values: number[] }> {
  const bins = 5;
  const out: Array<{ label: string; values: number[] }> = [];
  for (let b = 0; b < bins; b++) {
    const part = sorted.slice(Math.floor((b * sorted.length) / bins), Math.floor(((b + 1) * sorted.length) / bins));
    if (!part.length) continue;
    const short = (x: string) => String(Number(Number(x).toPrecision(2)));
    out.push({ label: `${short(part[0][0])}–${short(part[part.length - 1][0])}`, values: part.flatMap(([, v]) => v) });
  }
  return out;
}

export function writeReport(res: SweepResults): string {
  const file = path.join(res.sweepDir, 'report.html');
  const tmp = `${file}.tmp-${process.pid}`;
  fs.writeFileSync(tmp, renderReport(res));
  fs.renameSync(tmp, file);
  return file;
}

export type { ResultRow };
