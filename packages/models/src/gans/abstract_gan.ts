/**
 * The contract between GAN variants (ModularGAN, SSGAN, S3GAN, S2GAN, BigBiGAN) and the runner.
 * A variant is a configurable class; the runner constructs it with the runtime objects below as
 * explicit keyword arguments and every hyperparameter comes from bindings.
 */
import * as tf from '@tensorflow/tfjs-core';
import { Rng } from '../core/rng';
import { VariableStore } from '../core/variables';
import { Batch, DatasetInfo } from '../datasets/types';
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

export interface GanVariant {
  readonly store: VariableStore;
  readonly zDim: number;
  readonly conditional: boolean;
  /** Creates every variable (networks, EMA copies, optimizer slots are lazy). */
  build(): void;
  /**
   * One training step as Compare GAN counts it: `disc_iters` discriminator updates on the
   * given batches (batches.length === discIters) and one generator update.
   * `step` is the 0-based index of this training step (the checkpointed step counter): it drives
   * `ModularGAN.ema_start_step` and S2GAN's pre-training phase (steps < `S2GAN.pretrain_steps`
   * train only its classifier). The G update reuses the last batch's real images.
   * Returns scalar summaries, e.g. { d_loss, g_loss, penalty, d_loss_0..., ... }. A non-finite loss
   * is returned as is (NaN/Infinity) and its update is skipped, so the caller can stop cleanly.
   */
  trainStep(batches: Batch[], step: number): Record<string, number>;
  /** How many batches one trainStep consumes. */
  readonly discIters: number;
  /** Images from the sampling generator (EMA when g_use_ema); y one-hot or null. */
  sample(z: tf.Tensor2D, y: tf.Tensor2D | null): tf.Tensor4D;
  /** Draws z from the configured distribution. */
  sampleZ(batchSize: number): tf.Tensor2D;
  /** Optimizer state as named tensors (for checkpoints), and its restore. */
  optimizerState(): Promise<Map<string, tf.Tensor>>;
  setOptimizerState(state: Map<string, tf.Tensor>): Promise<void>;
}
