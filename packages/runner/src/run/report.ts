/**
 * report.html: a page with no external resources (inline SVG charts, the latest sample grid as a
 * data URI, the sample timeline as relative links to samples/step-N.png) showing the doctor's
 * diagnoses (diagnostics.jsonl), the evaluation curves (FID/IS/KID from eval.jsonl), gradient
 * health (norms, update/weight ratios, D's accuracy; per layer group for the last logged step),
 * the loss/penalty/learning-rate curves (metrics.jsonl) and a slider through the sample grids.
 * While the run is live the page reloads itself every 30 s.
 */
import * as fs from 'fs';
import * as path from 'path';
import { Diagnosis, readDiagnoses } from './doctor';
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

const COLORS = ['#1f6feb', '#d1242f', '#1a7f37', '#9a6700', '#8250df', '#57606a'];

/** Several series on one chart (shared axes, a legend); `log` draws log10 of positive values. */
export function svgLines(title: string, series: Array<{ name: string; pts: Array<[number, number]> }>, opts: { log?: boolean; width?: number; height?: number } = {}): string {
  const width = opts.width ?? 420;
  const height = opts.height ?? 220;
  const tr = (y: number) => (opts.log ? Math.log10(y) : y);
  const ss = series.map((s) => ({ name: s.name, pts: thin(s.pts.filter((p) => !opts.log || p[1] > 0)).map(([x, y]) => [x, tr(y)] as [number, number]) })).filter((s) => s.pts.length);
  if (!ss.length) return '';
  const all = ss.flatMap((s) => s.pts);
  const m = { l: 56, r: 12, t: 40, b: 30 };
  let [x0, x1] = [Math.min(...all.map((p) => p[0])), Math.max(...all.map((p) => p[0]))];
  let [y0, y1] = [Math.min(...all.map((p) => p[1])), Math.max(...all.map((p) => p[1]))];
  if (x0 === x1) [x0, x1] = [x0 - 1, x1 + 1];
  if (y0 === y1) [y0, y1] = [y0 - (Math.abs(y0) * 0.1 || 1), y1 + (Math.abs(y1) * 0.1 || 1)];
  const sx = (x: number) => m.l + ((x - x0) / (x1 - x0)) * (width - m.l - m.r);
  const sy = (y: number) => height - m.b - ((y - y0) / (y1 - y0)) * (height - m.t - m.b);
  const label = (y: number) => fmt(opts.log ? 10 ** y : y);
  const ticks = [0, 0.5, 1]
    .map((f) => {
      const y = y0 + f * (y1 - y0);
      return `<text x="${m.l - 4}" y="${sy(y) + 4}" text-anchor="end">${label(y)}</text><line x1="${m.l}" x2="${width - m.r}" y1="${sy(y)}" y2="${sy(y)}" class="grid"/>`;
    })
    .join('');
  const paths = ss
    .map((s, i) => {
      const c = COLORS[i % COLORS.length];
      if (s.pts.length === 1) return `<circle cx="${sx(s.pts[0][0])}" cy="${sy(s.pts[0][1])}" r="3" fill="${c}"/>`;
      return `<path d="${s.pts.map((q, j) => `${j ? 'L' : 'M'}${sx(q[0]).toFixed(1)},${sy(q[1]).toFixed(1)}`).join('')}" fill="none" stroke="${c}" stroke-width="1.5"/>`;
    })
    .join('');
  const legend = ss.map((s, i) => `<tspan fill="${COLORS[i % COLORS.length]}">\u25A0 ${esc(s.name)} ${fmt(opts.log ? 10 ** s.pts[s.pts.length - 1][1] : s.pts[s.pts.length - 1][1])}</tspan>`).join(' ');
  return `<svg class="chart" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" role="img" aria-label="${esc(title)}">
<text x="${m.l}" y="16" class="title">${esc(title)}${opts.log ? ' (log scale)' : ''}</text>${ticks}
<text x="${m.l}" y="${height - 8}">${x0}</text><text x="${width - m.r}" y="${height - 8}" text-anchor="end">step ${x1}</text>
${paths}<text x="${m.l}" y="30" class="legend">${legend}</text></svg>`;
}

/** Keys shown in the gradient-health section rather than among the training curves. */
const HEALTH_KEY = /_(grad_norm|weight_norm|update_ratio)$|^d_acc_(real|fake)$|^sample_diversity/;

function healthSection(series: Map<string, Array<[number, number]>>, last: Rec | undefined): string {
  const nets = [...new Set([...series.keys()].map((k) => /^(.+)_grad_norm$/.exec(k)?.[1]).filter((n): n is string => !!n))];
  const pick = (suffix: string) => nets.filter((n) => series.has(`${n}_${suffix}`)).map((n) => ({ name: n, pts: series.get(`${n}_${suffix}`)! }));
  const charts = [
    svgLines('gradient norm', pick('grad_norm'), { log: true }),
    svgLines('update / weight ratio', pick('update_ratio'), { log: true }),
    svgLines('weight norm', pick('weight_norm')),
    svgLines('D accuracy', ['real', 'fake'].filter((k) => series.has(`d_acc_${k}`)).map((k) => ({ name: `on ${k}`, pts: series.get(`d_acc_${k}`)! }))),
    svgLines(
      'sample diversity (1 = real data)',
      [
        ['sample_diversity', 'sampling'],
        ['sample_diversity_train_mode', 'G training mode'],
      ]
        .filter(([k]) => series.has(k))
        .map(([k, name]) => ({ name, pts: series.get(k)! })),
      { log: true },
    ),
  ].join('\n');
  if (!charts.trim()) return '';
  const layers = (last?.layers ?? {}) as Record<string, Record<string, number>>;
  const rows = Object.entries(layers)
    .map(([g, v]) => `<tr><th>${esc(g)}</th><td>${fmt(v.grad_norm)}</td><td>${fmt(v.weight_norm)}</td><td>${fmt(v.update_ratio)}</td></tr>`)
    .join('');
  const table = rows ? `<details><summary>Per layer group at step ${last!.step}</summary><table class="layers"><tr><th>group</th><th>grad norm</th><th>weight norm</th><th>update/weight</th></tr>${rows}</table></details>` : '';
  return `<h2 id="health">Gradient health</h2><div class="charts">${charts}</div>${table}`;
}

function diagnosesSection(diags: Diagnosis[], logged: boolean): string {
  if (!diags.length) return `<h2 id="doctor">Doctor</h2><p class="ok">${logged ? 'No diagnosis: none of the doctor\'s rules (d_overpowers, vanishing_g_grad, mode_collapse, oscillation, exploding_grad, nonfinite, bn_lag) has fired.' : 'Nothing logged yet.'}</p>`;
  const items = diags
    .map((d) => {
      const ev = Object.entries(d.evidence)
        .map(([k, v]) => `${esc(k)} ${esc(typeof v === 'number' ? fmt(v) : String(v))}`)
        .join(', ');
      return `<div class="diag"><b class="code">${esc(d.code)}</b> <span class="steps">steps ${d.first_step}${d.last_step !== d.first_step ? `&ndash;${d.last_step}` : ''}</span><p>${esc(d.message)}</p><p class="ev">Evidence: ${ev}</p>${d.remedies.length ? `<p>Try (Gin bindings):</p><pre>${d.remedies.map(esc).join('\n')}</pre>` : ''}</div>`;
    })
    .join('');
  return `<h2 id="doctor">Doctor</h2>${items}`;
}

function samplesOf(modelDir: string): Array<{ step: number; rel: string }> {
  const dir = path.join(modelDir, 'samples');
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir)
    .map((n) => ({ n, m: /^step-(\d+)\.png$/.exec(n) }))
    .filter((x) => x.m)
    .map((x) => ({ step: Number(x.m![1]), rel: `samples/${x.n}` }))
    .sort((a, b) => a.step - b.step);
}

/** A slider through samples/step-*.png (relative links: the page lives in the run directory). */
function timelineSection(modelDir: string): string {
  const all = samplesOf(modelDir);
  if (all.length < 2) return '';
  const frames = JSON.stringify(all);
  return `<h2 id="timeline">Sample timeline</h2>
<div class="timeline"><input id="tl" type="range" min="0" max="${all.length - 1}" value="${all.length - 1}" aria-label="sample step"/> <span id="tlstep"></span><br/><img id="tlimg" alt="sample grid"/></div>
<script>(function(){var f=${frames.replace(/</g, '\\u003c')};var s=document.getElementById('tl'),l=document.getElementById('tlstep'),im=document.getElementById('tlimg');
function show(i){s.value=i;im.src=f[i].rel;l.textContent='step '+f[i].step+' ('+(+i+1)+' of '+f.length+')';}
s.addEventListener('input',function(){show(+s.value);history.replaceState(null,'','#step-'+f[+s.value].step);});
var h=/^#step-(\\d+)$/.exec(location.hash),i=f.length-1;if(h){for(var j=0;j<f.length;j++)if(f[j].step===+h[1])i=j;}show(i);})();</script>`;
}

export interface ReportInput {
  modelDir: string;
  title?: string;
  /** The run is still training: the page reloads itself every 30 s. */
  live?: boolean;
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
  const trainCharts = orderKeys([...series.keys()].filter((k) => !HEALTH_KEY.test(k)))
    .map((k) => svgChart(k, series.get(k)!))
    .join('\n');
  const diags = readDiagnoses(path.join(modelDir, 'diagnostics.jsonl'));
  const wallPts = metrics.filter((r) => typeof (r.wall as any)?.steps_per_sec === 'number').map((r) => [r.step, (r.wall as any).steps_per_sec] as [number, number]);
  const evalCharts = [...seriesOf(evals)].map(([k, pts]) => svgChart(k, pts)).join('\n');
  const evalSection = evals.length
    ? `<h2 id="eval">Evaluation metrics</h2><div class="charts">${evalCharts}</div>`
    : '<h2 id="eval">Evaluation metrics</h2><p>None yet: <code>--schedule continuous_eval</code> or <code>npx gan eval</code> computes FID, IS and KID (eval.jsonl).</p>';
  const sample = latestSample(modelDir);
  const img = sample ? `<figure><img alt="samples at step ${sample.step}" src="data:image/png;base64,${fs.readFileSync(sample.file).toString('base64')}"/><figcaption>samples/step-${sample.step}.png: ${esc(previewCaption(modelDir))}, step ${sample.step}</figcaption></figure>` : '<p>No samples yet.</p>';
  const lastStep = metrics.length ? metrics[metrics.length - 1].step : 0;
  const info = Object.entries(run)
    .filter(([, v]) => typeof v !== 'object' || v === null)
    .map(([k, v]) => `<tr><th>${esc(k)}</th><td>${esc(String(v))}</td></tr>`)
    .join('');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8">${input.live ? '<meta http-equiv="refresh" content="30">' : ''}<title>${esc(input.title ?? `GAN run ${path.basename(path.resolve(modelDir))}`)}</title>
<style>
body{font:14px/1.4 system-ui,sans-serif;margin:20px;color:#222;background:#fafafa}
h1{font-size:20px;margin:0 0 4px} h2{font-size:16px;margin:18px 0 6px}
.charts{display:flex;flex-wrap:wrap;gap:10px}
.chart{background:#fff;border:1px solid #ddd;border-radius:4px}
.chart text{font-size:11px;fill:#555} .chart .title{font-size:13px;fill:#111;font-weight:600} .chart .last{font-weight:400;fill:#777}
.chart .line{fill:none;stroke:#1f6feb;stroke-width:1.5} .chart .pt{fill:#1f6feb} .chart .grid{stroke:#eee}
img{image-rendering:pixelated;max-width:100%;min-width:320px;border:1px solid #ddd;background:#fff}
table{border-collapse:collapse} th,td{text-align:left;padding:1px 10px 1px 0;font-size:12px}
.chart .legend{font-size:11px} .layers td{text-align:right;font-variant-numeric:tabular-nums}
.ok{color:#1a7f37} .diag{background:#fff4f4;border:1px solid #e5a0a0;border-radius:4px;padding:6px 10px;margin:6px 0;max-width:860px}
.diag .code{color:#d1242f;font-family:monospace;font-size:15px} .diag p{margin:4px 0} .diag .ev{color:#555;font-size:12px}
.diag pre{background:#fff;border:1px solid #ddd;padding:4px 8px;margin:2px 0;font-size:12px}
.timeline img{min-width:256px}
</style></head><body>
<h1>${esc(path.basename(path.resolve(modelDir)))}</h1>
<p>Step ${lastStep}${input.live ? ' (training; this page reloads every 30 s)' : ''}. Generated ${esc(new Date().toISOString())} from metrics.jsonl${evals.length ? ', eval.jsonl' : ''}${diags.length ? ', diagnostics.jsonl' : ''}.</p>
<table>${info}</table>
${diagnosesSection(diags, metrics.length > 0)}
<h2>Latest samples</h2>${img}
${evalSection}
${healthSection(series, metrics[metrics.length - 1])}
<h2>Training curves</h2><div class="charts">${trainCharts || '<p>No metrics logged yet.</p>'}${wallPts.length ? svgChart('steps/s (wall clock)', wallPts) : ''}</div>
${timelineSection(modelDir)}
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
