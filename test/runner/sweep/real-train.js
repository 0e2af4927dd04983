#!/usr/bin/env node
/**
 * The real `gan train` (the built CLI in packages/runner/dist) with one extra, tiny
 * architecture registered first: `sweep_test_arch`, one dense layer for G and for D, so a
 * sweep test can train real trials in seconds. Same arguments as `gan`.
 */
'use strict';
const path = require('path');
const ROOT = path.resolve(__dirname, '../../..');
const tf = require('@tensorflow/tfjs-core');
const { configurable } = require(path.join(ROOT, 'packages/config-lang/dist'));

function dense(store, x, units, name, seed) {
  return store.scope(name, () => {
    const w = store.get('kernel', [x.shape[1], units], (s) => tf.randomNormal(s, 0, 0.05, 'float32', seed));
    const b = store.get('bias', [units], (s) => tf.zeros(s));
    return tf.add(tf.matMul(x, w), b);
  });
}

configurable('sweep_test_arch', { params: {} }, (o) => {
  const [h, w, c] = o.imageShape;
  const { store } = o;
  return {
    generator: {
      name: 'generator',
      imageShape: o.imageShape,
      apply: (z) => store.scope('generator', () => tf.reshape(tf.sigmoid(dense(store, z, h * w * c, 'fc', 1)), [-1, h, w, c])),
    },
    discriminator: {
      name: 'discriminator',
      apply: (x) =>
        store.scope('discriminator', () => {
          const features = tf.relu(dense(store, tf.reshape(x, [x.shape[0], -1]), 8, 'fc1', 2));
          const logits = dense(store, features, 1, 'fc2', 3);
          return { logits, probs: tf.sigmoid(logits), features };
        }),
    },
  };
});

require(path.join(ROOT, 'packages/runner/dist')).main(process.argv).then((code) => process.exit(code));
