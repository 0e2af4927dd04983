/**
 * `gan config check` checks what `gan train` needs (issue 18): configs that would fail in train
 * fail in check, with the same message (both go through wiring/build_check).
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { gan, tmpdir, TINY_GIN, writeGin } from './fixtures';

jest.setTimeout(180000);

const root = path.resolve(__dirname, '../..');
const bin = path.join(root, 'packages/runner/bin/gan.js');
const dir = tmpdir('check');
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

function check(file: string) {
  const r = spawnSync(process.execPath, [bin, 'config', 'check', file], { encoding: 'utf8', timeout: 60000 });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

// The spawned CLI knows the project's architectures only (not the fixtures' runner_test_arch).
const BASE = TINY_GIN.replace('runner_test_arch', 'dcgan_arch');
const without = (re: RegExp) => BASE.split('\n').filter((l) => !re.test(l)).join('\n');
const cases: Array<[string, string, RegExp]> = [
  ['no_arch', without(/options\.architecture/), /Required parameter 'runner_lib\.options\.architecture' was not supplied/],
  ['bad_arch', BASE + 'options.architecture = "sndcgan"\n', /options\.architecture = "sndcgan" is not a registered architecture; did you mean 'sndcgan_arch'\? known architectures: .*sndcgan_arch/],
  ['string_ref', BASE + 'loss.fn = "hinge"\n', /loss\.fn must be a loss reference such as @hinge, got hinge/],
  ['evaluated_ref', BASE + 'G.batch_norm_fn = @batch_norm()\n', /evaluated_ref\.gin:\d+:19: error: G\.batch_norm_fn takes a callable, but @batch_norm\(\) is an evaluated reference[\s\S]*hint: write @batch_norm \(no parentheses\)/],
  ['no_dataset', without(/dataset\.name/), /error: dataset\.name is not set[\s\S]*hint: bind it, e\.g\. dataset\.name = 'fashion-mnist'/],
];

test.each(cases)('%s fails in check with the message train gives', async (name, text, expected) => {
  const file = writeGin(dir, `${name}.gin`, text);
  const c = check(file);
  expect(c.code).toBe(1);
  expect(c.out).not.toMatch(/OK/);
  expect(c.err).toMatch(expected);
  expect(c.err).not.toMatch(/internal error|\n\s+at /);
  const t = await gan('train', '--gin_config', file, '--model_dir', path.join(dir, `run_${name}`), '--quiet');
  expect(t.code).toBe(1);
  // (In-process, the fixtures' own architecture is registered too.)
  expect(t.err.trim().replace(', runner_test_arch', '')).toBe(c.err.trim());
  // Nothing was written for a config that does not build.
  expect(fs.existsSync(path.join(dir, `run_${name}`, 'run.json'))).toBe(false);
});

test('check says OK for a config that builds', () => {
  const c = check(writeGin(dir, 'ok.gin', BASE));
  expect(c.err).toBe('');
  expect(c.out).toMatch(/^OK: .*ok\.gin \(builds\)/);
});

test('check reads the data\'s shape from its file headers; the dry run reads the data', async () => {
  // A tiny MNIST folder whose training images are cut short: the headers say 6x28x28.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { writeMnistFixture } = require('../models/datasets/helpers');
  const data = path.join(dir, 'mnist');
  fs.mkdirSync(data);
  writeMnistFixture(data, 6, 3);
  const text = BASE.replace('dataset.name = "shapes"', `dataset.name = "mnist"\ndataset.data_dir = "${data}"\ndataset.download = False`).replace('dataset.resolution = 8', 'dataset.resolution = 28');
  const ok = check(writeGin(dir, 'mnist.gin', text));
  expect([ok.code, ok.err]).toEqual([0, '']);
  // In-process: the check's build sees fake data of the probed shape, the dry run the real data.
  const { buildForCheck } = await import('../../packages/runner/src/wiring/build_check');
  const { disposeRun } = await import('../../packages/runner/src/wiring/container');
  const quiet = { info: () => undefined, warn: () => undefined };
  for (const probeData of [true, false]) {
    const built = await buildForCheck({ ginConfigs: [path.join(dir, 'mnist.gin')], ginBindings: [], dataDir: null, probeData }, quiet, quiet);
    try {
      expect([built.dataset.info.name, built.dataset.info.imageShape, built.dataset.info.numClasses, built.datasetNote]).toEqual([probeData ? 'fake' : 'mnist', [28, 28, 1], 10, undefined]);
    } finally {
      disposeRun(built);
    }
  }
});

test('check downloads nothing: missing data files mean fake data of the known shape', async () => {
  // A local mirror that counts requests: train would fetch MNIST from it, a check must not.
  const http = await import('http');
  let requests = 0;
  const server = http.createServer((_req, res) => {
    requests += 1;
    res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    const port = (server.address() as { port: number }).port;
    const text = BASE.replace('dataset.name = "shapes"', 'dataset.name = "mnist"').replace('dataset.resolution = 8', 'dataset.resolution = 28');
    const file = writeGin(dir, 'mnist_missing.gin', text);
    // No $GAN_DATA_DIR (a folder named there that lacks the files fails before any download).
    const { GAN_DATA_DIR: _unused, ...rest } = process.env;
    const env = { ...rest, GAN_DATA_MIRROR: `http://127.0.0.1:${port}`, XDG_CACHE_HOME: path.join(dir, 'empty-cache') };
    // Asynchronous: the mirror answers in this process.
    const { spawn } = await import('child_process');
    const c = await new Promise<{ code: number | null; out: string; err: string }>((resolve) => {
      const p = spawn(process.execPath, [bin, 'config', 'check', file], { env });
      let out = '';
      let err = '';
      p.stdout.on('data', (d) => (out += d));
      p.stderr.on('data', (d) => (err += d));
      p.on('close', (code) => resolve({ code, out, err }));
    });
    expect([c.code, c.err]).toEqual([0, '']);
    expect(c.out).toMatch(/^OK: .*mnist_missing\.gin \(builds\)/);
    expect(requests).toBe(0);
  } finally {
    server.close();
  }
});
