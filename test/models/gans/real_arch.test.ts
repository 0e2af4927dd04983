/**
 * The GAN variants on the library's own architectures (dcgan_arch, sndcgan_arch, resnet_cifar_arch)
 * at small widths: one step each, losses finite, with the second-order WGAN-GP penalty going through
 * their convolutions, normalisations and spectral norm.
 */
import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import { config, parseConfig } from '@cgan/config-lang';
import { DatasetInfo, GanVariant, getOptions, Rng, VariableStore } from '@cgan/models';
import { allFinite, disposeGan, randomBatch } from './helpers';
// Registers the architectures (until packages/models/src/index.ts exports them).
import '../../../packages/models/src/architectures';

beforeAll(async () => {
  await tf.setBackend('cpu');
});
afterEach(() => config.clear());

const info16: DatasetInfo = { name: 'tiny16', imageShape: [16, 16, 1], numClasses: 3, numExamples: { train: 64, test: 16 } };

function build(gin: string): { gan: GanVariant & Record<string, any>; store: VariableStore } {
  parseConfig(`
options.batch_size = 4
options.training_steps = 1
options.z_dim = 8
dcgan.Generator.gf_dim = 4
dcgan.Discriminator.df_dim = 4
${gin}`);
  const Gan = getOptions().gan_class as new (kw: object) => GanVariant & Record<string, any>;
  const store = new VariableStore();
  try {
    const gan = new Gan({ datasetInfo: info16, store, rng: new Rng(5) });
    gan.build();
    return { gan, store };
  } catch (e) {
    store.dispose();
    throw e;
  }
}

function batch16(seed: number) {
  const b = randomBatch(4, seed, [0]);
  return { ...b, images: tf.randomUniform([4, 16, 16, 1], 0, 1, 'float32', seed) as tf.Tensor4D };
}

test('ModularGAN + dcgan_arch with batch norm, spectral norm and WGAN-GP: one finite step', () => {
  const { gan, store } = build(`
options.gan_class = @ModularGAN
options.architecture = "dcgan_arch"
options.lamba = 10
G.batch_norm_fn = @batch_norm
D.spectral_norm = True
loss.fn = @wasserstein
penalty.fn = @wgangp_penalty
`);
  const s = gan.trainStep([batch16(1)], 0);
  expect(allFinite(s)).toBe(true);
  expect(s.penalty).toBeGreaterThan(0);
  expect(gan.sample(gan.sampleZ(2), null).shape).toEqual([2, 16, 16, 1]);
  disposeGan(gan, store);
});

test('conditional SSGAN and S3GAN + dcgan_arch: one finite step each', () => {
  for (const gin of [
    'options.gan_class = @SSGAN\nSSGAN.rotated_batch_size = 4\nModularGAN.conditional = True\npenalty.fn = @dragan_penalty\nD.spectral_norm = True',
    'options.gan_class = @S3GAN\nS3GAN.rotated_batch_fraction = 1\nModularGAN.conditional = True\nS3GAN.project_y = True\nS3GAN.use_predictor = True\nD.spectral_norm = True',
  ]) {
    config.clear();
    const { gan, store } = build(`options.architecture = "dcgan_arch"\n${gin}`);
    const s = gan.trainStep([batch16(2)], 0);
    expect(allFinite(s)).toBe(true);
    // Heads follow D's spectral norm (compare_gan's use_sn for the rotation head).
    if (gin.includes('SSGAN')) expect(store.has('discriminator_rotation/score_classify/kernel/u_var')).toBe(true);
    else {
      expect(store.has('discriminator_rotation/score_classify/kernel/u_var')).toBe(true);
      expect(store.has('discriminator_projection/kernel/u_var')).toBe(true);
      expect(store.has('discriminator_predictor/predictor_linear/kernel/u_var')).toBe(true);
      // The architecture's own D does not project (S3GAN.project_y does).
      expect([...store.all('discriminator/').keys()].some((n) => n.includes('embedding'))).toBe(false);
    }
    disposeGan(gan, store);
  }
});
