/**
 * The GAN doctor: rules over the signals a run logs (losses, D's accuracy, gradient and weight
 * health, sample diversity) that name a problem while training runs. Each diagnosis has a code,
 * the step range, the evidence and remedies written as Gin bindings. Thresholds are the
 * configurable `doctor.*`. The rules are pure (records in, diagnoses out); DiagnosticsLog writes
 * diagnostics.jsonl.
 *
 * Codes: nonfinite, d_overpowers, vanishing_g_grad, exploding_grad, oscillation, mode_collapse,
 * bn_lag (sampling with batch-norm moving averages that lag the training statistics).
 */
import * as fs from 'fs';
import { configurable, t } from '@cgan/config-lang';
import { readJsonl } from './metrics_log';

export interface DoctorConfig {
  enabled: boolean;
  warmup_steps: number;
  window_steps: number;
  d_acc_max: number;
  d_loss_max: number;
  d_update_ratio_max: number;
  vanishing_ratio: number;
  exploding_ratio: number;
  max_grad_norm: number;
  oscillation_block_steps: number;
  oscillation_blocks: number;
  oscillation_reversals: number;
  oscillation_amplitude: number;
  min_diversity: number;
  collapse_checks: number;
}

export const doctorConfig = configurable(
  'doctor',
  {
    params: {
      enabled: { default: true, type: t.bool, doc: 'run the rules (diagnostics.jsonl, log lines, report section)' },
      warmup_steps: { default: 100, type: t.int, doc: 'no diagnosis before this step (except nonfinite, exploding_grad and bn_lag)' },
      window_steps: { default: 50, type: t.int, doc: 'rules average the logged records of the last N steps' },
      d_acc_max: { default: 0.95, type: t.number, doc: 'd_overpowers: mean D accuracy on real AND on fake at or above this, and ...' },
      d_loss_max: { default: 0.05, type: t.number, doc: 'd_overpowers: ... mean d_loss at or below this (not for loss.fn = @wasserstein), or ...' },
      d_update_ratio_max: { default: 5, type: t.number, doc: "d_overpowers: ... D's update/weight ratio at least this times G's" },
      vanishing_ratio: { default: 0.01, type: t.number, doc: 'vanishing_g_grad: mean g_grad_norm below this times its first-window median' },
      exploding_ratio: { default: 100, type: t.number, doc: 'exploding_grad: a grad norm above this times its first-window median' },
      max_grad_norm: { default: 1e4, type: t.number, doc: 'exploding_grad: a grad norm above this, whatever its start' },
      oscillation_block_steps: { default: 25, type: t.int, doc: 'oscillation: losses are averaged over blocks of N steps' },
      oscillation_blocks: { default: 8, type: t.int, doc: 'oscillation: the rule looks at the last N blocks' },
      oscillation_reversals: { default: 5, type: t.int, doc: 'oscillation: at least N direction changes between consecutive blocks' },
      oscillation_amplitude: { default: 0.5, type: t.number, doc: 'oscillation: each swing larger than this times the mean |loss|' },
      min_diversity: { default: 0.05, type: t.number, doc: 'mode_collapse/bn_lag: sample variance across fixed z below this fraction of the real batch variance' },
      collapse_checks: { default: 2, type: t.int, doc: 'mode_collapse: on N consecutive sample grids' },
    },
  },
  (kw: DoctorConfig): DoctorConfig => ({ ...kw }),
);

export const DIAGNOSIS_CODES = ['nonfinite', 'd_overpowers', 'vanishing_g_grad', 'exploding_grad', 'oscillation', 'mode_collapse', 'bn_lag'] as const;
export type DiagnosisCode = (typeof DIAGNOSIS_CODES)[number];

export interface Diagnosis {
  code: DiagnosisCode;
  /** First and last step at which the rule held (last grows while it keeps holding). */
  first_step: number;
  last_step: number;
  message: string;
  evidence: Record<string, number | string>;
  /** Gin bindings that address it, e.g. `ModularGAN.d_lr = 0.0002`. */
  remedies: string[];
}

/**
 * The bindings the remedies depend on (so that they suggest a change, not the current value):
 * `binding('loss', 'fn')` -> '@non_saturating', `binding('D', 'spectral_norm')` -> true, ...
 */
export type BindingLookup = (selector: string, param: string) => unknown;

/** A logged record: step plus numeric fields (losses, d_acc_*, *_grad_norm, *_lr, ...). */
export type Signals = { step: number } & Record<string, unknown>;

/** What one sample grid says about diversity across the fixed z. */
export interface SampleSignals {
  step: number;
  /** Mean per-pixel variance across z of the sampling generator's images (inference mode). */
  diversity: number;
  /** The same with G in training mode (batch statistics), when G has batch norm; null otherwise. */
  train_diversity: number | null;
  /** Mean per-pixel variance across a real batch. */
  real_diversity: number;
}

const num = (r: Signals, k: string): number | undefined => (typeof r[k] === 'number' ? (r[k] as number) : undefined);
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const sig = (x: number) => Number(x.toPrecision(3));
/** A learning rate for a remedy: 3 significant digits, as Gin reads it. */
const lr = (x: number) => String(sig(x));

export class Doctor {
  private window: Signals[] = [];
  /** Per network, the median grad norm over the first window of the run (the reference scale). */
  private firstGrad = new Map<string, number[]>();
  private refGrad = new Map<string, number>();
  private blocks: Array<{ block: number; g: number[]; d: number[] }> = [];
  private lowDiversity = 0;
  private lagging = 0;
  private open = new Map<DiagnosisCode, Diagnosis>();
  readonly diagnoses: Diagnosis[] = [];
  private lastLr: { g?: number; d?: number } = {};

  constructor(
    readonly cfg: DoctorConfig,
    private readonly binding: BindingLookup = () => undefined,
  ) {}

  /**
   * Feeds one logged record; returns the diagnoses that START at it (a code already open is
   * extended, not returned again). A rule that stops holding closes its diagnosis.
   */
  observe(rec: Signals): Diagnosis[] {
    if (!this.cfg.enabled) return [];
    const c = this.cfg;
    const step = rec.step;
    this.lastLr = { g: num(rec, 'g_lr') ?? this.lastLr.g, d: num(rec, 'd_lr') ?? this.lastLr.d };
    this.window.push(rec);
    while (this.window.length && this.window[0].step <= step - c.window_steps) this.window.shift();
    const nets = Object.keys(rec)
      .map((k) => /^(.+)_grad_norm$/.exec(k)?.[1])
      .filter((n): n is string => !!n);
    for (const n of nets) {
      const v = num(rec, `${n}_grad_norm`);
      if (this.refGrad.has(n) || v === undefined || !Number.isFinite(v)) continue;
      const xs = this.firstGrad.get(n) ?? [];
      xs.push(v);
      this.firstGrad.set(n, xs);
      if (step >= c.window_steps) this.refGrad.set(n, median(xs));
    }
    const started: Diagnosis[] = [];
    const hold = (code: DiagnosisCode, cond: boolean, make: () => Omit<Diagnosis, 'code' | 'first_step' | 'last_step'>) => {
      const d = this.hold(code, cond, step, make);
      if (d) started.push(d);
    };
    const warm = step >= c.warmup_steps;
    const full = this.window.length >= 3;

    // nonfinite: a loss, norm or accuracy that is NaN or infinite.
    const bad = Object.entries(rec).filter(([k, v]) => k !== 'step' && typeof v === 'number' && !Number.isFinite(v));
    hold('nonfinite', bad.length > 0, () => ({
      message: `${bad.map(([k, v]) => `${k} = ${v}`).join(', ')} at step ${step}: training diverged.`,
      evidence: Object.fromEntries(bad.map(([k, v]) => [k, String(v)])),
      remedies: [...this.lowerLrs(0.5), ...this.spectralNorm(), 'penalty.fn = @wgangp_penalty'],
    }));

    // d_overpowers: D tells real from fake almost perfectly AND either its loss is ~0 or it moves
    // much faster than G (update/weight ratios). Accuracy alone is not enough: a healthy DCGAN's D
    // (the quick start) is 96-100% right from step 10 on, at d_loss ~0.1-0.2.
    const accR = this.series('d_acc_real');
    const accF = this.series('d_acc_fake');
    const dl = this.series('d_loss');
    const dU = this.series('d_update_ratio');
    const gU = this.series('g_update_ratio');
    const uRatio = dU.length >= 3 && gU.length >= 3 && mean(gU) > 0 ? mean(dU) / mean(gU) : undefined;
    const lossLow = !/wasserstein/.test(this.lossName()) && dl.length >= 3 && mean(dl) <= c.d_loss_max;
    const fast = uRatio !== undefined && uRatio >= c.d_update_ratio_max;
    const dOver = warm && full && accR.length >= 3 && accF.length >= 3 && mean(accR) >= c.d_acc_max && mean(accF) >= c.d_acc_max && (lossLow || fast);
    hold('d_overpowers', dOver, () => {
      const gl = this.series('g_loss');
      const why = [lossLow ? `its loss is ${sig(mean(dl))}` : '', fast ? `its updates are ${sig(uRatio!)}x G's relative to the weights` : ''].filter(Boolean).join(' and ');
      return {
        message: `D classifies ${pct(mean(accR))} of real and ${pct(mean(accF))} of fake images correctly over the last ${c.window_steps} steps, and ${why}: D wins outright and G gets little useful signal.`,
        evidence: {
          d_acc_real: sig(mean(accR)),
          d_acc_fake: sig(mean(accF)),
          d_loss: dl.length ? sig(mean(dl)) : 'n/a',
          g_loss: gl.length ? sig(mean(gl)) : 'n/a',
          'd_update_ratio / g_update_ratio': uRatio !== undefined ? sig(uRatio) : 'n/a',
          g_lr: this.lastLr.g ?? 'n/a',
          d_lr: this.lastLr.d ?? 'n/a',
        },
        remedies: this.dRemedies(),
      };
    });

    // vanishing_g_grad: G's gradient a small fraction of what it was at the start.
    const gRef = this.refGrad.get('g');
    const gNow = this.series('g_grad_norm');
    const vanishing = warm && full && gRef !== undefined && gRef > 0 && gNow.length >= 3 && mean(gNow) < c.vanishing_ratio * gRef;
    hold('vanishing_g_grad', vanishing, () => ({
      message: `G's gradient norm fell to ${sig(mean(gNow))}, ${sig(mean(gNow) / gRef!)}x its start (${sig(gRef!)}): the generator has stopped learning.`,
      evidence: { g_grad_norm: sig(mean(gNow)), g_grad_norm_start: sig(gRef!), ratio: sig(mean(gNow) / gRef!) },
      remedies: [...this.dRemedies(), ...(/hinge/.test(this.lossName()) ? [] : ['loss.fn = @hinge'])],
    }));

    // exploding_grad: a network's gradient norm far above its start, or above an absolute cap.
    const exploding = nets
      .map((n) => ({ n, v: num(rec, `${n}_grad_norm`), ref: this.refGrad.get(n) }))
      .filter((x) => x.v !== undefined && Number.isFinite(x.v) && (x.v > c.max_grad_norm || (x.ref !== undefined && x.ref > 0 && x.v > c.exploding_ratio * x.ref)));
    hold('exploding_grad', exploding.length > 0, () => ({
      message: exploding.map((x) => `${x.n}_grad_norm = ${sig(x.v!)}${x.ref ? ` (${sig(x.v! / x.ref)}x its start ${sig(x.ref)})` : ''}`).join(', ') + ': gradients are exploding.',
      evidence: Object.fromEntries(exploding.flatMap((x) => [[`${x.n}_grad_norm`, sig(x.v!)], [`${x.n}_grad_norm_start`, x.ref ? sig(x.ref) : 'n/a']])),
      remedies: [...exploding.flatMap((x) => this.lowerLr(x.n, 0.5)), ...this.spectralNorm(), 'penalty.fn = @wgangp_penalty'],
    }));

    // oscillation: block means of the losses swinging up and down with a large amplitude.
    const osc = warm ? this.oscillation(rec) : null;
    hold('oscillation', osc !== null, () => ({
      message: `${osc!.key} swings up and down ${osc!.reversals} times in the last ${c.oscillation_blocks * c.oscillation_block_steps} steps (swings ${sig(osc!.swing)} around ${sig(osc!.level)}): the two players are not converging.`,
      evidence: { loss: osc!.key, reversals: osc!.reversals, mean_swing: sig(osc!.swing), mean_level: sig(osc!.level) },
      remedies: [...this.lowerLrs(0.5), 'tf.train.AdamOptimizer.beta1 = 0.5'],
    }));
    return started;
  }

  /** Feeds the diversity of a sample grid; returns the diagnoses that start at it. */
  observeSamples(s: SampleSignals): Diagnosis[] {
    if (!this.cfg.enabled || !(s.real_diversity > 0)) return [];
    const c = this.cfg;
    const started: Diagnosis[] = [];
    const infer = s.diversity / s.real_diversity;
    const train = s.train_diversity === null ? null : s.train_diversity / s.real_diversity;
    // bn_lag: batch statistics give diverse images, the moving averages used for sampling do not
    // (on collapse_checks consecutive grids: early in a run both are low and move fast).
    const lag = train !== null && infer < c.min_diversity && train >= c.min_diversity;
    this.lagging = lag ? this.lagging + 1 : 0;
    const decay = this.binding('standardize_batch', 'decay');
    const d1 = this.hold('bn_lag', this.lagging >= c.collapse_checks, s.step, () => ({
      message: `Sample grids are nearly identical in inference mode (diversity ${sig(infer)} of the data's) but not with batch statistics (${sig(train!)}) on ${this.lagging} consecutive grids: G's batch-norm moving averages lag its training statistics.`,
      evidence: { sample_diversity: sig(infer), train_mode_diversity: sig(train!), threshold: c.min_diversity, 'standardize_batch.decay': typeof decay === 'number' ? decay : 'default (0.999)' },
      remedies: [`standardize_batch.decay = ${typeof decay === 'number' ? sig(1 - (1 - decay) * 10) : 0.99}`],
    }));
    if (d1) started.push(d1);
    // mode_collapse: G itself (training mode when available) maps every z to nearly the same image.
    const own = train ?? infer;
    this.lowDiversity = own < c.min_diversity && s.step >= c.warmup_steps ? this.lowDiversity + 1 : 0;
    const d2 = this.hold('mode_collapse', this.lowDiversity >= c.collapse_checks, s.step, () => ({
      message: `The samples for different z have ${sig(own)} of the real data's per-pixel variance on ${this.lowDiversity} consecutive grids: G has collapsed to a few modes.`,
      evidence: { diversity: sig(own), threshold: c.min_diversity, grids: this.lowDiversity },
      remedies: [...this.spectralNorm(), ...this.lowerLr('g', 0.5), ...this.labelSmoothing(), 'penalty.fn = @dragan_penalty'],
    }));
    if (d2) started.push(d2);
    return started;
  }

  private hold(code: DiagnosisCode, cond: boolean, step: number, make: () => Omit<Diagnosis, 'code' | 'first_step' | 'last_step'>): Diagnosis | null {
    const open = this.open.get(code);
    if (!cond) {
      this.open.delete(code);
      return null;
    }
    if (open) {
      open.last_step = step;
      return null;
    }
    const d: Diagnosis = { code, first_step: step, last_step: step, ...make() };
    this.open.set(code, d);
    this.diagnoses.push(d);
    return d;
  }

  private series(key: string): number[] {
    return this.window.map((r) => num(r, key)).filter((v): v is number => v !== undefined && Number.isFinite(v));
  }

  private oscillation(rec: Signals): { key: string; reversals: number; swing: number; level: number } | null {
    const c = this.cfg;
    const b = Math.floor((rec.step - 1) / c.oscillation_block_steps);
    let last = this.blocks[this.blocks.length - 1];
    if (!last || last.block !== b) {
      last = { block: b, g: [], d: [] };
      this.blocks.push(last);
      while (this.blocks.length > c.oscillation_blocks + 1) this.blocks.shift();
    }
    const g = num(rec, 'g_loss');
    const d = num(rec, 'd_loss');
    if (g !== undefined && Number.isFinite(g)) last.g.push(g);
    if (d !== undefined && Number.isFinite(d)) last.d.push(d);
    // Complete blocks only (the newest is still filling).
    const done = this.blocks.slice(0, -1);
    if (done.length < c.oscillation_blocks) return null;
    for (const key of ['g_loss', 'd_loss'] as const) {
      const means = done.map((x) => (key === 'g_loss' ? x.g : x.d)).filter((xs) => xs.length).map(mean);
      if (means.length < c.oscillation_blocks) continue;
      const level = mean(means.map(Math.abs));
      const diffs = means.slice(1).map((m, i) => m - means[i]);
      let reversals = 0;
      for (let i = 1; i < diffs.length; i++) if (Math.sign(diffs[i]) !== Math.sign(diffs[i - 1])) reversals++;
      const swing = mean(diffs.map(Math.abs));
      const big = diffs.every((x) => Math.abs(x) > c.oscillation_amplitude * level);
      if (level > 0 && big && reversals >= c.oscillation_reversals) return { key, reversals, swing, level };
    }
    return null;
  }

  private lowerLr(net: string, factor: number): string[] {
    const v = net === 'g' ? this.lastLr.g : net === 'd' ? this.lastLr.d : undefined;
    return v === undefined ? [] : [`ModularGAN.${net}_lr = ${lr(v * factor)}`];
  }

  private lowerLrs(factor: number): string[] {
    return [...this.lowerLr('g', factor), ...this.lowerLr('d', factor)];
  }

  /** Weaken D: its learning rate no higher than G's (else a quarter), one-sided label smoothing. */
  private dRemedies(): string[] {
    const { g, d } = this.lastLr;
    const out: string[] = [];
    if (d !== undefined) out.push(`ModularGAN.d_lr = ${lr(g !== undefined && d > g ? g : d / 4)}`);
    return [...out, ...this.labelSmoothing()];
  }

  private lossName(): string {
    const fn = this.binding('loss', 'fn') as { selector?: string } | undefined;
    return fn?.selector ?? 'non_saturating';
  }

  /** One-sided label smoothing exists for the non-saturating loss only. */
  private labelSmoothing(): string[] {
    const ls = this.binding('non_saturating', 'label_smoothing');
    return /non_saturating/.test(this.lossName()) && !(typeof ls === 'number' && ls > 0) ? ['non_saturating.label_smoothing = 0.1'] : [];
  }

  private spectralNorm(): string[] {
    return this.binding('D', 'spectral_norm') === true ? [] : ['D.spectral_norm = True'];
  }
}

const pct = (x: number) => `${(x * 100).toFixed(1)}%`;

/** One diagnosis as the log shows it (once, when it starts). */
export function formatDiagnosis(d: Diagnosis): string {
  return `doctor: ${d.code} at step ${d.first_step}: ${d.message} Try: ${d.remedies.join('; ')}`;
}

/**
 * diagnostics.jsonl: one line when a diagnosis starts and one more with its final step range
 * when it ends (or the run stops); readers keep the last line per (code, first_step).
 */
export class DiagnosticsLog {
  constructor(readonly file: string) {}

  append(d: Diagnosis): void {
    fs.appendFileSync(this.file, JSON.stringify(d) + '\n');
  }

  /** A resumed run re-observes the steps after its checkpoint: drop what started after it. */
  truncateAfter(step: number): void {
    if (!fs.existsSync(this.file)) return;
    const kept = (readJsonl(this.file) as Diagnosis[]).filter((d) => d.first_step <= step).map((d) => (d.last_step > step ? { ...d, last_step: step } : d));
    const tmp = `${this.file}.tmp-${process.pid}`;
    fs.writeFileSync(tmp, kept.map((d) => JSON.stringify(d) + '\n').join(''));
    fs.renameSync(tmp, this.file);
  }
}

/** The diagnoses of a run directory's diagnostics.jsonl, the last line per (code, first_step). */
export function readDiagnoses(file: string): Diagnosis[] {
  if (!fs.existsSync(file)) return [];
  const byKey = new Map<string, Diagnosis>();
  for (const d of readJsonl(file) as Diagnosis[]) if (d && typeof d.code === 'string') byKey.set(`${d.code}@${d.first_step}`, d);
  return [...byKey.values()].sort((a, b) => a.first_step - b.first_step);
}
