/**
 * A test-only architecture (`tiny_test_arch`) small enough for the cpu backend: G is a 2-layer MLP
 * producing [h, w, c] images through a sigmoid; D is a strided 3x3 conv with leaky ReLU, a dense
 * feature layer and a linear output (plus a projection term when conditional). Variables live under
 * 'generator/...' and 'discriminator/...' as the contract requires.
 */
import * as tf from '@tensorflow/tfjs-core';
import { configurable } from '@cgan/config-lang';
import { Architecture, ArchitectureOptions, DiscriminatorOutput, Rng, VariableStore } from '@cgan/models';

const initRng = new Rng(1234);

function dense(store: VariableStore, x: tf.Tensor2D, units: number, name: string): tf.Tensor2D {
  return store.scope(name, () => {
    const seed = initRng.nextSeed();
    const k = store.get('kernel', [x.shape[1], units], (s) => tf.randomNormal(s, 0, Math.sqrt(1 / s[0]), 'float32', seed));
    const b = store.get('bias', [units], (s) => tf.zeros(s));
    return tf.add(tf.matMul(x, k), b) as tf.Tensor2D;
  });
}

export function tinyArchitecture(o: ArchitectureOptions): Architecture {
  const [h, w, c] = o.imageShape;
  const store = o.store;
  return {
    generator: {
      name: 'generator',
      imageShape: o.imageShape,
      apply(z, y, _isTraining) {
        return store.scope('generator', () => {
          const input = o.conditional && y ? (tf.concat([z, y], 1) as tf.Tensor2D) : z;
          const hidden = tf.relu(dense(store, input, 32, 'fc1')) as tf.Tensor2D;
          return tf.reshape(tf.sigmoid(dense(store, hidden, h * w * c, 'fc2')), [z.shape[0], h, w, c]) as tf.Tensor4D;
        });
      },
    },
    discriminator: {
      name: 'discriminator',
      apply(x, y, _isTraining): DiscriminatorOutput {
        return store.scope('discriminator', () => {
          const seed = initRng.nextSeed();
          const k = store.scope('conv1', () => store.get('kernel', [3, 3, c, 4], (s) => tf.randomNormal(s, 0, 0.3, 'float32', seed)));
          const conv = tf.leakyRelu(tf.conv2d(x, k as tf.Tensor4D, 2, 'same'), 0.2);
          const flat = tf.reshape(conv, [x.shape[0], -1]) as tf.Tensor2D;
          const features = tf.leakyRelu(dense(store, flat, 16, 'fc1'), 0.2) as tf.Tensor2D;
          let logits = dense(store, features, 1, 'fc2');
          if (o.conditional && y) {
            const emb = dense(store, y, 16, 'embed');
            logits = tf.add(logits, tf.sum(tf.mul(emb, features), 1, true)) as tf.Tensor2D;
          }
          return { probs: tf.sigmoid(logits) as tf.Tensor2D, logits, features };
        });
      },
    },
  };
}

export const tiny_test_arch = configurable('tiny_test_arch', { params: {} }, tinyArchitecture);
