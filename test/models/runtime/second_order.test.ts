/**
 * Second-order gradients (the gradient of a gradient norm, as WGAN-GP and DRAGAN need) through
 * every kind of op a discriminator uses, on wasm and on cpu, against central finite differences:
 * convolutions, dense layers, average and max pooling (the kernels AvgPoolGrad / MaxPoolGrad
 * that their gradients run have no gradient in tfjs: runtime/gradients.ts adds them), resizes,
 * batch and layer normalization, spectral norm, the non-local attention block, the projection
 * term and a gathered embedding. Each D is built from the library's own ops (packages/models/src/ops).
 */
import * as tf from '@tensorflow/tfjs-core';
import { arch_ops, Rng, useBackend, VariableStore } from '@cgan/models';

const { batch_norm, conv2d, layer_norm, linear, non_local_block, opContext, projectY } = arch_ops;
type OpContext = arch_ops.OpContext;

/** WGAN-GP's penalty: mean over the batch of (||d D(x) / dx||_2 - 1)^2. */
function penalty(d: (x: tf.Tensor4D) => tf.Tensor, x: tf.Tensor4D): tf.Scalar {
  const g = tf.grad((xx: tf.Tensor4D) => tf.sum(d(xx)))(x);
  const norms = tf.sqrt(tf.add(tf.sum(tf.square(g), [1, 2, 3]), 1e-12));
  return tf.mean(tf.square(tf.sub(norms, 1)));
}

/**
 * Builds D's variables (one call), then compares d penalty / d v for every trainable variable v
 * with central differences at three entries each.
 */
function expectMatchesFiniteDifferences(c: Case, x: tf.Tensor4D): number {
  const store = new VariableStore();
  const trainCtx = opContext(store, true, new Rng(7));
  const ctx = { ...trainCtx, isTraining: c.training ?? true };
  const d = c.d;
  try {
    for (let i = 0; i < (c.trainingCalls ?? 1); i++) {
      tf.tidy(() => {
        d(trainCtx, x);
      });
    }
    c.setup?.(store);
    const vars = store.trainable();
    expect(vars.length).toBeGreaterThan(0);
    const f = () => penalty((xx) => d(ctx, xx), x);
    const { grads } = tf.variableGrads(f, vars);
    const eps = c.eps ?? 1e-2;
    // Tolerance relative to the largest gradient entry of any variable.
    const scale = Math.max(...vars.map((v) => Math.max(0, ...Array.from(grads[v.name]?.dataSync() ?? [], Math.abs))));
    let checked = 0;
    for (const v of vars) {
      // A variable the input gradient does not depend on (D's last bias) gets no gradient.
      const grad = grads[v.name]?.dataSync() ?? new Float32Array(v.size);
      const values = Float32Array.from(v.dataSync());
      for (const i of new Set([0, Math.floor(values.length / 2), values.length - 1])) {
        const at = (delta: number) => {
          const p = Float32Array.from(values);
          p[i] += delta;
          v.assign(tf.tensor(p, v.shape));
          return tf.tidy(() => f().dataSync()[0]);
        };
        const fd = (at(eps) - at(-eps)) / (2 * eps);
        v.assign(tf.tensor(values, v.shape));
        if (Math.abs(fd - grad[i]) >= 0.02 * scale + 2e-3) throw new Error(`${v.name}[${i}]: analytic ${grad[i]}, finite differences ${fd} (largest |grad| ${scale})`);
        checked++;
      }
    }
    tf.dispose(grads);
    return checked;
  } finally {
    store.dispose();
  }
}

const image = (shape: [number, number, number, number], seed: number) => tf.randomUniform(shape, -1, 1, 'float32', seed) as tf.Tensor4D;
const conv = (ctx: OpContext, x: tf.Tensor4D, c: number, name: string, k = 3, s = 1, sn = false, bias = true) => conv2d(ctx, x, c, { k_h: k, k_w: k, d_h: s, d_w: s, name, stddev: 0.5, use_sn: sn, use_bias: bias });
const head = (ctx: OpContext, h: tf.Tensor4D) => linear(ctx, tf.reshape(h, [h.shape[0], -1]), 1, { scope: 'head', stddev: 0.5 });
const act = (h: tf.Tensor4D) => tf.tanh(h) as tf.Tensor4D;

interface Case {
  shape: [number, number, number, number];
  /** D's logits for x. */
  d: (ctx: OpContext, x: tf.Tensor4D) => tf.Tensor;
  /** Adjusts the variables after they are created. */
  setup?: (s: VariableStore) => void;
  /** Training-mode calls before the comparison (default 1: creates the variables). */
  trainingCalls?: number;
  /** Compare in training mode (default) or inference mode. */
  training?: boolean;
  /** Finite-difference step (default 1e-2). */
  eps?: number;
}

/** One D per op family. */
const CASES: Array<[string, Case]> = [
  // No biases before a leaky relu: the input gradient does not depend on them, and finite
  // differences would straddle its kink.
  ['conv2d (stride 1 and 2), leaky relu, dense', {
    shape: [2, 6, 6, 2],
    d: (ctx, x) => head(ctx, tf.leakyRelu(conv(ctx, tf.leakyRelu(conv(ctx, x, 3, 'c1', 3, 1, false, false), 0.2) as tf.Tensor4D, 4, 'c2', 4, 2, false, false), 0.2) as tf.Tensor4D),
  }],
  ['tanh, sigmoid, exp, softmax (gradients that tfjs takes from saved outputs)', {
    shape: [2, 3, 3, 2],
    d: (ctx, x) => {
      const h = tf.reshape(act(conv(ctx, x, 2, 'c1')), [x.shape[0], -1]) as tf.Tensor2D;
      const s = tf.mul(tf.softmax(linear(ctx, h, 4, { scope: 'fc', stddev: 0.5 })), tf.slice(tf.sigmoid(tf.exp(tf.mul(h, 0.5))), [0, 0], [-1, 4]));
      return linear(ctx, s, 1, { scope: 'head', stddev: 0.5 });
    },
  }],
  ['average pooling 2x2/2 (ResNet down-sampling)', {
    shape: [2, 6, 6, 2],
    d: (ctx, x) => head(ctx, act(conv(ctx, tf.avgPool(act(conv(ctx, x, 3, 'c1')), 2, 2, 'same'), 2, 'c2'))),
  }],
  ['average pooling 3x3/2 over padding', {
    shape: [2, 5, 5, 2],
    d: (ctx, x) => head(ctx, tf.avgPool(act(conv(ctx, x, 3, 'c1')), 3, 2, 'same')),
  }],
  ['max pooling 2x2/2 valid and 3x3/1 same', {
    shape: [2, 6, 6, 2],
    d: (ctx, x) => head(ctx, tf.maxPool(act(conv(ctx, tf.maxPool(act(conv(ctx, x, 3, 'c1')), 2, 2, 'valid'), 2, 'c2')), 3, 1, 'same')),
  }],
  ['bilinear and nearest-neighbour resizes', {
    shape: [2, 4, 4, 2],
    d: (ctx, x) => {
      const up = tf.image.resizeBilinear(act(conv(ctx, x, 2, 'c1')), [7, 7]);
      const down = tf.image.resizeNearestNeighbor(act(conv(ctx, up, 2, 'c2')), [3, 3], false, true);
      return head(ctx, tf.image.resizeBilinear(down, [5, 5], true));
    },
  }],
  ['batch norm (batch statistics) and layer norm', {
    shape: [4, 4, 4, 2],
    d: (ctx, x) => {
      const h = act(batch_norm({ ctx, inputs: conv(ctx, x, 3, 'c1'), name: 'bn' }) as tf.Tensor4D);
      return head(ctx, act(layer_norm({ ctx, inputs: conv(ctx, h, 2, 'c2'), scope: 'ln' }) as tf.Tensor4D));
    },
    // gamma/beta start at 1/0; move them so that their gradients are generic.
    setup: (s) => {
      for (const [name, v] of s.all()) if (/gamma|beta/.test(name)) v.assign(tf.randomUniform(v.shape, 0.5, 1.5, 'float32', name.length));
    },
  }],
  // u and v carry no gradient (SN-GAN), which is the exact derivative only at the singular
  // vectors: converge them by training-mode calls, then compare in inference mode, where u is
  // read and not updated.
  ['spectral norm (conv and dense kernels)', {
    shape: [2, 4, 4, 2],
    d: (ctx, x) => {
      const h = act(conv(ctx, x, 3, 'c1', 3, 2, true));
      return linear(ctx, tf.reshape(h, [h.shape[0], -1]), 1, { scope: 'head', stddev: 0.5, use_sn: true });
    },
    trainingCalls: 100,
    training: false,
  }],
  ['non-local attention block', {
    shape: [2, 4, 4, 8],
    d: (ctx, x) => head(ctx, non_local_block(ctx, act(conv(ctx, x, 8, 'c1')), 'attn', false)),
    setup: (s) => {
      for (const [name, v] of s.all()) if (name.endsWith('sigma')) v.assign(tf.scalar(0.7));
    },
    // Smaller steps: a step of 1e-2 moves some 2x2 maxima to another position.
    eps: 2e-3,
  }],
  ['projection and gathered embeddings', {
    shape: [4, 4, 4, 2],
    d: (ctx, x) => {
      const h = tf.mean(act(conv(ctx, x, 3, 'c1')), [1, 2]) as tf.Tensor2D;
      const labels = tf.tensor1d([0, 2, 1, 2], 'int32');
      const y = tf.cast(tf.oneHot(labels, 3), 'float32') as tf.Tensor2D;
      const table = ctx.store.get('embedding', [3, 3], (sh) => tf.randomNormal(sh, 0, 0.5, 'float32', 11));
      const gathered = tf.sum(tf.mul(tf.gather(table, labels), h), 1, true);
      return tf.add(tf.add(linear(ctx, h, 1, { scope: 'out', stddev: 0.5 }), projectY(ctx, h, y)), gathered);
    },
  }],
];

describe.each(['wasm', 'cpu'] as const)('gradient of a gradient norm on %s', (backend) => {
  beforeAll(async () => {
    await useBackend(backend);
  });
  test.each(CASES)('%s: matches central finite differences for every variable', (_name, c) => {
    const x = image(c.shape, 3);
    try {
      expect(expectMatchesFiniteDifferences(c, x)).toBeGreaterThanOrEqual(3);
    } finally {
      x.dispose();
    }
  });
});
