/**
 * Gradient and weight health, per network and per top-level layer group, on the steps that are
 * logged (run_config.log_every_steps): the norm of the gradients each optimizer applies, the norm
 * of the weights, and the update/weight ratio |w_after - w_before| / |w_after|. Nothing is
 * recomputed: the probe sees the gradients the training step already computed, as they pass
 * through the optimizer's applyGradients. On other steps it only checks a flag.
 *
 * Names (snake_case, network from the optimizer: gOptimizer -> g): g_grad_norm, g_weight_norm,
 * g_update_ratio, d_grad_norm, ...; per group under `layers`: { "d/conv1": { grad_norm, ... } }.
 * D's accuracy on real and fake (d_acc_real, d_acc_fake) comes with the step's own summaries
 * (loss_lib.discriminatorAccuracy, from the logits the loss already has).
 */
import * as tf from '@tensorflow/tfjs-core';
import type { GanVariant } from '@cgan/models';
import { networkName, optimizersOf } from './optimizer_exact';

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

type ApplyGradients = tf.Optimizer['applyGradients'];

export class GradientHealth {
  private armed = false;
  /** Per network: the last measured applyGradients call of this step (disc_iters > 1: the last D update). */
  private measured = new Map<string, Sums>();
  private readonly restore: Array<() => void> = [];

  constructor(gan: GanVariant) {
    const vars = gan.store.all();
    const byName = new Map<string, tf.Variable>();
    for (const v of vars.values()) byName.set(v.name, v);
    for (const [prop, opt] of optimizersOf(gan)) {
      const net = networkName(prop);
      const original: ApplyGradients = opt.applyGradients;
      const self = this;
      // An own property shadowing the prototype's method; removed again by dispose().
      opt.applyGradients = function (this: tf.Optimizer, grads: Parameters<ApplyGradients>[0]) {
        if (!self.armed) return original.call(this, grads);
        const list = Array.isArray(grads) ? grads.map((g) => [g.name, g.tensor] as const) : Object.entries(grads);
        const pairs = list.map(([name, g]) => ({ name, g, v: byName.get(name) })).filter((p): p is { name: string; g: tf.Tensor; v: tf.Variable } => !!p.v);
        const before = pairs.map((p) => tf.clone(p.v));
        const gradSq = tf.tidy(() => pairs.map((p) => tf.sum(tf.square(p.g))));
        try {
          original.call(this, grads);
          const [g2, w2, u2] = tf.tidy(() => {
            const w = pairs.map((p) => tf.sum(tf.square(p.v)));
            const u = pairs.map((p, i) => tf.sum(tf.square(tf.sub(p.v, before[i]))));
            return [gradSq, w, u].map((xs) => (xs.length ? (tf.stack(xs).dataSync() as Float32Array) : new Float32Array(0)));
          });
          const sums: Sums = { grad: new Map(), weight: new Map(), update: new Map() };
          pairs.forEach((p, i) => {
            const grp = layerGroup(p.name);
            for (const [m, x] of [[sums.grad, g2[i]], [sums.weight, w2[i]], [sums.update, u2[i]]] as const) m.set(grp, (m.get(grp) ?? 0) + x);
          });
          self.measured.set(net, sums);
        } finally {
          tf.dispose([...before, ...gradSq]);
        }
      } as ApplyGradients;
      this.restore.push(() => delete (opt as unknown as Record<string, unknown>).applyGradients);
    }
  }

  /** Measure the applyGradients calls of the next training step. */
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
    for (const r of this.restore.splice(0)) r();
  }
}

/** Six significant digits: enough for curves and rules, short lines in metrics.jsonl (NaN/Inf kept). */
function round(x: number): number {
  return Number.isFinite(x) ? Number(x.toPrecision(6)) : x;
}
