import * as fs from 'fs';
import * as path from 'path';
import { gan } from './fixtures';

jest.setTimeout(300000);

const root = path.join(__dirname, '../../gin-configs');
const example = (n: string) => path.join(root, 'compare_gan', n);

test.each([
  ['dcgan_celeba64.gin', 'celeb_a', '64x64x3'],
  ['resnet_cifar10.gin', 'cifar10', '32x32x3'],
  ['sndcgan_celebahq128.gin', 'celeb_a_hq_128', '128x128x3'],
  ['resnet_lsun-bedroom128.gin', 'lsun-bedroom', '128x128x3'],
  ['biggan_imagenet128.gin', 'imagenet_128', '128x128x3'],
])("Compare GAN's %s parses and dry-runs (missing dataset %s reported)", async (file, dataset, shape) => {
  const t0 = Date.now();
  const r = await gan('train', '--gin_config', example(file), '--dry_run', '--data_dir', '/nonexistent');
  console.log(file, (Date.now() - t0) / 1000, 's\n', r.err, r.out.split('\n').filter((l) => l.startsWith('#')).join('\n'));
  expect(r.err).not.toMatch(/internal error|error:/);
  expect(r.code).toBe(0);
  expect(r.err).toMatch(new RegExp(`dataset '${dataset}' could not be loaded`));
  expect(r.out).toMatch(new RegExp(`# dataset: fake ${shape}`));
  expect(r.out).toMatch(/# parameters generator: [\d,]+/);
  expect(r.out).toMatch(/# parameters discriminator: [\d,]+/);
});
