/**
 * A tiny conv GAN written with plain tfjs ops (test only): G uses dense, batch norm, relu,
 * conv2dTranspose and tanh; D uses conv2d, leaky relu, avg pooling, dense and a sigmoid
 * cross-entropy loss. Every random draw comes from the runtime's seeded streams.
 */
import * as tf from '@tensorflow/tfjs-core';
import { runtimeRng } from '@cgan/models';

export interface TinyGan {
  step(): { dLoss: number; gLoss: number };
  weights(): Float32Array[];
  dispose(): void;
}

export function tinyGan(batch = 4): TinyGan {
  const init = runtimeRng('init');
  const zs = runtimeRng('z');
  const v = (shape: number[], scale: number) => tf.variable(tf.randomNormal(shape, 0, scale, 'float32', init.nextSeed()));
  const G = { w0: v([8, 4 * 4 * 6], 0.2), gamma: v([6], 0.1), beta: v([6], 0.1), w1: v([3, 3, 2, 6], 0.2), b1: v([2], 0.1) };
  const D = { w1: v([3, 3, 2, 4], 0.2), b1: v([4], 0.1), w2: v([2 * 2 * 4, 1], 0.2), b2: v([1], 0.1) };
  const real = tf.keep(tf.tanh(tf.randomNormal([batch, 8, 8, 2], 0, 1, 'float32', init.nextSeed())));
  const g = (z: tf.Tensor2D) => {
    let h = tf.reshape(tf.matMul(z, G.w0), [batch, 4, 4, 6]) as tf.Tensor4D;
    const m = tf.moments(h, [0, 1, 2]);
    h = tf.relu(tf.batchNorm(h, m.mean, m.variance, G.beta, G.gamma, 1e-5));
    return tf.tanh(tf.add(tf.conv2dTranspose(h, G.w1 as tf.Tensor4D, [batch, 8, 8, 2], 2, 'same'), G.b1)) as tf.Tensor4D;
  };
  const d = (x: tf.Tensor4D) => {
    let h = tf.leakyRelu(tf.add(tf.conv2d(x, D.w1 as tf.Tensor4D, 1, 'same'), D.b1), 0.2) as tf.Tensor4D;
    h = tf.avgPool(h, 4, 4, 'valid');
    return tf.add(tf.matMul(tf.reshape(h, [batch, -1]), D.w2), D.b2);
  };
  const optD = tf.train.adam(0.01, 0.5, 0.999);
  const optG = tf.train.adam(0.01, 0.5, 0.999);
  const dVars = Object.values(D);
  const gVars = Object.values(G);
  return {
    step() {
      const z = tf.randomNormal([batch, 8], 0, 1, 'float32', zs.nextSeed()) as tf.Tensor2D;
      const dl = optD.minimize(() => {
        const lr = d(real);
        const lf = d(g(z));
        return tf.add(tf.losses.sigmoidCrossEntropy(tf.onesLike(lr), lr), tf.losses.sigmoidCrossEntropy(tf.zerosLike(lf), lf)) as tf.Scalar;
      }, true, dVars)!;
      const gl = optG.minimize(() => {
        const lf = d(g(z));
        return tf.losses.sigmoidCrossEntropy(tf.onesLike(lf), lf) as tf.Scalar;
      }, true, gVars)!;
      const out = { dLoss: dl.dataSync()[0], gLoss: gl.dataSync()[0] };
      tf.dispose([z, dl, gl]);
      return out;
    },
    weights: () => [...gVars, ...dVars].map((x) => Float32Array.from(x.dataSync())),
    dispose() {
      tf.dispose([...gVars, ...dVars, real]);
      optD.dispose();
      optG.dispose();
    },
  };
}
