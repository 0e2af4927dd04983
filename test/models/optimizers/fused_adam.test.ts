/**
 * The fused Adam update (one CganAdamUpdate kernel per variable) gives tfjs's Adam weights and
 * moments bit for bit, on wasm and cpu, over steps with changing bias corrections and learning
 * rate; backends without the kernel run tfjs's own update.
 */
import * as tf from '@tensorflow/tfjs-core';
import { FusedAdamOptimizer, useBackend } from '@cgan/models';

const bits = (t: tf.Tensor) => Array.from(new Uint32Array(Float32Array.from(t.dataSync() as Float32Array).buffer));

function train(make: () => tf.Optimizer): number[][] {
  const w = tf.variable(tf.randomNormal([7, 5], 0, 1, 'float32', 1), true, `w${Math.random()}`);
  const b = tf.variable(tf.randomNormal([5], 0, 0.1, 'float32', 2), true, `b${Math.random()}`);
  const opt = make();
  try {
    for (let s = 0; s < 4; s++) {
      if (s === 2) (opt as unknown as { learningRate: number }).learningRate = 0.003; // a schedule's change
      const x = tf.randomNormal([3, 7], 0, 1, 'float32', 10 + s);
      opt.minimize(() => tf.sum(tf.square(tf.add(tf.matMul(x, w), b))) as tf.Scalar, false, [w, b]);
      x.dispose();
    }
    const a = opt as unknown as { accumulatedFirstMoment: Array<{ variable: tf.Variable }>; accumulatedSecondMoment: Array<{ variable: tf.Variable }> };
    return [w, b, ...a.accumulatedFirstMoment.map((m) => m.variable), ...a.accumulatedSecondMoment.map((m) => m.variable)].map(bits);
  } finally {
    opt.dispose();
    tf.dispose([w, b]);
  }
}

for (const backend of ['wasm', 'cpu'] as const) {
  test(`${backend}: fused Adam equals tf.train.adam bit for bit`, async () => {
    await useBackend(backend);
    expect(tf.getKernel('CganAdamUpdate', backend)).toBeDefined();
    for (const [lr, b1, b2, eps] of [[0.0002, 0.5, 0.999, 1e-8], [0.01, 0.0, 0.9, 1e-7]]) {
      const ours = train(() => new FusedAdamOptimizer(lr, b1, b2, eps));
      const theirs = train(() => tf.train.adam(lr, b1, b2, eps));
      expect(ours).toEqual(theirs);
    }
  });
}
