/**
 * Moving averages of the generator's weights (compare_gan's g_use_ema): TensorFlow's
 * ExponentialMovingAverage, shadow = decay * shadow + (1 - decay) * var, with decay 0 before
 * `ema_start_step` so the averages follow the weights until then. Shadows are non-trainable
 * store variables named `<var>/ExponentialMovingAverage` (checkpointed with everything else).
 */
import * as tf from '@tensorflow/tfjs-core';
import { VariableStore } from '../core/variables';

export class GeneratorEma {
  constructor(
    private readonly store: VariableStore,
    readonly decay: number,
    readonly startStep: number,
  ) {
    if (!(decay >= 0 && decay <= 1)) throw new Error(`ModularGAN.ema_decay must be in [0, 1], got ${decay}.`);
  }

  private shadow(v: tf.Variable): tf.Variable {
    return this.store.get(`${v.name}/ExponentialMovingAverage`, v.shape, () => tf.clone(v), false);
  }

  /** Creates the shadows (equal to the weights). */
  init(vars: tf.Variable[]): void {
    for (const v of vars) this.shadow(v);
  }

  /** One EMA update after the generator step `step`. */
  update(vars: tf.Variable[], step: number): void {
    const decay = step >= this.startStep ? this.decay : 0;
    for (const v of vars) {
      const s = this.shadow(v);
      tf.tidy(() => s.assign(tf.add(tf.mul(s, decay), tf.mul(v, 1 - decay))));
    }
  }

  /** Runs fn with the averaged weights in place of the weights (a custom getter), then restores them. */
  withAveragedWeights<T>(vars: tf.Variable[], fn: () => T): T {
    const backups = vars.map((v) => tf.clone(v));
    try {
      vars.forEach((v) => v.assign(this.shadow(v)));
      return fn();
    } finally {
      vars.forEach((v, i) => v.assign(backups[i]));
      backups.forEach((b) => b.dispose());
    }
  }
}
