/**
 * Second-order gradients (the gradient of a gradient norm, as WGAN-GP and DRAGAN need) through
 * conv2d, leaky relu and dense layers, on wasm and on cpu, against central finite differences.
 */
import * as tf from '@tensorflow/tfjs-core';
import { useBackend } from '@cgan/models';

interface Params {
  w1: tf.Tensor4D;
  w2: tf.Tensor4D;
  w3: tf.Tensor2D;
}

function discriminator(p: Params, x: tf.Tensor4D): tf.Tensor {
  let h = tf.leakyRelu(tf.conv2d(x, p.w1, 1, 'same'), 0.2) as tf.Tensor4D;
  h = tf.leakyRelu(tf.conv2d(h, p.w2, 2, 'same'), 0.2) as tf.Tensor4D;
  return tf.matMul(tf.reshape(h, [x.shape[0], -1]), p.w3);
}

/** WGAN-GP's penalty: mean over the batch of (||d D(x) / dx||_2 - 1)^2. */
function penalty(p: Params, x: tf.Tensor4D): tf.Scalar {
  const g = tf.grad((xx: tf.Tensor4D) => tf.sum(discriminator(p, xx)))(x);
  const norms = tf.sqrt(tf.add(tf.sum(tf.square(g), [1, 2, 3]), 1e-12));
  return tf.mean(tf.square(tf.sub(norms, 1)));
}

describe.each(['wasm', 'cpu'] as const)('gradient of a gradient norm on %s', (backend) => {
  test('matches central finite differences for every weight tensor', async () => {
    await useBackend(backend);
    const x = tf.randomUniform([2, 6, 6, 2], -1, 1, 'float32', 3) as tf.Tensor4D;
    const base: Params = {
      w1: tf.randomNormal([3, 3, 2, 3], 0, 0.5, 'float32', 4) as tf.Tensor4D,
      w2: tf.randomNormal([4, 4, 3, 4], 0, 0.5, 'float32', 5) as tf.Tensor4D,
      w3: tf.randomNormal([3 * 3 * 4, 1], 0, 0.5, 'float32', 6) as tf.Tensor2D,
    };
    const names = ['w1', 'w2', 'w3'] as const;
    const analytic = tf.grads((w1: tf.Tensor, w2: tf.Tensor, w3: tf.Tensor) =>
      penalty({ w1: w1 as tf.Tensor4D, w2: w2 as tf.Tensor4D, w3: w3 as tf.Tensor2D }, x),
    )([base.w1, base.w2, base.w3]);
    const eps = 1e-2;
    let checked = 0;
    for (let k = 0; k < names.length; k++) {
      const name = names[k];
      const values = base[name].dataSync();
      const grad = analytic[k].dataSync();
      const scale = Math.max(...Array.from(grad, Math.abs));
      expect(scale).toBeGreaterThan(0);
      for (const i of [0, Math.floor(values.length / 2), values.length - 1]) {
        const at = (delta: number) => {
          const v = Float32Array.from(values);
          v[i] += delta;
          const pert = { ...base, [name]: tf.tensor(v, base[name].shape) } as Params;
          const out = tf.tidy(() => penalty(pert, x).dataSync()[0]);
          pert[name].dispose();
          return out;
        };
        const fd = (at(eps) - at(-eps)) / (2 * eps);
        expect(Math.abs(fd - grad[i])).toBeLessThan(0.02 * scale + 1e-3);
        checked++;
      }
    }
    expect(checked).toBe(9);
    tf.dispose([x, base.w1, base.w2, base.w3, ...analytic]);
  });
});
