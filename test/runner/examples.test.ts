import * as path from 'path';
import { checkConfigFiles } from '@cgan/config-lang';
import { gan } from './fixtures';
import '../../packages/runner/src/wiring/container';

jest.setTimeout(300000);

const root = path.join(__dirname, '../../gin-configs');
const example = (n: string) => path.join(root, 'compare_gan', n);
const ALL = ['dcgan_celeba64.gin', 'resnet_cifar10.gin', 'sndcgan_celebahq128.gin', 'resnet_lsun-bedroom128.gin', 'biggan_imagenet128.gin'];

test.each(ALL)("Compare GAN's %s parses and binds against the registry unchanged", (file) => {
  expect(checkConfigFiles([example(file)]).map((e) => e.format())).toEqual([]);
});

// Dry runs build the real networks: the two small ones always, the 128x128 ones (tens of
// seconds each on two cores) with GAN_SLOW_TESTS=1.
const dry: Array<[string, string, string]> = [
  ['dcgan_celeba64.gin', 'celeb_a', '64x64x3'],
  ['resnet_cifar10.gin', 'cifar10', '32x32x3'],
  ...(process.env.GAN_SLOW_TESTS
    ? ([
        ['sndcgan_celebahq128.gin', 'celeb_a_hq_128', '128x128x3'],
        ['resnet_lsun-bedroom128.gin', 'lsun-bedroom', '128x128x3'],
        ['biggan_imagenet128.gin', 'imagenet_128', '128x128x3'],
      ] as Array<[string, string, string]>)
    : []),
];

test.each(dry)("Compare GAN's %s dry-runs on fake data, reporting that %s is missing", async (file, dataset, shape) => {
  const r = await gan('train', '--gin_config', example(file), '--dry_run', '--data_dir', '/nonexistent');
  expect(r.err).not.toMatch(/internal error|error:/);
  expect(r.code).toBe(0);
  expect(r.err).toMatch(new RegExp(`dataset '${dataset}' could not be loaded`));
  expect(r.out).toMatch(new RegExp(`# dataset: fake ${shape}`));
  expect(r.out).toMatch(/# parameters generator: [\d,]+/);
  expect(r.out).toMatch(/# parameters discriminator: [\d,]+/);
  expect(r.out).toMatch(/options\.gan_class = @/);
});

test('TPU-only keys are accepted and reported as ignored', async () => {
  const r = await gan('train', '--gin_config', path.join(root, 'quickstart_shapes.gin'), '--dry_run', '--gin_bindings', 'run_config.iterations_per_loop = 500', '--gin_bindings', 'run_config.tf_random_seed = 3', '--gin_bindings', 'TpuSummaries.save_summary_steps = 10');
  expect(r.code).toBe(0);
  expect(r.err).toMatch(/ignored \(no effect in this runner\): run_config\.iterations_per_loop \(TPU host-loop length\)/);
  expect(r.err).toMatch(/run_config\.tf_random_seed \(use runtime\.seed\)/);
  expect(r.err).toMatch(/TpuSummaries\.save_summary_steps/);
});

const ours = ['quickstart_shapes.gin', ...['dcgan', 'sndcgan', 'resnet', 'wgangp', 'ssgan', 's3gan_10pct'].map((n) => `fashion_mnist/${n}.gin`)];

test.each(ours)('gin-configs/%s binds against the registry', (file) => {
  expect(checkConfigFiles([path.join(root, file)]).map((e) => e.format())).toEqual([]);
});

test('the quick start dry-runs on shapes and the S3GAN config at 10% labels builds its heads', async () => {
  const q = await gan('train', '--gin_config', path.join(root, 'quickstart_shapes.gin'), '--dry_run');
  expect(q.err).not.toMatch(/error/);
  expect(q.out).toMatch(/# dataset: shapes 16x16x3/);
  const s = await gan('train', '--gin_config', path.join(root, 'fashion_mnist/s3gan_10pct.gin'), '--dry_run', '--gin_bindings', 'dataset.name = "fake"', '--gin_bindings', 'dataset.resolution = 28', '--gin_bindings', 'dataset.colors = 1');
  expect(s.err).not.toMatch(/error/);
  expect(s.out).toMatch(/# parameters discriminator_predictor: [\d,]+/);
  expect(s.out).toMatch(/labels\.fraction = 0\.1/);
});
