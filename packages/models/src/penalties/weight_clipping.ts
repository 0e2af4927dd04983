/**
 * The original WGAN's weight clipping (Arjovsky et al.): after every discriminator update each
 * trainable D variable is clipped to [-limit, limit]. `weight_clipping.limit = None` (default)
 * disables it.
 */
import * as tf from '@tensorflow/tfjs-core';
import { configurable, t } from '@cgan/config-lang';

/** The configured clip limit, or null when clipping is off. */
export const weight_clipping = configurable(
  'weight_clipping',
  { module: 'penalty_lib', params: { limit: { default: null, type: t.optional(t.number), doc: 'clip D weights to [-limit, limit] after each D step' } } },
  (kw: { limit: number | null }): number | null => {
    if (kw.limit === null || kw.limit === undefined) return null;
    if (!(typeof kw.limit === 'number' && kw.limit > 0)) throw new Error(`weight_clipping.limit must be a positive number or None, got ${kw.limit}.`);
    return kw.limit;
  },
);

/** Clips every variable in place to [-limit, limit]. */
export function clipWeights(vars: tf.Variable[], limit: number): void {
  for (const v of vars) tf.tidy(() => v.assign(tf.clipByValue(v, -limit, limit)));
}
