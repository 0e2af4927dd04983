/**
 * `gan train` of BigBiGAN on `shapes` (a few steps), then `gan encode` and `gan reconstruct`
 * on its checkpoint: shapes of the .npy outputs and of the grid, and the errors for bad input.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { PNG } from 'pngjs';
import { readNpy } from '@cgan/models';
import { main } from '@cgan/runner';

jest.setTimeout(300000);

const GIN = `
runtime.backend = "cpu"
runtime.seed = 3
dataset.name = "shapes"
dataset.resolution = 8
dataset.num_train_examples = 64
dataset.num_test_examples = 20
options.gan_class = @BigBiGAN
options.architecture = "dcgan_arch"
options.batch_size = 4
options.training_steps = 3
options.z_dim = 5
dcgan.Generator.gf_dim = 4
dcgan.Discriminator.df_dim = 4
encoder.ch = 4
encoder.mlp_units = 8
BigBiGAN.mlp_units = 8
BigBiGAN.encoder_lr = 0.001
loss.fn = @hinge
z.distribution_fn = @tf.random.normal
run_config.save_checkpoints_steps = 3
`;

async function gan(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const saved = process.exitCode;
  process.exitCode = undefined;
  const code = await main(['node', 'gan', ...args], { out: (s) => (out += s), err: (s) => (err += s), progressStream: process.stderr });
  process.exitCode = saved;
  return { code, out, err };
}

function ok(r: { code: number; out: string; err: string }) {
  if (r.code !== 0) throw new Error(`gan exited ${r.code}:\n${r.err}`);
  return r;
}

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cgan-bigbigan-'));
const run = path.join(dir, 'run');

beforeAll(async () => {
  fs.writeFileSync(path.join(dir, 'b.gin'), GIN);
  const r = ok(await gan('train', '--gin_config', path.join(dir, 'b.gin'), '--model_dir', run));
  expect(r.err).toMatch(/training BigBiGAN on shapes/);
  const metrics = fs.readFileSync(path.join(run, 'metrics.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
  const last = metrics[metrics.length - 1];
  for (const k of ['d_loss', 'g_loss']) expect(Number.isFinite(last[k] ?? last.losses?.[k])).toBe(true);
});

test('gan encode --dataset: latents [n, z_dim] and labels [n, 1] as .npy', async () => {
  const out = path.join(dir, 'z.npy');
  const r = ok(await gan('encode', '--checkpoint', run, '--dataset', 'shapes', '--out', out, '--batch_size', '8'));
  expect(r.out).toMatch(/20 x 5 \(latent means E\(x\)\) from step 3/);
  const z = readNpy(out);
  expect([z.rows, z.cols]).toEqual([20, 5]);
  expect(Array.from(z.data).every(Number.isFinite)).toBe(true);
  const labels = readNpy(path.join(dir, 'z_labels.npy'));
  expect([labels.rows, labels.cols]).toEqual([20, 1]);
  // --n and --features features (the pooled features: at 8x8 the encoder has one downsampling block of ch = 4 channels and a last block keeping them).
  const f = path.join(dir, 'f.npy');
  ok(await gan('encode', '--checkpoint', run, '--dataset', 'shapes', '--split', 'train', '--n', '7', '--features', 'features', '--out', f));
  const fm = readNpy(f);
  expect([fm.rows, fm.cols]).toEqual([7, 4]);
});

test('gan encode --images: one row per file, in path order, any size resized', async () => {
  const imgs = path.join(dir, 'imgs');
  fs.mkdirSync(path.join(imgs, 'sub'), { recursive: true });
  const write = (file: string, w: number, h: number) => {
    const png = new PNG({ width: w, height: h });
    for (let i = 0; i < png.data.length; i++) png.data[i] = (i * 37) % 256;
    fs.writeFileSync(file, PNG.sync.write(png));
  };
  write(path.join(imgs, 'b.png'), 8, 8);
  write(path.join(imgs, 'a.png'), 20, 12);
  write(path.join(imgs, 'sub', 'c.png'), 3, 3);
  fs.writeFileSync(path.join(imgs, 'notes.txt'), 'not an image');
  const out = path.join(dir, 'zi.npy');
  ok(await gan('encode', '--checkpoint', run, '--images', imgs, '--out', out));
  const z = readNpy(out);
  expect([z.rows, z.cols]).toEqual([3, 5]);
  const files = fs.readFileSync(path.join(dir, 'zi_files.txt'), 'utf8').trim().split('\n').map((f) => path.relative(imgs, f));
  expect(files).toEqual(['a.png', 'b.png', path.join('sub', 'c.png')]);
});

test('gan reconstruct: rows of real images, then their reconstructions', async () => {
  const out = path.join(dir, 'rec.png');
  const r = ok(await gan('reconstruct', '--checkpoint', run, '--n', '6', '--cols', '3', '--out', out));
  expect(r.out).toMatch(/6 images .* reconstructions G\(E\(x\)\)/);
  const png = PNG.sync.read(fs.readFileSync(out));
  // 8x8 tiles upscaled x7 (56 px) with a 1 px gap: 3 columns, 2 row pairs.
  expect([png.width, png.height]).toEqual([3 * 57 + 1, 4 * 57 + 1]);
  const def = path.join(dir, 'rec16.png');
  ok(await gan('reconstruct', '--checkpoint', path.join(run, 'checkpoints', fs.readdirSync(path.join(run, 'checkpoints')).filter((d) => d.startsWith('ckpt-'))[0]), '--out', def));
  const png16 = PNG.sync.read(fs.readFileSync(def));
  expect([png16.width, png16.height]).toEqual([16 * 57 + 1, 2 * 57 + 1]);
});

test('bad input: no encoder, both sources, bad --features, missing folder', async () => {
  fs.writeFileSync(path.join(dir, 'm.gin'), GIN.replace('options.gan_class = @BigBiGAN', 'options.gan_class = @ModularGAN').replace(/^(encoder|BigBiGAN)\..*$/gm, ''));
  const modular = path.join(dir, 'modular');
  ok(await gan('train', '--gin_config', path.join(dir, 'm.gin'), '--model_dir', modular, '--gin_bindings', 'options.training_steps = 1', '--gin_bindings', 'run_config.save_checkpoints_steps = 1'));
  const r1 = await gan('encode', '--checkpoint', modular, '--dataset', 'shapes', '--out', path.join(dir, 'x.npy'));
  expect(r1.code).toBe(1);
  expect(r1.err).toMatch(/trains ModularGAN, which has no encoder[\s\S]*@BigBiGAN/);
  const r2 = await gan('encode', '--checkpoint', run, '--dataset', 'shapes', '--images', dir, '--out', path.join(dir, 'x.npy'));
  expect(r2.err).toMatch(/exactly one of --images DIR and --dataset NAME/);
  const r3 = await gan('encode', '--checkpoint', run, '--dataset', 'shapes', '--features', 'pixels', '--out', path.join(dir, 'x.npy'));
  expect(r3.err).toMatch(/--features must be 'mu'/);
  const r4 = await gan('reconstruct', '--checkpoint', run, '--images', path.join(dir, 'nope'));
  expect(r4.code).toBe(1);
  expect(r4.err).toMatch(/--images '.*nope' is not a folder/);
  for (const r of [r1, r2, r3, r4]) expect(r.err).not.toMatch(/\n\s+at /);
});
