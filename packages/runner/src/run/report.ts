/**
 * report.html: a self-contained page (inline SVG charts, the latest sample grid as a data URI,
 * no external resources) with the loss/penalty/learning-rate curves from metrics.jsonl, the
 * evaluation metrics from eval.jsonl when present, and the latest samples.
 */
import * as fs from 'fs';
import * as path from 'path';
import { readJsonl } from './metrics_log';
import { orderKeys } from './progress';

type Rec = Record<string, unknown> & { step: number };

const esc = (s: string) => s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

function fmt(v: number): string {
  if (v === 0) return '0';
  const a = Math.abs(v);
  return a >= 1e4 || a < 1e-3 ? v.toExponential(2) : v.toPrecision(4).replace(/\.?0+$/, '');
}

/** Numeric series by key: [[step, value], ...]. */
export function seriesOf(recs: Rec[]): Map<string, Array<[number, number]>> {
  const out = new Map<string, Array<[number, number]>>();
  for (const r of recs) {
    for (const [k, v] of Object.entries(r)) {
      if (k === 'step' || typeof v !== 'number' || !Number.isFinite(v)) continue;
      if (!out.has(k)) out.set(k, []);
      out.get(k)!.push([r.step, v]);
    }
  }
  return out;
}

/** Downsample to at most `max` points (keeps the shape of long runs cheap to draw). */
function thin(pts: Array<[number, number]>, max = 600): Array<[number, number]> {
  if (pts.length <= max) return pts;
  const stride = pts.length / max;
  const out: Array<[number, number]> = [];
  for (let i = 0; i < max; i++) out.push(pts[Math.floor(i * stride)]);
  out.push(pts[pts.length - 1]);
  return out;
}

export function svgChart(title: string, pts: Array<[number, number]>, width = 420, height = 220): string {
  const p = thin(pts);
  const m = { l: 56, r: 12, t: 26, b: 30 };
  const xs = p.map((q) => q[0]);
  const ys = p.map((q) => q[1]);
  let [x0, x1] = [Math.min(...xs), Math.max(...xs)];
  let [y0, y1] = [Math.min(...ys), Math.max(...ys)];
  if (x0 === x1) [x0, x1] = [x0 - 1, x1 + 1];
  if (y0 === y1) {
    const pad = y0 !== 0 ? Math.abs(y0) * 0.1 : 1;
    [y0, y1] = [y0 - pad, y1 + pad];
  }
  const sx = (x: number) => m.l + ((x - x0) / (x1 - x0)) * (width - m.l - m.r);
  const sy = (y: number) => height - m.b - ((y - y0) / (y1 - y0)) * (height - m.t - m.b);
  const d = p.map((q, i) => `${i ? 'L' : 'M'}${sx(q[0]).toFixed(1)},${sy(q[1]).toFixed(1)}`).join('');
  const ticks = [0, 0.5, 1]
    .map((f) => {
      const y = y0 + f * (y1 - y0);
      return `<text x="${m.l - 4}" y="${sy(y) + 4}" text-anchor="end">${fmt(y)}</text><line x1="${m.l}" x2="${width - m.r}" y1="${sy(y)}" y2="${sy(y)}" class="grid"/>`;
    })
    .join('');
  const last = p[p.length - 1];
  return `<svg class="chart" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" role="img" aria-label="${esc(title)}">
<text x="${m.l}" y="16" class="title">${esc(title)} <tspan class="last">(last ${fmt(last[1])} at step ${last[0]})</tspan></text>${ticks}
<text x="${m.l}" y="${height - 8}">${x0}</text><text x="${width - m.r}" y="${height - 8}" text-anchor="end">step ${x1}</text>
${p.length === 1 ? `<circle cx="${sx(p[0][0])}" cy="${sy(p[0][1])}" r="3" class="pt"/>` : `<path d="${d}" class="line"/>`}</svg>`;
}

export interface ReportInput {
  modelDir: string;
  title?: string;
}

export function latestSample(modelDir: string): { file: string; step: number } | null {
  const dir = path.join(modelDir, 'samples');
  if (!fs.existsSync(dir)) return null;
  const found = fs
    .readdirSync(dir)
    .map((n) => ({ n, m: /^step-(\d+)\.png$/.exec(n) }))
    .filter((x) => x.m)
    .map((x) => ({ file: path.join(dir, x.n), step: Number(x.m![1]) }))
    .sort((a, b) => b.step - a.step);
  return found[0] ?? null;
}

export function renderReport(input: ReportInput): string {
  const { modelDir } = input;
  const mfile = path.join(modelDir, 'metrics.jsonl');
  const efile = path.join(modelDir, 'eval.jsonl');
  const metrics = (fs.existsSync(mfile) ? readJsonl(mfile) : []) as Rec[];
  const evals = (fs.existsSync(efile) ? readJsonl(efile) : []) as Rec[];
  let run: Record<string, unknown> = {};
  try {
    run = JSON.parse(fs.readFileSync(path.join(modelDir, 'run.json'), 'utf8'));
  } catch {
    /* no run.json yet */
  }
  const series = seriesOf(metrics);
  const trainCharts = orderKeys([...series.keys()]).map((k) => svgChart(k, series.get(k)!)).join('\n');
  const wallPts = metrics.filter((r) => typeof (r.wall as any)?.steps_per_sec === 'number').map((r) => [r.step, (r.wall as any).steps_per_sec] as [number, number]);
  const evalCharts = [...seriesOf(evals)].map(([k, pts]) => svgChart(k, pts)).join('\n');
  const sample = latestSample(modelDir);
  const img = sample ? `<figure><img alt="samples at step ${sample.step}" src="data:image/png;base64,${fs.readFileSync(sample.file).toString('base64')}"/><figcaption>samples/step-${sample.step}.png: ${esc(previewCaption(modelDir))}, step ${sample.step}</figcaption></figure>` : '<p>No samples yet.</p>';
  const lastStep = metrics.length ? metrics[metrics.length - 1].step : 0;
  const info = Object.entries(run)
    .filter(([, v]) => typeof v !== 'object' || v === null)
    .map(([k, v]) => `<tr><th>${esc(k)}</th><td>${esc(String(v))}</td></tr>`)
    .join('');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${esc(input.title ?? `GAN run ${path.basename(path.resolve(modelDir))}`)}</title>
<style>
body{font:14px/1.4 system-ui,sans-serif;margin:20px;color:#222;background:#fafafa}
h1{font-size:20px;margin:0 0 4px} h2{font-size:16px;margin:18px 0 6px}
.charts{display:flex;flex-wrap:wrap;gap:10px}
.chart{background:#fff;border:1px solid #ddd;border-radius:4px}
.chart text{font-size:11px;fill:#555} .chart .title{font-size:13px;fill:#111;font-weight:600} .chart .last{font-weight:400;fill:#777}
.chart .line{fill:none;stroke:#1f6feb;stroke-width:1.5} .chart .pt{fill:#1f6feb} .chart .grid{stroke:#eee}
img{image-rendering:pixelated;max-width:100%;min-width:320px;border:1px solid #ddd;background:#fff}
table{border-collapse:collapse} th,td{text-align:left;padding:1px 10px 1px 0;font-size:12px}
</style></head><body>
<h1>${esc(path.basename(path.resolve(modelDir)))}</h1>
<p>Step ${lastStep}. Generated ${esc(new Date().toISOString())} from metrics.jsonl${evals.length ? ' and eval.jsonl' : ''}.</p>
<table>${info}</table>
<h2>Latest samples</h2>${img}
<h2>Training curves</h2><div class="charts">${trainCharts || '<p>No metrics logged yet.</p>'}${wallPts.length ? svgChart('steps/s (wall clock)', wallPts) : ''}</div>
${evals.length ? `<h2>Evaluation metrics</h2><div class="charts">${evalCharts}</div>` : ''}
</body></html>
`;
}

export function writeReport(input: ReportInput): string {
  const file = path.join(input.modelDir, 'report.html');
  const tmp = `${file}.tmp-${process.pid}`;
  fs.writeFileSync(tmp, renderReport(input));
  fs.renameSync(tmp, file);
  return file;
}

/** What the sample grids show (samples.txt, written by the trainer from the variant's preview). */
function previewCaption(modelDir: string): string {
  try {
    return fs.readFileSync(path.join(modelDir, 'samples.txt'), 'utf8').trim().replace(/^samples\/step-N\.png: /, '');
  } catch {
    return 'the generator on fixed z';
  }
}
