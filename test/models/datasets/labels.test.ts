import { config, ConfigError } from '@cgan/config-lang';
import { createDataset, datasetConfig, labelsConfig, stratifiedLabelMask } from '@cgan/models';

afterEach(() => config.clear());

function perClass(labels: Int32Array, mask: Uint8Array, k: number): number[] {
  const c = new Array(k).fill(0);
  mask.forEach((m, i) => (c[labels[i]] += m));
  return c;
}

test('stratified label mask: round(fraction * n_c) per class, at least one, seeded and stable', () => {
  // Unbalanced classes: 100, 37, 5 and 1 examples, interleaved.
  const labels = Int32Array.from([...Array(100).fill(0), ...Array(37).fill(1), ...Array(5).fill(2), 3]);
  const shuffled = labels.slice().reverse();
  const m = stratifiedLabelMask(shuffled, 4, 0.1, 7);
  expect(perClass(shuffled, m, 4)).toEqual([10, 4, 1, 1]);
  expect(stratifiedLabelMask(shuffled, 4, 0.1, 7)).toEqual(m);
  expect(stratifiedLabelMask(shuffled, 4, 0.1, 8)).not.toEqual(m);
  expect(perClass(shuffled, stratifiedLabelMask(shuffled, 4, 0.5, 7), 4)).toEqual([50, 19, 3, 1]);
  expect(Array.from(stratifiedLabelMask(shuffled, 4, 1, 7))).toEqual(Array(143).fill(1));
  expect(Array.from(stratifiedLabelMask(shuffled, 4, 0, 7))).toEqual(Array(143).fill(0));
  expect(() => stratifiedLabelMask(shuffled, 4, 1.5, 7)).toThrow(/labels.fraction must be between 0 and 1, got 1.5/);
});

test('labels.fraction through the config reaches the batches of a generated dataset', async () => {
  config.bind([], 'labels', 'fraction', 0.25);
  config.bind([], 'dataset', 'name', 'shapes');
  config.bind([], 'dataset', 'num_train_examples', 400);
  config.bind([], 'dataset', 'num_test_examples', 8);
  const ds = await createDataset({ seed: 4 });
  const { labels, labelled } = ds.data('train');
  expect(perClass(labels, labelled!, 4)).toEqual([25, 25, 25, 25]);
  expect(ds.info.labelFraction).toBe(0.25);
  // labels.seed pins the subset independently of the run seed.
  config.bind([], 'labels', 'seed', 123);
  const a = await createDataset({ seed: 4 });
  const b = await createDataset({ seed: 5, overrides: { seed: 4 } });
  expect(a.data('train').labelled).toEqual(b.data('train').labelled);
});

test('dataset and labels configurables declare Compare GAN parameters; dataset.name is checked at bind time', () => {
  expect(labelsConfig()).toEqual({ fraction: 1, seed: null });
  expect(datasetConfig().name).toBe('shapes');
  expect(() => config.bind([], 'labels', 'fraction', 'all')).toThrow(/expected float/);
  let err: unknown;
  try {
    config.bind([], 'dataset', 'name', 'fashoin-mnist');
  } catch (e) {
    err = e;
  }
  expect(err).toBeInstanceOf(ConfigError);
  expect((err as Error).message).toMatch(/unknown dataset 'fashoin-mnist'.*did you mean 'fashion-mnist'/);
  expect(() => config.bind([], 'dataset', 'colors', 2)).toThrow(/1 \| 3/);
});
