/**
 * Compare GAN's example configs name datasets that TensorFlow Datasets provided and this
 * library does not ship (celeb_a, lsun-bedroom, celeb_a_hq_128, imagenet_128). They are
 * registered here as known-but-unavailable, so that those configs parse and dry-run (on
 * `fake` data of the right shape) and a real run stops with a clear message.
 */
import { datasetNames, DatasetError, registerDataset } from '@cgan/models';
import { knownShapes } from './adapters';

const UNAVAILABLE: Record<string, string> = {
  celeb_a: 'CelebA (64x64 crops)',
  'lsun-bedroom': 'LSUN bedrooms (128x128)',
  celeb_a_hq_128: 'CelebA-HQ at 128x128',
  imagenet_128: 'ImageNet at 128x128',
};

for (const [name, what] of Object.entries(UNAVAILABLE)) {
  if (datasetNames().includes(name)) continue;
  const [h, w, c] = knownShapes[name];
  registerDataset({
    name,
    description: `${what}: not bundled (Compare GAN read it from TensorFlow Datasets)`,
    load: async () => {
      throw new DatasetError(
        `Dataset '${name}' (${what}, ${h}x${w}x${c}) is not available in this library: Compare GAN read it from TensorFlow Datasets, which has no Node.js equivalent here.`,
        `export the images to a folder and use dataset.name = "image_folder" with dataset.data_dir and dataset.resolution = ${h}, or try the config with --dry_run`,
      );
    },
  });
}
