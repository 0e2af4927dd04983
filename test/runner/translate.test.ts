/** CycleGAN through the CLI: train on unpaired shapes, `gan translate` a PNG folder, and the errors. */
import * as fs from 'fs';
import * as path from 'path';
import { PNG } from 'pngjs';
import { readImageNpy } from '../../packages/runner/src/commands/translate';
import { trainCommand } from '../../packages/runner/src/commands/train';
import { expectOk, gan, tmpdir, TINY_GIN, writeGin } from './fixtures';

jest.setTimeout(120000);

const CYCLE_GIN = `
runtime.backend = "wasm"
runtime.seed = 2
dataset.name = "unpaired"
dataset.resolution = 16
a/dataset.name = "shape_scenes"
a/domain.classes = ["circle"]
b/dataset.name = "shape_scenes"
b/domain.classes = ["square"]
a/dataset.num_train_examples = 8
b/dataset.num_train_examples = 8
a/dataset.num_test_examples = 4
b/dataset.num_test_examples = 4
options.gan_class = @CycleGAN
options.architecture = "resnet_1blocks"
options.batch_size = 2
options.training_steps = 2
resnet_generator.ngf = 2
patch_discriminator.ndf = 2
patch_discriminator.n_layers = 2
run_config.save_checkpoints_steps = 2
run_config.num_samples = 4
evaluation.metrics = []
`;

let dir: string;
let run: string;

beforeAll(async () => {
  dir = tmpdir('cyclegan');
  run = path.join(dir, 'run');
  expectOk(await gan('train', '--gin_config', writeGin(dir, 'cycle.gin', CYCLE_GIN), '--model_dir', run, '--schedule', 'eval_after_train'));
});

test('a CycleGAN run: translation grid in samples/ and the report, cycle and shapes metrics, learning rates logged', () => {
  const grid = PNG.sync.read(fs.readFileSync(path.join(run, 'samples', 'step-2.png')));
  expect(grid.height).toBeGreaterThan(grid.width); // 6 rows (A, G(A), F(G(A)), B, ...) of 4
  expect(fs.readFileSync(path.join(run, 'report.html'), 'utf8')).toMatch(/translation grid on the first test images/);
  const ev = JSON.parse(fs.readFileSync(path.join(run, 'eval.jsonl'), 'utf8').trim());
  expect(ev).toMatchObject({ step: 2, cycle_error_a: expect.any(Number), shapes_a2b_accuracy: expect.any(Number), shapes_chance: 0.125 });
  const m = fs.readFileSync(path.join(run, 'metrics.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
  expect(m.map((r) => r.g_lr)).toEqual([0.0002, 0.0002]); // linear decay from step 1 of 2: 1, then (2 - 1) / (2 - 1)
  expect(m[1]).toMatchObject({ cycle_loss_a: expect.any(Number), identity_loss_b: expect.any(Number), d_loss_a: expect.any(Number) });
});

test('gan translate: a PNG folder -> one PNG per input, named after it, and grid.png', async () => {
  const input = path.join(dir, 'inputs');
  fs.mkdirSync(input);
  for (const name of ['one', 'two']) {
    const png = new PNG({ width: 20, height: 20 });
    png.data.fill(name === 'one' ? 200 : 40);
    fs.writeFileSync(path.join(input, `${name}.png`), PNG.sync.write(png));
  }
  const out = path.join(dir, 'out');
  const r = expectOk(await gan('translate', '--checkpoint', run, '--input', input, '--direction', 'b2a', '--out', out));
  expect(r.out).toMatch(/wrote 2 translations \(b2a\)/);
  expect(fs.readdirSync(out).sort()).toEqual(['grid.png', 'one.png', 'two.png']);
  expect(PNG.sync.read(fs.readFileSync(path.join(out, 'one.png'))).width).toBe(16);
  const ds = expectOk(await gan('translate', '--checkpoint', run, '--dataset', 'A', '--n', '3', '--out', path.join(dir, 'out2')));
  expect(ds.out).toMatch(/3 test images of domain A/);
});

test('translate errors: a direction the checkpoint cannot serve, a non-CycleGAN run', async () => {
  const bad = await gan('translate', '--checkpoint', run, '--input', dir, '--direction', 'a2c', '--out', path.join(dir, 'x'));
  expect(bad.code).not.toBe(0);
  expect(bad.err).toMatch(/--direction 'a2c' is not a direction a CycleGAN checkpoint serves/);
  const other = path.join(dir, 'modular');
  expectOk(await gan('train', '--gin_config', writeGin(dir, 'tiny.gin', TINY_GIN), '--model_dir', other, '--gin_bindings', 'options.training_steps = 1'));
  const r = await gan('translate', '--checkpoint', other, '--input', dir, '--out', path.join(dir, 'y'));
  expect(r.code).not.toBe(0);
  expect(r.err).toMatch(/trains ModularGAN, which does not translate/);
  const s = await gan('sample', '--checkpoint', run, '--out', path.join(dir, 's.png'));
  expect(s.err).toMatch(/does not generate images from noise.*gan translate/s);
});

test('an empty domain is a configuration error naming the binding', async () => {
  const r = await gan('train', '--gin_config', writeGin(dir, 'empty.gin', CYCLE_GIN.replace('b/dataset.name = "shape_scenes"', '')), '--model_dir', path.join(dir, 'empty'));
  expect(r.code).not.toBe(0);
  expect(r.err).toMatch(/Domain B is empty/);
  expect(r.err).not.toMatch(/\n\s+at /);
});

test('a CycleGAN run stopped and resumed ends bit-identical (image pools and their stream are checkpointed)', async () => {
  const gin = writeGin(dir, 'cycle3.gin', CYCLE_GIN.replace('options.training_steps = 2', 'options.training_steps = 3').replace('evaluation.metrics = []', 'CycleGAN.pool_size = 2'));
  const full = path.join(dir, 'full');
  const cut = path.join(dir, 'cut');
  expectOk(await gan('train', '--gin_config', gin, '--model_dir', full));
  const quietIo = { out: () => undefined, err: () => undefined, progressStream: process.stderr };
  const flags = { model_dir: cut, gin_config: [gin], gin_bindings: [], schedule: 'train' as const, eval_every_steps: 1 };
  await expect(trainCommand(flags, quietIo, { afterStep: (s) => { if (s === 2) throw new Error('simulated kill'); } })).rejects.toThrow('simulated kill');
  expectOk(await gan('train', '--gin_config', gin, '--model_dir', cut));
  const w = (m: string) => fs.readFileSync(path.join(m, 'checkpoints/ckpt-000000003/weights.bin'));
  expect(w(cut).equals(w(full))).toBe(true);
  const manifest = JSON.parse(fs.readFileSync(path.join(full, 'checkpoints/ckpt-000000003/manifest.json'), 'utf8'));
  expect(manifest.groups.variables.map((e: { name: string }) => e.name)).toEqual(expect.arrayContaining(['image_pool_a/images', 'image_pool_b/count']));
  expect(Object.keys(manifest.state.rngs)).toEqual(['run', 'gan.image_pool']);
});

test('readImageNpy: uint8 [n, h, w, c] and float [n, h, w] arrays; other files are named errors', () => {
  const npy = (descr: string, shape: number[], data: Buffer) => {
    let header = `{'descr': '${descr}', 'fortran_order': False, 'shape': (${shape.join(', ')}${shape.length === 1 ? ',' : ''}), }`;
    header += ' '.repeat(63 - ((10 + header.length) % 64)) + '\n';
    const pre = Buffer.alloc(10);
    Buffer.from([0x93]).copy(pre, 0);
    pre.write('NUMPY', 1, 'latin1');
    pre.writeUInt8(1, 6);
    pre.writeUInt8(0, 7);
    pre.writeUInt16LE(header.length, 8);
    return Buffer.concat([pre, Buffer.from(header, 'latin1'), data]);
  };
  const f1 = path.join(dir, 'u8.npy');
  fs.writeFileSync(f1, npy('|u1', [2, 2, 2, 1], Buffer.from([0, 255, 51, 102, 0, 0, 0, 255])));
  const x = readImageNpy(f1);
  expect(x.shape).toEqual([2, 2, 2, 1]);
  Array.from(x.dataSync()).forEach((v, i) => expect(v).toBeCloseTo([0, 1, 0.2, 0.4, 0, 0, 0, 1][i], 6));
  const f2 = path.join(dir, 'f4.npy');
  fs.writeFileSync(f2, npy('<f4', [1, 2, 2], Buffer.from(new Float32Array([0.5, 0.25, 0, 1]).buffer)));
  expect(readImageNpy(f2).shape).toEqual([1, 2, 2, 1]);
  const f3 = path.join(dir, 'bad.npy');
  fs.writeFileSync(f3, npy('<i8', [1, 2, 2, 1], Buffer.alloc(32)));
  expect(() => readImageNpy(f3)).toThrow(/dtype <i8 is not uint8, float32 or float64/);
});
