/**
 * `shape_scenes`: the shapes task of CycleGAN, a translation with a known answer. Each scene (a
 * shape's position, size and colour, drawn from the seed) is rendered once per class (circle,
 * square, ...), so that class c's image i and class c''s image i show the same scene. Train
 * `num_train_examples` scenes, test `num_test_examples` scenes (each x num_classes images).
 * With a/domain.classes = ["circle"] and b/domain.classes = ["square"], translating test circle i
 * should give test square i: the accuracy CycleGAN reports (shapes_a2b_accuracy).
 */
import { Rng } from '../core/rng';
import { DatasetError } from './errors';
import { DatasetArrays, SplitData } from './in_memory';
import { LoadOptions, registerDataset } from './registry';
import { renderShapes, SHAPE_CLASSES } from './shapes';

function renderScenes(rng: Rng, res: number, colors: number, k: number, scenes: number): SplitData {
  const px = res * res * colors;
  const images = new Uint8Array(k * scenes * px);
  const labels = new Int32Array(k * scenes);
  for (let c = 0; c < k; c++) {
    // The same stream for every class: the same scenes, drawn in the same order.
    const one = renderShapes(new Rng(rng.seed), { resolution: res, colors, numClasses: k, count: scenes, classOf: () => c });
    images.set(one.images, c * scenes * px);
    labels.fill(c, c * scenes, (c + 1) * scenes);
  }
  return { images, labels };
}

export async function loadShapeScenes(opts: LoadOptions): Promise<DatasetArrays> {
  const res = opts.resolution ?? 32;
  const colors = opts.colors ?? 3;
  const k = opts.num_classes ?? 2;
  if (!Number.isInteger(res) || res < 8) throw new DatasetError(`shape_scenes: dataset.resolution must be an integer >= 8, got ${res}`);
  if (!Number.isInteger(k) || k < 1 || k > SHAPE_CLASSES.length) {
    throw new DatasetError(`shape_scenes: dataset.num_classes must be 1..${SHAPE_CLASSES.length}, got ${k}`, `the classes are ${SHAPE_CLASSES.join(', ')}`);
  }
  const nTrain = opts.num_train_examples ?? 2000;
  const nTest = opts.num_test_examples ?? 200;
  const root = new Rng(opts.seed >>> 0).fork('shape_scenes');
  const train = renderScenes(root.fork('train'), res, colors, k, nTrain);
  const test = renderScenes(root.fork('test'), res, colors, k, nTest);
  return {
    info: {
      name: 'shape_scenes',
      imageShape: [res, res, colors],
      numClasses: k,
      numExamples: { train: k * nTrain, test: k * nTest },
      classNames: SHAPE_CLASSES.slice(0, k),
    },
    splits: { train, test },
  };
}

registerDataset({
  name: 'shape_scenes',
  description: 'the same procedural scenes rendered once per shape class (CycleGAN shapes task): 32x32x3, circle and square by default',
  load: loadShapeScenes,
});
