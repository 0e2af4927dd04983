/**
 * Gradient and weight health, per network and per top-level layer group, on the steps that are
 * logged (run_config.log_every_steps): the norm of the gradients each optimizer applies, the norm
 * of the weights, and the update/weight ratio |w_after - w_before| / |w_after|. Nothing is
 * recomputed: the probe observes the shared training core (models' train_core.minimize), which
 * hands it the gradients the step already computed. On steps that are not logged it does nothing.
 *
 * Names (snake_case, the variant's optimizer names): g_grad_norm, g_weight_norm, g_update_ratio,
 * d_grad_norm, ...; per group under `layers`: { "d/d_conv1": { grad_norm, ... } }. D's accuracy
 * on real and fake (d_acc_real, d_acc_fake) comes with the step's own summaries
 * (loss_lib.discriminatorAccuracy, from the logits the loss already has).
 */
import * as tf from '@tensorflow/tfjs-core';
import { observeUpdates } from '@cgan/models';
import type { GanVariant, Update, UpdateObserver } from '@cgan/models';

export interface HealthRecord {
  [key: string]: number | Record<string, Record<string, number>>;
  layers: Record<string, Record<string, number>>;
}

interface Sums {
  grad: Map<string, number>;
  weight: Map<string, number>;
  update: Map<string, number>;
}

/** `discriminator/conv1/kernel` -> `conv1` (the top-level layer group of a variable). */
export function layerGroup(variableName: string): string {
  const parts = variableName.split('/');
  return parts.length > 2 ? parts[1] : parts[parts.length - 1];
}

export class GradientHealth implements UpdateObserver {
  private armed = false;
  /** Per network: the last measured update of this step (disc_iters > 1: the last D update). */
  private measured = new Map<string, Sums>();
  private names = new Map<tf.Optimizer, string>();
  private pending: { vars: tf.Variable[]; before: tf.Tensor[]; gradSq: tf.Tensor[] } | null = null;
  private previous: UpdateObserver | null;

  constructor(gan: GanVariant) {
    for (const o of gan.optimizers()) this.names.set(o.optimizer, o.name);
    this.previous = observeUpdates(this);
  }

  /** Squared norm of each tensor, as one fused pass each (a 1-D dot product, no squared copy). */
  private static sq(ts: tf.Tensor[]): tf.Tensor[] {
    return ts.map((t) => {
      const f = tf.reshape(t, [-1]) as tf.Tensor1D;
      return tf.dot(f, f);
    });
  }

  beforeApply(u: Update, grads: tf.NamedTensorMap): void {
    if (!this.armed) return;
    const vars = u.variables.filter((v) => grads[v.name]);
    this.pending = {
      vars,
      before: vars.map((v) => tf.clone(v)),
      gradSq: tf.tidy(() => GradientHealth.sq(vars.map((v) => grads[v.name]))),
    };
  }

  afterApply(u: Update): void {
    const p = this.pending;
    if (!this.armed || !p) return;
    this.pending = null;
    try {
      const n = p.vars.length;
      const all = n
        ? (tf.tidy(() => tf.stack([...p.gradSq, ...GradientHealth.sq(p.vars), ...GradientHealth.sq(p.vars.map((v, i) => tf.sub(v, p.before[i])))]).dataSync()) as Float32Array)
        : new Float32Array(0);
      const sums: Sums = { grad: new Map(), weight: new Map(), update: new Map() };
      p.vars.forEach((v, i) => {
        const grp = layerGroup(v.name);
        for (const [m, x] of [[sums.grad, all[i]], [sums.weight, all[n + i]], [sums.update, all[2 * n + i]]] as const) m.set(grp, (m.get(grp) ?? 0) + x);
      });
      this.measured.set(this.names.get(u.optimizer) ?? 'net', sums);
    } finally {
      tf.dispose([...p.before, ...p.gradSq]);
    }
  }

  /** Measure the updates of the next training step. */
  arm(): void {
    this.armed = true;
    this.measured.clear();
  }

  /** The measurements of the armed step (empty when no optimizer applied gradients), then disarms. */
  collect(): HealthRecord | null {
    this.armed = false;
    if (!this.measured.size) return null;
    const out: HealthRecord = { layers: {} };
    const total = (m: Map<string, number>) => [...m.values()].reduce((a, b) => a + b, 0);
    for (const [net, s] of this.measured) {
      const w = Math.sqrt(total(s.weight));
      out[`${net}_grad_norm`] = round(Math.sqrt(total(s.grad)));
      out[`${net}_weight_norm`] = round(w);
      out[`${net}_update_ratio`] = round(w > 0 ? Math.sqrt(total(s.update)) / w : 0);
      for (const grp of s.grad.keys()) {
        const gw = Math.sqrt(s.weight.get(grp)!);
        out.layers[`${net}/${grp}`] = {
          grad_norm: round(Math.sqrt(s.grad.get(grp)!)),
          weight_norm: round(gw),
          update_ratio: round(gw > 0 ? Math.sqrt(s.update.get(grp)!) / gw : 0),
        };
      }
    }
    this.measured.clear();
    return out;
  }

  dispose(): void {
    observeUpdates(this.previous);
    this.previous = null;
  }
}

/** Six significant digits: enough for curves and rules, short lines in metrics.jsonl (NaN/Inf kept). */
function round(x: number): number {
  return Number.isFinite(x) ? Number(x.toPrecision(6)) : x;
}
