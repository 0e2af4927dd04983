import * as fs from 'fs';
import * as path from 'path';
import { PNG } from 'pngjs';
import { gan, tmpdir, TINY_GIN, writeGin } from './fixtures';

jest.setTimeout(120000);

test('--dry_run prints the operative config and parameter counts, writes nothing', async () => {
  const dir = tmpdir('dry');
  const gin = writeGin(dir, 'tiny.gin', TINY_GIN);
  const model = path.join(dir, 'run');
  const r = await gan('train', '--gin_config', gin, '--model_dir', model, '--dry_run');
  expect(r.err).not.toMatch(/internal error/);
  expect(r.code).toBe(0);
  expect(r.out).toMatch(/options\.batch_size = 4/);
  expect(r.out).toMatch(/# parameters generator: 768/); // 3 * 192 + 192
  expect(r.out).toMatch(/# parameters total \(trainable\): [\d,]+/);
  expect(fs.existsSync(model)).toBe(false);
});

test('a short run writes every run-directory artifact', async () => {
  const dir = tmpdir('train');
  const gin = writeGin(dir, 'tiny.gin', TINY_GIN);
  const model = path.join(dir, 'run');
  const r = await gan('train', '--gin_config', gin, '--model_dir', model);
  expect(r.err).not.toMatch(/error/);
  expect(r.code).toBe(0);
  const files = fs.readdirSync(model).sort();
  expect(files).toEqual(expect.arrayContaining(['checkpoints', 'metrics.jsonl', 'operative_config-0.gin', 'report.html', 'run.json', 'samples']));
  const run = JSON.parse(fs.readFileSync(path.join(model, 'run.json'), 'utf8'));
  expect(run).toMatchObject({ format: 'cgan-run/1', seed: expect.any(Number), backend: expect.any(String), dataset: 'shapes' });
  expect(run.versions['@tensorflow/tfjs-core']).toMatch(/^\d/);
  // keep_checkpoint_max = 2 of the checkpoints at steps 2, 4, 6
  expect(fs.readdirSync(path.join(model, 'checkpoints')).sort()).toEqual(['ckpt-000000004', 'ckpt-000000006']);
  const manifest = JSON.parse(fs.readFileSync(path.join(model, 'checkpoints/ckpt-000000006/manifest.json'), 'utf8'));
  expect(manifest.step).toBe(6);
  expect(Object.keys(manifest.groups).sort()).toEqual(['optimizer', 'optimizer_exact', 'variables']);
  expect(manifest.groups.optimizer.length).toBeGreaterThan(0);
  expect(manifest.state.batches_consumed).toBe(6);
  const metrics = fs.readFileSync(path.join(model, 'metrics.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
  expect(metrics.map((m) => m.step)).toEqual([1, 2, 3, 4, 5, 6]);
  for (const m of metrics) {
    expect(Number.isFinite(m.d_loss)).toBe(true);
    expect(Number.isFinite(m.g_loss)).toBe(true);
    expect(m.wall.steps_per_sec).toEqual(expect.any(Number));
    expect(m.g_lr).toBe(0.01);
    expect(m.d_lr).toBe(0.01);
    expect(m).not.toHaveProperty('gOptimizer_lr');
  }
  const samples = fs.readdirSync(path.join(model, 'samples')).sort();
  expect(samples).toEqual(['step-2.png', 'step-4.png', 'step-6.png']);
  const png = PNG.sync.read(fs.readFileSync(path.join(model, 'samples/step-6.png')));
  expect(png.width).toBeGreaterThan(16);
  const html = fs.readFileSync(path.join(model, 'report.html'), 'utf8');
  expect(html).toMatch(/<svg/);
  expect(html).toMatch(/data:image\/png;base64,/);
  expect(html).not.toMatch(/https?:\/\//);
  const op = fs.readFileSync(path.join(model, 'operative_config-0.gin'), 'utf8');
  expect(op).toMatch(/options\.training_steps = 6/);
  expect(op).toMatch(/loss\.fn = @/);
});
