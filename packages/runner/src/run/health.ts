/**
 * Gradient and weight health, per network and per top-level layer group, on the steps that are
 * logged (run_config.log_every_steps): the norm of the gradients each optimizer applies, the norm
 * of the weights, and the update/weight ratio |w_after - w_before| / |w_after|. Nothing is
 * recomputed: the probe observes the shared training core (models' train_core.minimize), which
 * hands it the gradients the step already computed. On steps that are not logged it does nothing.
 * Cost: with Adam on wasm or cpu (models' FusedAdamOptimizer) the sums come out of the update
 * kernel itself, which reads the gradient and writes the new weights anyway (no pass of their own).
 * Otherwise one pass in JS over each tensor's memory (wasm and cpu: a view, no copy), sums in
 * float64: the gradients and a copy of the weights into one reused buffer before the update, the
 * weights and their change after it. No tfjs kernels either way (the earlier clone + sub + 3 dot
 * kernels per variable were 11% of a quick-start step).
 *
 * Names (snake_case, the variant's optimizer names): g_grad_norm, g_weight_norm, g_update_ratio,
 * d_grad_norm, ...; per group under `layers`: { "d/d_conv1": { grad_norm, ... } }. D's accuracy
 * on real and fake (d_acc_real, d_acc_fake) comes with the step's own summaries
 * (loss_lib.discriminatorAccuracy, from the logits the loss already has).
 */
import * as tf from '@tensorflow/tfjs-core';
import { measuresUpdatesInKernel, observeUpdates } from '@cgan/models';
import type { FusedAdamOptimizer } from '@cgan/models';
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
  private pending: { vars: tf.Variable[]; gradSq: Float64Array | null } | null = null;
  /** The weights before the update, all variables end to end (reused across steps). */
  private before = new Float32Array(0);
  private previous: UpdateObserver | null;

  constructor(gan: GanVariant) {
    for (const o of gan.optimizers()) this.names.set(o.optimizer, o.name);
    this.previous = observeUpdates(this);
  }

  beforeApply(u: Update, grads: tf.NamedTensorMap): void {
    if (!this.armed) return;
    const vars = u.variables.filter((v) => grads[v.name]);
    if (measuresUpdatesInKernel(u.optimizer) && u.optimizer.measureNextUpdate()) {
      this.pending = { vars, gradSq: null };
      return;
    }
    const total = vars.reduce((a, v) => a + v.size, 0);
    if (this.before.length < total) this.before = new Float32Array(total);
    const gradSq = new Float64Array(vars.length);
    let off = 0;
    vars.forEach((v, i) => {
      gradSq[i] = sumOfSquares(floats(grads[v.name]));
      this.before.set(floats(v), off);
      off += v.size;
    });
    this.pending = { vars, gradSq };
  }

  afterApply(u: Update): void {
    const p = this.pending;
    if (!this.armed || !p) return;
    this.pending = null;
    const sums: Sums = { grad: new Map(), weight: new Map(), update: new Map() };
    const add = (m: Map<string, number>, grp: string, x: number) => m.set(grp, (m.get(grp) ?? 0) + x);
    if (!p.gradSq) {
      // Measured by the update kernel (FusedAdamOptimizer); a variable it did not update adds nothing.
      const inKernel = (u.optimizer as FusedAdamOptimizer).takeUpdateSums() ?? new Map();
      for (const v of p.vars) {
        const s = inKernel.get(v.name);
        const grp = layerGroup(v.name);
        add(sums.grad, grp, s?.grad ?? 0);
        add(sums.weight, grp, s?.weight ?? 0);
        add(sums.update, grp, s?.update ?? 0);
      }
      this.measured.set(this.names.get(u.optimizer) ?? 'net', sums);
      return;
    }
    const gradSq = p.gradSq;
    const acc = new Float64Array(2);
    let off = 0;
    p.vars.forEach((v, i) => {
      sumsOfSquaresAndChanges(floats(v), this.before, off, acc);
      off += v.size;
      const grp = layerGroup(v.name);
      add(sums.grad, grp, gradSq[i]);
      add(sums.weight, grp, acc[0]);
      add(sums.update, grp, acc[1]);
    });
    this.measured.set(this.names.get(u.optimizer) ?? 'net', sums);
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

/**
 * A float32 tensor's values without a copy where the backend allows: a view of the wasm heap, the
 * cpu backend's own array; otherwise (tfjs-node) dataSync's copy. Read at once: a later wasm
 * allocation may move the heap.
 */
function floats(t: tf.Tensor): Float32Array {
  const b = tf.backend() as unknown as { typedArrayFromHeap?: (t: tf.TensorInfo) => Float32Array };
  if (t.dtype === 'float32' && tf.getBackend() === 'wasm' && typeof b.typedArrayFromHeap === 'function') return b.typedArrayFromHeap(t);
  return t.dataSync() as Float32Array;
}

/** acc = [sum w^2, sum (w - before[off..])^2], one pass. */
function sumsOfSquaresAndChanges(w: Float32Array, before: Float32Array, off: number, acc: Float64Array): void {
  let ws = 0;
  let us = 0;
  for (let k = 0; k < w.length; k++) {
    const x = w[k];
    const d = x - before[off + k];
    ws += x * x;
    us += d * d;
  }
  acc[0] = ws;
  acc[1] = us;
}

function sumOfSquares(a: Float32Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * a[i];
  return s;
}

/** Six significant digits: enough for curves and rules, short lines in metrics.jsonl (NaN/Inf kept). */
function round(x: number): number {
  return Number.isFinite(x) ? Number(x.toPrecision(6)) : x;
}
