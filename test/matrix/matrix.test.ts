/**
 * Every combination trains: architecture x loss x penalty x D.spectral_norm x G/D normalization
 * x GAN variant, all read from the registries (./components). Each combination is built from Gin
 * bindings through the runner's own construction (buildRun, then the networks' build, as
 * `gan train` does), at tiny widths, and trained one step (two for S2GAN, whose classifier
 * pre-trains first) on the wasm backend. It must either
 *   - give finite losses and a gradient for every trainable variable of its networks (G, D
 *     and whatever else the variant declares in networks(), e.g. BigBiGAN's encoder; recorded at
 *     tfjs's engine, through which every gradient goes: a gradient of exactly zero counts,
 *     e.g. D's last bias under the Wasserstein loss, or attention weights behind a sigma that
 *     starts at 0; a variable the loss does not depend on does not), or
 *   - be refused before training with a user-facing error (one paragraph, no stack) that names
 *     the bindings involved, and only when `refusal()` below says it cannot work.
 * Default: a pairwise cover (every pair of values of any two dimensions trains together at
 * least once). GAN_SLOW_TESTS=1: the full product (76,800 rows with today's registries; split it
 * with GAN_MATRIX_SHARD=i/n).
 */
import * as tf from '@tensorflow/tfjs-core';
import { registry, REQUIRED } from '@cgan/config-lang';
import type { Batch } from '@cgan/models';
import { buildRun, BuiltRun, disposeRun } from '../../packages/runner/src/wiring/container';
import { asConfigProblem, formatError } from '../../packages/runner/src/errors';
import { Dimension, dimensions, losses, oneOfValues, plan, Refusal, Value, variants } from './components';

const SLOW = process.env.GAN_SLOW_TESTS === '1';
/** At most this many training steps per combination (see runCombination). */
const STEPS = 2;

/** Tiny widths: every registered width parameter of a network, wherever it is. */
const WIDTH = /^(ch|gf_dim|df_dim|mlp_units|embed_y_dim|num_hidden)$/;
function tinyWidths(): string[] {
  const out: string[] = [];
  for (const info of registry.all()) for (const p of info.params.keys()) if (WIDTH.test(p) && typeof info.params.get(p)!.default === 'number') out.push(`${info.fullName}.${p} = 4`);
  return out;
}

const BASE = [
  'runtime.backend = "wasm"',
  'runtime.seed = 3',
  'dataset.name = "shapes"',
  // 32x32: a resolution every registered architecture supports.
  'dataset.resolution = 32',
  'dataset.num_train_examples = 16',
  'dataset.num_test_examples = 4',
  'options.batch_size = 4',
  `options.training_steps = ${STEPS}`,
  'options.z_dim = 16',
  // S2GAN: one step of classifier pre-training, then the GAN.
  'S2GAN.pretrain_steps = 1',
  // Required parameters of SSGAN and S3GAN (checked below: every REQUIRED variant parameter is here).
  'SSGAN.rotated_batch_size = 4',
  'S3GAN.rotated_batch_fraction = 1',
];

/**
 * Why a (partial) combination cannot work: the bindings the refusal must name (any one), or
 * null when it must train. Rules read only the dimensions a row has.
 */
const refusal: Refusal = (row) => {
  const v = (dim: string) => row[dims.findIndex((d) => d.name === dim)]?.name;
  const reasons: string[] = [];
  // D has no z to modulate its normalization with.
  if (v('D norm') === 'D:self_modulated_batch_norm') reasons.push('D.batch_norm_fn');
  // Class-conditional normalization needs labels.
  if (v('conditional') === 'uncond' && (v('G norm') === 'G:conditional_batch_norm' || v('D norm') === 'D:conditional_batch_norm')) reasons.push('ModularGAN.conditional');
  // G takes labels only through its normalization: a label-blind one would drop them.
  const gNorm = v('G norm');
  if (v('conditional') === 'cond' && gNorm !== undefined && !['G:None', 'G:batch_norm', 'G:conditional_batch_norm'].includes(gNorm)) reasons.push('G.batch_norm_fn');
  // instance_norm normalises images only; these networks normalize a dense layer's output too.
  if (v('G norm') === 'G:instance_norm' && v('architecture') === 'sndcgan_arch') reasons.push('G.batch_norm_fn', 'instance_norm');
  if (v('D norm') === 'D:instance_norm' && v('architecture') === 'infogan_arch') reasons.push('D.batch_norm_fn', 'instance_norm');
  // S3GAN's and S2GAN's D body takes no labels (their heads do): nothing to condition D's normalization on.
  if ((v('variant') === 'S3GAN' || v('variant') === 'S2GAN') && v('D norm') === 'D:conditional_batch_norm') reasons.push('D.batch_norm_fn');
  // S2GAN is a conditional GAN by definition; BigBiGAN's encoder and joint D take no labels.
  if (v('variant') === 'S2GAN' && v('conditional') === 'uncond') reasons.push('ModularGAN.conditional');
  if (v('variant') === 'BigBiGAN' && v('conditional') === 'cond') reasons.push('ModularGAN.conditional');
  return reasons.length ? reasons : null;
};

interface Outcome {
  row: string;
  trained?: { losses: Record<string, number>; unreached: string[] };
  refused?: string;
}

const dims = dimensions();
/**
 * GAN_MATRIX_SHARD=i/n runs every n-th row starting at row i (0-based), to spread the full
 * product (GAN_SLOW_TESTS=1: tens of thousands of rows, ~1-5 s each) over machines.
 */
function shard<T>(rows: T[]): T[] {
  const m = /^(\d+)\/(\d+)$/.exec(process.env.GAN_MATRIX_SHARD ?? '');
  return m ? rows.filter((_, k) => k % Number(m[2]) === Number(m[1])) : rows;
}
const full = plan(dims, refusal, !SLOW);
const rows = { ...full, train: shard(full.train), refuse: shard(full.refuse) };

async function runCombination(row: Value[], base = [...BASE, ...tinyWidths()]): Promise<Outcome> {
  const name = row.map((v) => v.name).join(' ');
  const bindings = [...base, ...row.flatMap((v) => v.bindings)];
  const silent = { info: () => undefined, warn: () => undefined };
  let built: BuiltRun;
  try {
    built = await buildRun({ ginConfigs: [], ginBindings: bindings, dataDir: null, fakeDataFallback: false }, silent);
  } catch (e) {
    return { row: name, refused: formatError(e) };
  }
  try {
    try {
      await asConfigProblem('Could not build the networks', () => built.gan.build());
    } catch (e) {
      return { row: name, refused: formatError(e) };
    }
    // The variant's networks (G and D; BigBiGAN's encoder too), as it declares them. Not S2GAN's
    // classifier: it is D's architecture, whose GAN logit layer pre-training never uses (dead
    // variables there, not a broken gradient).
    const prefixes = built.gan.networks().filter((n) => n.name !== 'classifier').map((n) => n.prefix);
    const tracked = [...built.store.all().entries()].filter(([n, v]) => v.trainable && prefixes.some((p) => n.startsWith(p)));
    if (!tracked.length) throw new Error(`no trainable variables under the networks ${prefixes.join(', ')}`);
    const it = built.dataset.batches('train', { batchSize: built.options.batch_size, seed: 1, repeat: true, dropRemainder: true });
    const losses: Record<string, number> = {};
    const reached = new Set<number>();
    const engine = tf.engine();
    const gradients = engine.gradients;
    engine.gradients = function (this: typeof engine, ...args: Parameters<typeof gradients>) {
      const out = gradients.apply(this, args);
      args[1].forEach((x, i) => out.grads[i] != null && reached.add(x.id));
      return out;
    } as typeof gradients;
    try {
      // One step; a second only when a network trains in a later phase (S2GAN pre-trains its
      // classifier in step 0; G and D train from step 1).
      for (let step = 0; step < STEPS && (step === 0 || tracked.some(([, v]) => !reached.has(v.id))); step++) {
        const batches: Batch[] = [];
        for (let i = 0; i < built.gan.discIters; i++) batches.push((await it.next()).value as Batch);
        try {
          for (const [k, v] of Object.entries(built.gan.trainStep(batches, step))) losses[`${k}@${step}`] = v;
        } finally {
          for (const b of batches) [b.images, b.labels, b.labelled].forEach((t) => t.dispose());
        }
      }
    } finally {
      engine.gradients = gradients;
      await it.return?.();
    }
    const unreached = tracked.filter(([, v]) => !reached.has(v.id)).map(([n]) => n);
    return { row: name, trained: { losses, unreached } };
  } finally {
    disposeRun(built);
  }
}

test('the registries give every dimension more than one value', () => {
  for (const d of dims) expect(d.values.length).toBeGreaterThan(1);
  // The variants the issue names are all registered and reached.
  const variants = dims.find((d) => d.name === 'variant')!.values.map((v) => v.name);
  for (const v of ['ModularGAN', 'SSGAN', 'S3GAN', 'S2GAN', 'BigBiGAN']) expect(variants).toContain(v);
  // Every REQUIRED parameter of a variant has a value in BASE.
  for (const info of registry.all()) {
    if (!variants.includes(info.name)) continue;
    for (const [p, spec] of info.params) if (spec.default === REQUIRED) expect(BASE).toContainEqual(expect.stringMatching(new RegExp(`^${info.name}\\.${p} = `)));
  }
});

const impossibleAlone = (v: Value) => full.impossible.some((p) => p.length === 1 && p[0] === v);

(SLOW ? test.skip : test)('the pairwise cover trains every pair of values that can train together', () => {
  for (let i = 0; i < dims.length; i++)
    for (let j = i + 1; j < dims.length; j++)
      for (const a of dims[i].values)
        for (const b of dims[j].values) {
          if (full.train.some((r) => r[i] === a && r[j] === b)) continue;
          // Not trained together: only because no allowed row can hold them, and then a
          // refused row shows the error.
          expect(full.impossible.some((p) => p.every((v) => v === a || v === b))).toBe(true);
          const shown = impossibleAlone(a) ? [[i, a] as const] : impossibleAlone(b) ? [[j, b] as const] : [[i, a] as const, [j, b] as const];
          expect(full.refuse.some((r) => shown.every(([k, v]) => r[k] === v))).toBe(true);
        }
  for (const r of full.train) expect(refusal(r)).toBeNull();
  for (const r of full.refuse) expect(refusal(r)).not.toBeNull();
});

const title = (r: Value[]) => r.map((v) => v.name).join(' ');

describe(`${SLOW ? 'full product' : 'pairwise cover'} of ${dims.map((d) => `${d.name} (${d.values.length})`).join(' x ')}: ${rows.train.length} combinations train`, () => {
  test.each(rows.train.map((r) => [title(r), r] as const))('%s', async (_name, row) => {
    const o = await runCombination(row);
    if (o.refused !== undefined) throw new Error(`refused, but this combination should train:\n${o.refused}`);
    const bad = Object.entries(o.trained!.losses).filter(([, v]) => typeof v === 'number' && !Number.isFinite(v));
    expect(bad).toEqual([]);
    expect(o.trained!.unreached).toEqual([]);
  });
});

describe(`${rows.refuse.length} impossible combinations are refused before training, naming the bindings`, () => {
  test.each(rows.refuse.map((r) => [title(r), r] as const))('%s', async (_name, row) => {
    const o = await runCombination(row);
    if (o.refused === undefined) throw new Error(`trained, but should be refused (naming ${refusal(row)!.join(' or ')})`);
    // One paragraph: no stack, no internal error.
    expect(o.refused).not.toMatch(/internal error|\n\s+at /);
    expect(refusal(row)!.some((k) => o.refused!.includes(k))).toBe(true);
  });
});

/**
 * Image-to-image translation variants (no z: CycleGAN) train on an unpaired dataset with their
 * own generators, so they get their own matrix: generator x loss x G normalization x D
 * normalization (the normalizations' values read from the parameters' types), all pairs.
 */
const TRANSLATION_BASE = [
  'runtime.backend = "wasm"',
  'runtime.seed = 3',
  'dataset.name = "unpaired"',
  'dataset.resolution = 16',
  'a/dataset.name = "shape_scenes"',
  'a/domain.classes = ["circle"]',
  'b/dataset.name = "shape_scenes"',
  'b/domain.classes = ["square"]',
  'a/dataset.num_train_examples = 8',
  'b/dataset.num_train_examples = 8',
  'a/dataset.num_test_examples = 2',
  'b/dataset.num_test_examples = 2',
  'options.batch_size = 2',
  `options.training_steps = ${STEPS}`,
  'resnet_generator.ngf = 4',
  'unet_generator.ngf = 4',
  'patch_discriminator.ndf = 4',
  'patch_discriminator.n_layers = 2',
];
/** options.architecture names of the translation generators (resnet_<N>blocks, unet_<size>). */
const TRANSLATION_GENERATORS: Record<string, string> = { resnet_generator: 'resnet_2blocks', unet_generator: 'unet_16' };

const translators = variants(false);
const translationDims = (variant: Value): Dimension[] => [
  { name: 'variant', values: [variant] },
  {
    name: 'generator',
    values: registry
      .all()
      .filter((i) => i.name in TRANSLATION_GENERATORS)
      .map((i) => ({ name: TRANSLATION_GENERATORS[i.name], bindings: [`options.architecture = "${TRANSLATION_GENERATORS[i.name]}"`] })),
  },
  { name: 'loss', values: losses() },
  { name: 'G norm', values: oneOfValues('resnet_generator', 'norm').map((n) => ({ name: `G:${n}`, bindings: [`resnet_generator.norm = "${n}"`, `unet_generator.norm = "${n}"`] })) },
  { name: 'D norm', values: oneOfValues('patch_discriminator', 'norm').map((n) => ({ name: `D:${n}`, bindings: [`patch_discriminator.norm = "${n}"`] })) },
];

describe(`translation variants: ${translators.map((v) => v.name).join(', ') || 'none registered'}`, () => {
  const cases = translators.flatMap((v) => plan(translationDims(v), () => null, !SLOW).train);
  test('each has generators and normalizations to cross', () => {
    for (const v of translators) for (const d of translationDims(v).slice(1)) expect(d.values.length).toBeGreaterThan(1);
  });
  if (!cases.length) return;
  test.each(shard(cases).map((r) => [title(r), r] as const))('%s', async (_name, row) => {
    const o = await runCombination(row, TRANSLATION_BASE);
    if (o.refused !== undefined) throw new Error(`refused, but this combination should train:\n${o.refused}`);
    const bad = Object.entries(o.trained!.losses).filter(([, v]) => typeof v === 'number' && !Number.isFinite(v));
    expect(bad).toEqual([]);
    expect(o.trained!.unreached).toEqual([]);
  });
});
