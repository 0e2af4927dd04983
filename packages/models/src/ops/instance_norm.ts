/**
 * Instance normalization (Ulyanov et al. 2016), as CycleGAN uses it (PyTorch's InstanceNorm2d):
 * each example's channels are normalised over height and width (biased variance, epsilon 1e-5).
 * `affine` adds a per-channel scale `<scope>/gamma` (ones) and offset `<scope>/beta` (zeros);
 * CycleGAN's reference leaves it off. No running statistics: training and inference agree.
 * Usable by any architecture that takes a normalization of images, e.g. `D.batch_norm_fn = @instance_norm`.
 */
import * as tf from '@tensorflow/tfjs-core';
import { configurable, t } from '@cgan/config-lang';
import { OpContext, scope } from './context';
import { constantInit } from './initializers';

export interface InstanceNormArgs {
  ctx: OpContext;
  inputs: tf.Tensor;
  scope?: string;
  /** The scope, as `G.batch_norm_fn` / `D.batch_norm_fn` callers name it. */
  name?: string;
  is_training?: boolean;
  epsilon: number;
  affine: boolean;
}

export const instance_norm = configurable(
  'instance_norm',
  {
    module: 'arch_ops',
    params: {
      epsilon: { default: 1e-5, type: t.number },
      affine: { default: false, type: t.bool, doc: 'learn a per-channel scale and offset (CycleGAN: False)' },
    },
  },
  (kw: InstanceNormArgs): tf.Tensor =>
    scope(kw.ctx, kw.scope ?? kw.name ?? 'InstanceNorm', () => {
      const x = kw.inputs;
      if (x.rank !== 4) throw new Error(`instance_norm normalises images [batch, h, w, c], got shape [${x.shape}] (a dense layer's output?); use another normalization there.`);
      const { mean, variance } = tf.moments(x, [1, 2], true);
      let out = tf.mul(tf.sub(x, mean), tf.rsqrt(tf.add(variance, kw.epsilon)));
      if (kw.affine) {
        const c = x.shape[3] as number;
        out = tf.add(tf.mul(out, kw.ctx.store.get('gamma', [c], constantInit(1))), kw.ctx.store.get('beta', [c], constantInit(0)));
      }
      return out;
    }),
);
