import * as tf from '@tensorflow/tfjs-core';
import { useBackend } from '@cgan/models';

export type Backend = 'wasm' | 'cpu';

/** Runs `fn` on `backend` and returns its tensors' values (tensors are disposed). */
export async function valuesOn(backend: Backend, fn: () => tf.Tensor[]): Promise<Float32Array[]> {
  await useBackend(backend);
  const ts = tf.tidy(fn);
  const out = ts.map((t) => t.dataSync() as Float32Array);
  tf.dispose(ts);
  return out.map((a) => Float32Array.from(a));
}

/** max |a - b| / (1 + |b|) over all elements; shapes must agree. */
export function maxRelDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`length ${a.length} vs ${b.length}`);
  let m = 0;
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs(a[i] - b[i]) / (1 + Math.abs(b[i]));
    if (!(d <= m)) m = Number.isNaN(d) ? Infinity : d;
  }
  return m;
}

/** Runs `fn` on wasm and on cpu and returns the worst relative difference over all outputs. */
export async function wasmVsCpu(fn: () => tf.Tensor[]): Promise<number> {
  const w = await valuesOn('wasm', fn);
  const c = await valuesOn('cpu', fn);
  expect(w.length).toBe(c.length);
  return Math.max(...w.map((x, i) => maxRelDiff(x, c[i])));
}

/** A small deterministic PRNG for test shapes (independent of Math.random). */
export function shapeRng(seed: number): (lo: number, hi: number) => number {
  let s = seed >>> 0;
  return (lo, hi) => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return lo + (s % (hi - lo + 1));
  };
}
