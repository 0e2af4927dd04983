/**
 * S2GAN's pre-training is real learning: after pre-training on shapes where half of the labels
 * are hidden, the classifier on the self-supervised features labels the hidden half far better
 * than chance, and those are the labels the GAN then trains with.
 */
import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import { config } from '@cgan/config-lang';
import { Batch, renderShapes, Rng, useBackend } from '@cgan/models';
import { buildGan, disposeGan } from './helpers';

beforeAll(async () => {
  await useBackend('wasm');
});
afterEach(() => config.clear());
afterAll(async () => {
  await tf.setBackend('cpu');
});

test('S2GAN pre-training labels the unlabelled shapes well above chance', () => {
  const N = 512;
  const data = renderShapes(new Rng(1), { resolution: 8, colors: 1, numClasses: 3, count: N });
  const images = tf.div(tf.tensor4d(Float32Array.from(data.images), [N, 8, 8, 1]), 255) as tf.Tensor4D;
  const labels = tf.tensor1d(data.labels, 'int32');
  // Every other example keeps its label.
  const labelled = tf.tensor1d(Float32Array.from({ length: N }, (_, i) => (i % 2 === 0 ? 1 : 0)));
  const STEPS = 150;
  const { gan, store } = buildGan(`
options.gan_class = @S2GAN
options.batch_size = 32
ModularGAN.conditional = True
S2GAN.pretrain_steps = ${STEPS}
S2GAN.classifier_lr = 0.01
`);
  const rng = new Rng(2);
  const accuracyOnHidden = () =>
    tf.tidy(() => {
      const predicted = tf.argMax(gan.classifierLogits(images), 1);
      const hidden = tf.sub(1, labelled);
      const correct = tf.mul(tf.cast(tf.equal(predicted, labels), 'float32'), hidden);
      return tf.div(tf.sum(correct), tf.sum(hidden)).dataSync()[0];
    });
  const before = accuracyOnHidden();
  let last: Record<string, number> = {};
  for (let step = 0; step < STEPS; step++) {
    const idx = tf.tensor1d(Array.from(rng.permutation(N).slice(0, 32)), 'int32');
    const batch: Batch = { images: tf.gather(images, idx) as tf.Tensor4D, labels: tf.gather(labels, idx) as tf.Tensor1D, labelled: tf.gather(labelled, idx) as tf.Tensor1D };
    last = gan.trainStep([batch], step);
    tf.dispose([idx, batch.images, batch.labels, batch.labelled]);
  }
  const after = accuracyOnHidden();
  console.log(`S2GAN classifier accuracy on hidden labels: ${before.toFixed(3)} -> ${after.toFixed(3)}; ${JSON.stringify(last)}`);
  expect(last.pretrain_rotation_loss).toBeLessThan(Math.log(4));
  expect(after).toBeGreaterThan(0.6); // chance is 1/3
  // The GAN now sees the classifier's labels for the hidden half.
  const batch: Batch = { images: tf.slice(images, 0, 8), labels: tf.slice(labels, 0, 8), labelled: tf.slice(labelled, 0, 8) };
  const y = gan.realLabels(batch)!;
  const predicted = Array.from(tf.argMax(gan.classifierLogits(batch.images), 1).dataSync());
  const used = Array.from(tf.argMax(y, 1).dataSync());
  const truth = Array.from(batch.labels.dataSync());
  used.forEach((c, i) => expect(c).toBe(i % 2 === 0 ? truth[i] : predicted[i]));
  disposeGan(gan, store);
});
