/**
 * Evaluation of a generator against a dataset: the entry point of the runner's eval schedules.
 *
 *   const scores = await evaluateGenerator({
 *     sample: (n) => gan.sample(gan.sampleZ(n), null),   // [n, h, w, c] in [0, 1] (a NoiseSampler)
 *     dataset,                                          // a GanDataset (real images)
 *     extractor,                                        // e.g. await loadFeatureExtractor({ runDataset: 'fashion-mnist' })
 *   });
 *   // { 'fid[fashion-mnist-classifier@7cfeae34]': 12.3, 'kid[...]': ..., 'kid_std[...]': ...,
 *   //   'inception_score[...]': ..., 'inception_score_std[...]': ..., 'prd_f8[...]': ...,
 *   //   'prd_f1_8[...]': ..., 'ms_ssim': ... }
 *
 * N real and N generated images (`num_samples`, default 10,000) go through the extractor in
 * batches of `batch_size`; FID statistics are accumulated on the fly (float64), features are
 * kept (float32) only when KID or PRD is asked for. The real side (features, mean, covariance)
 * is cached per dataset + image shape + extractor (+ its weights' fingerprint) + split + N
 * under `cache_dir`.
 */
import * as tf from '@tensorflow/tfjs-core';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { configurable, t } from '@cgan/config-lang';
import { GanDataset, Split } from '../datasets/types';
import { frechetDistance } from './fid';
import { FeatureMatrix } from './features';
import { inceptionScore } from './inception_score';
import { kernelInceptionDistance } from './kid';
import { GaussianStats, RunningMoments } from './moments';
import { msSsimDiversity } from './ms_ssim';
import { readNpy, writeNpy } from './npy';
import { prdScore } from './prd';
import { FeatureExtractor } from './extractors/types';
import { loadFeatureExtractor } from './extractors';
import { GanVariant } from '../gans/abstract_gan';
import { Rng } from '../core/rng';
import { baseDatasetName } from '../datasets/unpaired';
import type { DatasetInfo } from '../datasets/types';

export const METRIC_NAMES = ['fid', 'kid', 'inception_score', 'prd', 'ms_ssim'] as const;
export type MetricName = (typeof METRIC_NAMES)[number];

export interface EvaluationSettings {
  num_samples: number;
  batch_size: number;
  split: Split;
  metrics: MetricName[];
  /** Directory of cached real statistics; null disables the cache. */
  cache_dir: string | null;
  /** Generated images compared pairwise for MS-SSIM (pairs = half of it). */
  ms_ssim_num_images: number;
}

const SETTING_KEYS: Array<keyof EvaluationSettings> = ['num_samples', 'batch_size', 'split', 'metrics', 'cache_dir', 'ms_ssim_num_images'];

export function defaultStatsCacheDir(): string {
  return path.join(process.env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache'), 'compare-gan-js', 'real-stats');
}

/** `metrics.evaluation`: what evaluateGenerator computes by default. */
export const evaluationSettings = configurable('evaluation', {
  module: 'metrics',
  params: {
    num_samples: { default: 10000, type: t.int, doc: 'real and generated images per evaluation' },
    batch_size: { default: 100, type: t.int },
    split: { default: 'test', type: t.oneOf('train', 'test') },
    metrics: { default: ['fid', 'inception_score'], type: t.list(t.oneOf(...METRIC_NAMES)), doc: "the cheap ones by default; add 'kid', 'prd', 'ms_ssim' on request" },
    cache_dir: { default: '', type: t.optional(t.string), doc: "real statistics cache; '' = ~/.cache/compare-gan-js/real-stats, None = no cache" },
    ms_ssim_num_images: { default: 256, type: t.int },
  },
  doc: 'Settings of evaluateGenerator (the eval schedules).',
}, (kw: Partial<EvaluationSettings>): EvaluationSettings => {
  const raw = kw.metrics as unknown;
  const metrics = (Array.isArray(raw) ? raw : (raw as { items?: MetricName[] })?.items ?? []) as MetricName[];
  return { ...(kw as EvaluationSettings), metrics, cache_dir: kw.cache_dir === '' ? defaultStatsCacheDir() : (kw.cache_dir ?? null) };
}) as unknown as (kw: Partial<EvaluationSettings>) => EvaluationSettings;

/** Progress of an evaluation: `done` of `total` images of one side went through the extractor. */
export type EvalProgress = (side: 'real' | 'generated', done: number, total: number) => void;

/** What was measured with what (recorded beside the metrics in eval.jsonl). */
export interface EvaluationInfo {
  num_samples: number;
  extractor: string;
  extractor_fingerprint: string;
  /** Test accuracy of the extractor when it is a classifier that knows it. */
  extractor_accuracy: number | null;
  split: Split;
  metrics: MetricName[];
}

/** Features (kept when needed), running moments and logits of one side. */
export interface SideStats {
  n: number;
  moments: GaussianStats | null;
  features: FeatureMatrix | null;
  logits: FeatureMatrix | null;
}

export class Collector {
  readonly moments: RunningMoments;
  private readonly feats: Float32Array | null;
  private readonly logits: Float32Array | null;
  n = 0;

  constructor(private readonly ex: FeatureExtractor, private readonly capacity: number, keepFeatures: boolean, keepLogits: boolean) {
    this.moments = new RunningMoments(ex.featureDim);
    this.feats = keepFeatures ? new Float32Array(capacity * ex.featureDim) : null;
    this.logits = keepLogits && ex.numClasses > 0 ? new Float32Array(capacity * ex.numClasses) : null;
  }

  add(images: tf.Tensor4D): void {
    const out = this.ex.extract(images);
    const f = out.features.dataSync() as Float32Array;
    const b = out.features.shape[0];
    const take = Math.min(b, this.capacity - this.n);
    const d = this.ex.featureDim;
    if (out.features.shape[1] !== d) throw new Error(`extractor ${this.ex.name} returned ${out.features.shape[1]} features, declared ${d}`);
    const part = f.subarray(0, take * d);
    this.moments.add({ rows: take, cols: d, data: part });
    this.feats?.set(part, this.n * d);
    if (this.logits && out.logits) this.logits.set((out.logits.dataSync() as Float32Array).subarray(0, take * this.ex.numClasses), this.n * this.ex.numClasses);
    out.features.dispose();
    out.logits?.dispose();
    this.n += take;
  }

  get full(): boolean {
    return this.n >= this.capacity;
  }

  result(): SideStats {
    const d = this.ex.featureDim;
    const k = this.ex.numClasses;
    return {
      n: this.n,
      moments: this.n >= 2 ? this.moments.stats() : null,
      features: this.feats ? { rows: this.n, cols: d, data: this.feats.subarray(0, this.n * d) } : null,
      logits: this.logits ? { rows: this.n, cols: k, data: this.logits.subarray(0, this.n * k) } : null,
    };
  }
}

function cacheKey(dataset: GanDataset, ex: FeatureExtractor, split: Split, n: number): string {
  const shape = dataset.info.imageShape.join('x');
  return `${dataset.info.name}-${shape}_${ex.name}-${ex.fingerprint}_${split}_${n}`.replace(/[^A-Za-z0-9._-]/g, '_');
}

/** Real-side statistics, from the cache or computed (and cached). */
export async function realStatistics(opts: { dataset: GanDataset; extractor: FeatureExtractor; split: Split; numSamples: number; batchSize: number; keepFeatures: boolean; cacheDir: string | null; log?: (m: string) => void; progress?: EvalProgress }): Promise<SideStats> {
  const { dataset, extractor: ex, split } = opts;
  const n = Math.min(opts.numSamples, dataset.info.numExamples[split]);
  const base = opts.cacheDir ? path.join(opts.cacheDir, cacheKey(dataset, ex, split, n)) : null;
  if (base && fs.existsSync(`${base}.mean.npy`) && fs.existsSync(`${base}.cov.npy`) && (!opts.keepFeatures || fs.existsSync(`${base}.features.npy`))) {
    try {
      const mean = readNpy(`${base}.mean.npy`);
      const cov = readNpy(`${base}.cov.npy`);
      const features = opts.keepFeatures ? readNpy(`${base}.features.npy`) : null;
      if (mean.cols === ex.featureDim && cov.rows === ex.featureDim) {
        opts.log?.(`real statistics from cache ${base}.*.npy`);
        return { n, moments: { n, dim: ex.featureDim, mean: Float64Array.from(mean.data), cov: Float64Array.from(cov.data) }, features, logits: null };
      }
    } catch (e) {
      opts.log?.(`ignoring unreadable cache ${base}: ${(e as Error).message}`);
    }
  }
  const col = new Collector(ex, n, opts.keepFeatures, false);
  for await (const batch of dataset.batches(split, { batchSize: opts.batchSize, repeat: false, dropRemainder: false })) {
    if (!col.full) col.add(batch.images);
    opts.progress?.('real', col.n, n);
    batch.images.dispose();
    batch.labels.dispose();
    batch.labelled.dispose();
    if (col.full) break;
  }
  const r = col.result();
  if (r.n < 2) throw new Error(`the ${split} split of ${dataset.info.name} gave ${r.n} images; evaluation needs at least 2`);
  if (base) {
    fs.mkdirSync(path.dirname(base), { recursive: true });
    writeNpy(`${base}.mean.npy`, { rows: 1, cols: ex.featureDim, data: r.moments!.mean });
    writeNpy(`${base}.cov.npy`, { rows: ex.featureDim, cols: ex.featureDim, data: r.moments!.cov });
    if (r.features) writeNpy(`${base}.features.npy`, { rows: r.n, cols: ex.featureDim, data: Float32Array.from(r.features.data) });
  }
  return r;
}

export interface EvaluateGeneratorOptions extends Partial<EvaluationSettings> {
  /** Returns `batchSize` generated images, float32 [b, h, w, c] in [0, 1]; evaluateGenerator disposes them. */
  sample: (batchSize: number) => tf.Tensor4D | Promise<tf.Tensor4D>;
  /** Real images (the `split` split is read once, then cached). */
  dataset: GanDataset;
  extractor: FeatureExtractor;
  log?: (msg: string) => void;
  progress?: EvalProgress;
  /** Receives what was measured with what (sample count, extractor fingerprint and accuracy). */
  onInfo?: (info: EvaluationInfo) => void;
}

/** Computes the requested metrics; keys are `metric[extractor]` (and `ms_ssim`). See the file comment. */
export async function evaluateGenerator(opts: EvaluateGeneratorOptions): Promise<Record<string, number>> {
  const explicit = Object.fromEntries(Object.entries(opts).filter(([k, v]) => v !== undefined && (SETTING_KEYS as string[]).includes(k))) as Partial<EvaluationSettings>;
  const s = evaluationSettings(explicit);
  const ex = opts.extractor;
  const want = new Set(s.metrics);
  for (const m of want) if (!METRIC_NAMES.includes(m)) throw new Error(`unknown metric '${m}'; choose from ${METRIC_NAMES.join(', ')}`);
  if (!Number.isInteger(s.num_samples) || s.num_samples < 2) throw new Error(`metrics.evaluation.num_samples must be an integer >= 2, got ${s.num_samples}`);
  const needFeatures = want.has('kid') || want.has('prd');
  const real = want.has('fid') || needFeatures
    ? await realStatistics({ dataset: opts.dataset, extractor: ex, split: s.split, numSamples: s.num_samples, batchSize: s.batch_size, keepFeatures: needFeatures, cacheDir: s.cache_dir, log: opts.log, progress: opts.progress })
    : null;
  // As many generated as real images (PRD's balance; FID's usual protocol).
  const nFake = real ? real.n : s.num_samples;
  const col = new Collector(ex, nFake, needFeatures, want.has('inception_score'));
  const ssimImages: Float32Array[] = [];
  let ssimShape: [number, number, number] | null = null;
  let ssimCount = 0;
  while (!col.full) {
    const b = Math.min(s.batch_size, nFake - col.n);
    const images = await opts.sample(b);
    try {
      if (images.rank !== 4 || images.shape[0] !== b) throw new Error(`sample(${b}) returned shape [${images.shape}], expected [${b}, h, w, c]`);
      col.add(images);
      opts.progress?.('generated', col.n, nFake);
      if (want.has('ms_ssim') && ssimCount < s.ms_ssim_num_images) {
        const [, h, w, c] = images.shape;
        ssimShape = [h, w, c];
        const take = Math.min(b, s.ms_ssim_num_images - ssimCount);
        ssimImages.push((images.dataSync() as Float32Array).slice(0, take * h * w * c));
        ssimCount += take;
      }
    } finally {
      images.dispose();
    }
  }
  const fake = col.result();
  opts.onInfo?.({ num_samples: fake.n, extractor: ex.name, extractor_fingerprint: ex.fingerprint, extractor_accuracy: ex.accuracy ?? null, split: s.split, metrics: [...want] });
  const out = scoreSides({ real, fake, metrics: want, extractor: ex, log: opts.log });
  if (want.has('ms_ssim') && ssimShape && ssimCount >= 2) {
    const all = new Float32Array(ssimCount * ssimShape[0] * ssimShape[1] * ssimShape[2]);
    let off = 0;
    for (const part of ssimImages) {
      all.set(part, off);
      off += part.length;
    }
    out.ms_ssim = msSsimDiversity({ images: all, shape: [ssimCount, ...ssimShape] });
  }
  return out;
}

/** FID, KID, IS and PRD of two collected sides, named `metric[extractor]`. */
export function scoreSides(opts: { real: SideStats | null; fake: SideStats; metrics: Iterable<MetricName>; extractor: FeatureExtractor; log?: (m: string) => void }): Record<string, number> {
  const { real, fake, extractor: ex } = opts;
  const want = new Set(opts.metrics);
  const tag = `[${ex.name}]`;
  const out: Record<string, number> = {};
  if (want.has('fid')) out[`fid${tag}`] = frechetDistance(real!.moments!, fake.moments!);
  if (want.has('kid')) {
    const k = kernelInceptionDistance({ real: real!.features!, fake: fake.features! });
    out[`kid${tag}`] = k.kid;
    out[`kid_std${tag}`] = k.kid_std;
  }
  if (want.has('inception_score')) {
    if (!fake.logits) opts.log?.(`inception_score skipped: extractor ${ex.name} has no logits`);
    else {
      const r = inceptionScore({ logits: fake.logits });
      out[`inception_score${tag}`] = r.inception_score;
      out[`inception_score_std${tag}`] = r.inception_score_std;
    }
  }
  if (want.has('prd')) {
    const p = prdScore({ real: real!.features!, fake: fake.features! });
    out[`prd_f8${tag}`] = p.prd_f8;
    out[`prd_f1_8${tag}`] = p.prd_f1_8;
  }
  return out;
}

/** Accuracy of a predictor (e.g. S3GAN's discriminator head) on labelled images of `split`. */
export async function evaluatePredictorAccuracy(opts: { predict: (images: tf.Tensor4D) => tf.Tensor2D; dataset: GanDataset; split?: Split; numSamples?: number; batchSize?: number }): Promise<number> {
  const split = opts.split ?? 'test';
  const limit = opts.numSamples ?? Infinity;
  let n = 0;
  let correct = 0;
  for await (const batch of opts.dataset.batches(split, { batchSize: opts.batchSize ?? 100, repeat: false, dropRemainder: false })) {
    if (n < limit) {
      const take = Math.min(batch.labels.shape[0], limit - n);
      const pred = tf.tidy(() => tf.argMax(opts.predict(batch.images), 1));
      const p = pred.dataSync();
      const l = batch.labels.dataSync();
      pred.dispose();
      for (let i = 0; i < take; i++) if (p[i] === l[i]) correct++;
      n += take;
    }
    batch.images.dispose();
    batch.labels.dispose();
    batch.labelled.dispose();
    if (n >= limit) break;
  }
  if (n === 0) throw new Error(`accuracy: the ${split} split is empty`);
  return correct / n;
}

/** What the runner passes to its evaluator (packages/runner/src/evaluation.ts EvalContext). */
export interface GanEvalContext {
  gan: GanVariant;
  dataset: GanDataset;
  step: number;
  modelDir: string;
  rng: Rng;
  log: (msg: string) => void;
  /** Images through the extractor so far (for a progress bar with an ETA). */
  progress?: EvalProgress;
  /** Sample count, extractor fingerprint and accuracy of this evaluation. */
  onInfo?: (info: EvaluationInfo) => void;
}

const extractorCache = new Map<string, Promise<FeatureExtractor>>();

/** The feature extractor of a dataset (by its base name), loaded once per process. */
export function extractorFor(name: string): Promise<FeatureExtractor> {
  let ex = extractorCache.get(name);
  if (!ex) {
    ex = loadFeatureExtractor(name);
    extractorCache.set(name, ex);
    ex.catch(() => extractorCache.delete(name));
  }
  return ex;
}

/**
 * The datasets whose feature extractors evaluateGan will load: none when
 * `evaluation.metrics = []`; each domain of unpaired data (translations are scored against the
 * other domain); else the dataset itself. Class-filtered domains use their dataset's extractor.
 */
export function evaluationExtractorNames(info: DatasetInfo): string[] {
  if (!evaluationSettings({}).metrics.length) return [];
  const infos = info.domains ? [info.domains.a, info.domains.b] : [info];
  return [...new Set(infos.map((i) => baseDatasetName(i.name)))];
}

/** Loads those extractors now (kept for evaluateGan), so that a missing one fails before training. */
export async function loadEvaluationExtractors(info: DatasetInfo): Promise<void> {
  for (const name of evaluationExtractorNames(info)) await extractorFor(name);
}

/**
 * The runner's evaluator (eval_after_train, continuous_eval, `gan eval`): for each of the
 * variant's evaluation samplers (`gan.evalSamplers`: a (z, y) GAN has one, its samples against
 * the test split; CycleGAN one per direction, against the other domain), loads the feature
 * extractor of the real data's dataset once (`metrics.feature_extractor`, default the domain
 * classifier) and adds evaluateGenerator's metrics, prefixed with the sampler's name; then the
 * variant's extra metrics (e.g. BigBiGAN's linear probe).
 */
export async function evaluateGan(ctx: GanEvalContext): Promise<Record<string, number>> {
  const vctx = { dataset: ctx.dataset, rng: ctx.rng, log: ctx.log };
  const out: Record<string, number> = {};
  // evaluation.metrics = []: only the variant's own metrics (e.g. a dataset without a feature extractor).
  const samplers = evaluationSettings({}).metrics.length ? ctx.gan.evalSamplers(vctx) : [];
  for (const sampler of samplers) {
    const dataset = sampler.dataset ?? ctx.dataset;
    // A class-filtered domain ('fashion-mnist[Sneaker]') uses its dataset's extractor.
    const extractor = await extractorFor(baseDatasetName(dataset.info.name));
    const m = await evaluateGenerator({ sample: (n) => sampler.sample(n), dataset, extractor, log: ctx.log, progress: ctx.progress, onInfo: ctx.onInfo, ...(sampler.split ? { split: sampler.split } : {}) });
    for (const [k, v] of Object.entries(m)) out[sampler.name ? `${sampler.name}_${k}` : k] = v;
  }
  const extra = ctx.gan.extraMetrics ? await ctx.gan.extraMetrics(vctx) : {};
  return { ...out, ...extra };
}
