/**
 * `gan score` (issue 13): FID, KID, IS, PRD of a PNG folder or .npy/.npz array (NHWC or NCHW,
 * uint8 or float in [0, 1]) against a dataset split or another image set; one JSON object;
 * clear errors for bad shapes, dtypes and empty inputs.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { expectOk, gan, tmpdir } from './fixtures';

jest.setTimeout(180000);

const dir = tmpdir('score');
const classifier = path.join(dir, 'classifier');
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

function py(code: string): void {
  const r = spawnSync('/usr/bin/python3', ['-c', code], { cwd: dir, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(r.stderr);
}
const hasNumpy = spawnSync('/usr/bin/python3', ['-c', 'import numpy, PIL'], { encoding: 'utf8' }).status === 0;
const itPy = hasNumpy ? it : it.skip;

// The extractor's name carries its weights' fingerprint: shapes-classifier@<8 hex digits>.
let TAG = '';
beforeAll(async () => {
  expectOk(await gan('train-classifier', '--dataset', 'shapes', '--out', classifier, '--backend', 'cpu', '--epochs', '1', '--train_examples', '64', '--test_examples', '16', '--conv_filters', '4', '--dense_units', '8', '--quiet'));
  TAG = `shapes-classifier@${JSON.parse(fs.readFileSync(path.join(classifier, 'classifier.json'), 'utf8')).fingerprint.slice(0, 8)}`;
});

itPy('the same images as NHWC uint8 .npy, NCHW float .npz and PNG files get the same scores', async () => {
  py(`
import numpy as np
from PIL import Image
import os
rng = np.random.default_rng(0)
a = rng.integers(0, 256, size=(24, 8, 8, 3), dtype=np.uint8)
b = rng.integers(0, 256, size=(24, 8, 8, 3), dtype=np.uint8)
np.save('a.npy', a)
np.savez_compressed('a.npz', images=np.transpose(a, (0, 3, 1, 2)).astype(np.float32) / 255)
np.save('b.npy', b)
os.makedirs('png', exist_ok=True)
for i, im in enumerate(a): Image.fromarray(im).save(f'png/{i:03d}.png')
np.save('bad_shape.npy', np.zeros((4, 5, 5, 5), np.uint8))
np.save('bad_range.npy', np.full((4, 8, 8, 3), 2.0, np.float32))
np.save('bad_dtype.npy', np.zeros((4, 8, 8, 3), np.int64))
np.save('empty.npy', np.zeros((0, 8, 8, 3), np.uint8))
os.makedirs('nopng', exist_ok=True)
`);
  const ex = ['--extractor', classifier, '--quiet'];
  const npy = JSON.parse(expectOk(await gan('score', path.join(dir, 'a.npy'), '--against', path.join(dir, 'b.npy'), ...ex)).out);
  expect(npy.n).toBe(24);
  expect(npy.extractor).toBe(TAG);
  for (const k of ['fid', 'kid', 'kid_std', 'inception_score', 'prd_f8', 'prd_f1_8']) expect(typeof npy.metrics[`${k}[${TAG}]`]).toBe('number');
  const npz = JSON.parse(expectOk(await gan('score', path.join(dir, 'a.npz'), '--against', path.join(dir, 'b.npy'), ...ex)).out);
  const png = JSON.parse(expectOk(await gan('score', path.join(dir, 'png'), '--against', path.join(dir, 'b.npy'), ...ex)).out);
  for (const k of Object.keys(npy.metrics)) {
    expect(npz.metrics[k]).toBeCloseTo(npy.metrics[k], 4);
    expect(png.metrics[k]).toBeCloseTo(npy.metrics[k], 4);
  }
  // Against a dataset split (the extractor defaults to that dataset's classifier; here given).
  const ds = JSON.parse(expectOk(await gan('score', path.join(dir, 'a.npy'), '--against', 'shapes:test', '--n', '16', ...ex)).out);
  expect(ds).toMatchObject({ n: 16, against: 'shapes:test', extractor: TAG });
  expect(ds.metrics[`fid[${TAG}]`]).toBeGreaterThan(0);
});

itPy('bad shapes, dtypes, ranges and empty inputs are one-paragraph errors', async () => {
  const ex = ['--extractor', classifier, '--against', path.join(dir, 'b.npy')];
  const cases: Array<[string, RegExp]> = [
    ['bad_shape.npy', /no channel axis of size 1 or 3/],
    ['bad_range.npy', /float images must be in \[0, 1\]; found 2/],
    ['bad_dtype.npy', /unsupported dtype '<i8'; images must be uint8/],
    ['empty.npy', /holds no images/],
    ['nopng', /no \.png files/],
    ['missing.npy', /does not exist/],
  ];
  for (const [file, re] of cases) {
    const r = await gan('score', path.join(dir, file), ...ex);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(re);
    expect(r.err).not.toMatch(/internal error|\n\s+at /);
  }
  const noEx = await gan('score', path.join(dir, 'a.npy'), '--against', path.join(dir, 'b.npy'));
  expect(noEx.err).toMatch(/Scoring two image sets needs --extractor/);
});
