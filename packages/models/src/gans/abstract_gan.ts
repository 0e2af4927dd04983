/**
 * The contract between GAN variants (ModularGAN, SSGAN, S3GAN, S2GAN, BigBiGAN, CycleGAN) and the
 * runner. A variant is a configurable class; the runner constructs it with the runtime objects
 * below as explicit keyword arguments and every hyperparameter comes from bindings.
 *
 * A variant DECLARES what the runner must know about it -- its named networks, its optimizers
 * (with their learning-rate schedules) and its random streams -- and the runner checkpoints and
 * logs exactly what is declared (no search over the variant's fields). It provides its own
 * preview (what a sample grid shows) and its evaluation (which generated images are compared
 * with which real split). Nothing in the contract assumes one generator taking (z, y): that is
 * the `NoiseSampler` capability of the (z, y) -> image variants.
 */
import * as tf from '@tensorflow/tfjs-core';
import { Rng } from '../core/rng';
import { VariableStore } from '../core/variables';
import { Batch, DatasetInfo, GanDataset, Split } from '../datasets/types';
import { LrSchedule } from '../optimizers/lr_schedule';
import { GanOptions } from './options';

/** Passed by the runner to every GAN variant constructor (merged into its kwargs). */
export interface GanRuntime {
  datasetInfo: DatasetInfo;
  store: VariableStore;
  /** The run's stream: z, sampled labels and penalty noise fork from it; architectures seed from it. */
  rng: Rng;
  /** The resolved `options` (getOptions()); the variant reads them from the bindings when omitted. */
  parameters?: GanOptions;
}

/** A network of the variant: its name and the variable-name prefix its weights live under. */
export interface GanNetwork {
  /** e.g. 'generator', 'discriminator', 'encoder', 'generator_a2b'. */
  name: string;
  /** Trainable variables whose names start with this belong to it. */
  prefix: string;
}

/** An optimizer of the variant. */
export interface GanOptimizer {
  /**
   * Short name: checkpoint entries are `<name>_opt/...`, the metrics log `<name>_lr`
   * (ModularGAN: 'g' and 'd'; BigBiGAN adds 'e'; S2GAN 'c').
   */
  name: string;
  optimizer: tf.Optimizer;
  /** The configured learning rate (the schedule scales it). */
  baseLr: number;
  /** Learning-rate multiplier by step (lr = baseLr * schedule(step)); null: constant. */
  schedule: LrSchedule | null;
  /** The variables it updates (for hooks that inspect gradients or weights). */
  variables(): tf.Variable[];
}

/** What a sample grid shows: images in [0, 1], laid out `columns` wide, with a caption for the report. */
export interface Preview {
  images: tf.Tensor4D;
  /** Images per row; default: a square-ish grid. */
  columns?: number;
  /** One sentence for report.html, e.g. "the generator on fixed z". */
  caption: string;
  /** Judge how much the images differ (mode collapse): meaningful for noise samplers only. */
  checkDiversity?: boolean;
  /**
   * The fixed inputs the images come from (owned by the variant: do not dispose), for
   * diagnostics that rerun G on them (the doctor's bn_lag check runs G in training mode).
   */
  inputs?: { z: tf.Tensor2D; y: tf.Tensor2D | null };
}

/**
 * One comparison of evaluation: `sample(n)` generated images (in [0, 1], the caller disposes
 * them) against the real images of `split` of `dataset` (the run's dataset when omitted).
 * Metric names are prefixed with `name` + '_' unless name is ''.
 */
export interface EvalSampler {
  name: string;
  sample(n: number): tf.Tensor4D | Promise<tf.Tensor4D>;
  dataset?: GanDataset;
  split?: Split;
}

/** What the runner hands to a variant's preview. */
export interface PreviewContext {
  dataset: GanDataset;
}

/** What the runner hands to a variant's evaluation (see metrics/evaluate.ts GanEvalContext). */
export interface VariantEvalContext {
  dataset: GanDataset;
  /** A stream for evaluation randomness, independent of the training streams. */
  rng: Rng;
  log: (msg: string) => void;
}

export interface GanVariant {
  readonly store: VariableStore;
  /** How many batches one trainStep consumes. */
  readonly discIters: number;
  /** Creates every variable (networks, EMA copies; optimizer slots are lazy). */
  build(): void;
  /**
   * One training step as Compare GAN counts it: e.g. `disc_iters` discriminator updates on the
   * given batches (batches.length === discIters) and one generator update.
   * `step` is the 0-based index of this training step (the checkpointed step counter).
   * Returns scalar summaries, e.g. { d_loss, g_loss, penalty, ... }. A non-finite loss is
   * returned as is (NaN/Infinity) and its update is skipped, so the caller can stop cleanly.
   */
  trainStep(batches: Batch[], step: number): Record<string, number>;
  /** The named networks (parameter counts, doctor hooks). */
  networks(): GanNetwork[];
  /** Every optimizer, in a fixed order (checkpointed, logged, scheduled by the runner). */
  optimizers(): GanOptimizer[];
  /**
   * Random streams the variant draws from, by name, that the runner must checkpoint and restore.
   * The run's own stream (GanRuntime.rng) is checkpointed by the runner anyway; list it or not.
   */
  randomStreams(): Record<string, Rng>;
  /**
   * The sample grid: the same inputs at every call of a run and after resuming (draw them once,
   * from rewound streams: see `withRewoundStreams`, or read them from the test split).
   * `n` is run_config.num_samples. The caller disposes `images`.
   */
  preview(n: number, ctx: PreviewContext): Preview | Promise<Preview>;
  /** The comparisons evaluation makes (FID, KID, ... per sampler). */
  evalSamplers(ctx: VariantEvalContext): EvalSampler[];
  /** Extra metrics of the variant (e.g. cycle reconstruction error); optional. */
  extraMetrics?(ctx: VariantEvalContext): Promise<Record<string, number>>;
}

/** A (z, y) -> image generator (ModularGAN and its subclasses): `gan sample` needs it. */
export interface NoiseSampler {
  readonly zDim: number;
  readonly conditional: boolean;
  /** Draws z from the configured distribution. */
  sampleZ(batchSize: number): tf.Tensor2D;
  /** Images from the sampling generator (EMA when g_use_ema); y one-hot or null. */
  sample(z: tf.Tensor2D, y: tf.Tensor2D | null): tf.Tensor4D;
}

export function isNoiseSampler(gan: unknown): gan is NoiseSampler {
  const g = gan as Record<string, unknown> | null;
  return !!g && typeof g.sampleZ === 'function' && typeof g.sample === 'function' && typeof g.zDim === 'number';
}

/**
 * Runs `fn` with every stream rewound to its start, then puts them back: draws that are the same
 * in every run and after resuming (sample-grid inputs) without moving the training streams.
 */
export function withRewoundStreams<T>(streams: Rng[], fn: () => T): T {
  const unique = [...new Set(streams)];
  const saved = unique.map((r) => r.state());
  for (const r of unique) r.setState({ seed: r.seed, counter: 0 });
  try {
    return fn();
  } finally {
    unique.forEach((r, i) => r.setState(saved[i]));
  }
}
