/**
 * A few BigBiGAN training steps on real datasets: Fashion-MNIST (28x28, the BigGAN architecture
 * running at 32x32 with pad/crop, the network of gin-configs/bigbigan_shapes.gin) and `shapes`
 * (16x16 RGB, dcgan_arch), tiny widths.
 */
import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import { config, parseConfig } from '@cgan/config-lang';
import { createDataset, GanDataset } from '@cgan/models';
import { buildBigBiGAN, disposeAll, disposeBatch } from './helpers';

jest.setTimeout(300000);

beforeAll(async () => {
  await tf.setBackend('cpu');
});
afterEach(() => {
  disposeAll();
  config.clear();
});

async function trainSteps(extra: string, datasetGin: string, steps: number) {
  parseConfig(datasetGin);
  const ds: GanDataset = await createDataset({ seed: 1, overrides: { download: false } });
  const { gan } = buildBigBiGAN(extra, ds.info);
  const it = ds.batches('train', { batchSize: 4, seed: 2, repeat: true });
  const history: Array<Record<string, number>> = [];
  for (let step = 0; step < steps; step++) {
    const b = (await it.next()).value;
    history.push(gan.trainStep([b], step));
    disposeBatch(b);
  }
  await it.return?.(undefined);
  return { gan, ds, history };
}

test('Fashion-MNIST, resnet_biggan_arch + ResNet encoder: finite losses; encode/reconstruct at 28x28', async () => {
  const { gan, ds, history } = await trainSteps(
    `
options.architecture = "resnet_biggan_arch"
options.z_dim = 8
resnet_biggan.Generator.ch = 2
resnet_biggan.Generator.blocks_with_attention = ""
resnet_biggan.Discriminator.ch = 2
resnet_biggan.Discriminator.blocks_with_attention = ""
G.batch_norm_fn = @batch_norm
D.spectral_norm = True
BigBiGAN.encoder_lr = 0.001
`,
    'dataset.name = "fashion-mnist"\n',
    2,
  );
  expect(ds.info.imageShape).toEqual([28, 28, 1]);
  for (const s of history) {
    expect(Object.values(s).every(Number.isFinite)).toBe(true);
    expect(s.d_loss).toBeCloseTo(s.d_loss_x + s.d_loss_z + s.d_loss_xz, 4);
  }
  // The encoder at 28x28: 28 -> 14 -> 7 -> 4, then a last block.
  expect(gan.store.has('encoder/B4/same_conv1/kernel')).toBe(true);
  const x = tf.randomUniform([2, 28, 28, 1], 0, 1, 'float32', 1) as tf.Tensor4D;
  expect(gan.encode(x).shape).toEqual([2, 8]);
  expect(gan.reconstruct(x).shape).toEqual([2, 28, 28, 1]);
});

test('shapes (16x16 RGB), dcgan_arch: finite losses over a few steps, deterministic encoder', async () => {
  const { gan, history } = await trainSteps(
    'encoder.stochastic = False\n',
    'dataset.name = "shapes"\ndataset.resolution = 16\ndataset.num_train_examples = 64\ndataset.num_test_examples = 16\n',
    4,
  );
  for (const s of history) expect(Object.values(s).every(Number.isFinite)).toBe(true);
  expect(gan.encoderNet.stochastic).toBe(false);
  expect(gan.store.has('encoder/sigma/kernel')).toBe(false);
  const x = tf.randomUniform([3, 16, 16, 3], 0, 1, 'float32', 1) as tf.Tensor4D;
  expect(gan.encode(x).shape).toEqual([3, 6]);
  expect(gan.reconstruct(x).shape).toEqual([3, 16, 16, 3]);
});
