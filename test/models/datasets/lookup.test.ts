import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as http from 'http';
import { AddressInfo } from 'net';
import * as path from 'path';
import { config } from '@cgan/config-lang';
import { createDataset, DatasetError, FASHION_MNIST_FILES, fetchToFile, locateFiles } from '@cgan/models';
import { isolatedEnv, tmpDir, withEnv, writeMnistFixture } from './helpers';

afterEach(() => config.clear());

/** A local HTTP server serving `root` (stands in for the canonical URL through GAN_DATA_MIRROR). */
async function serve(root: string): Promise<{ url: string; hits: string[]; close: () => Promise<void> }> {
  const hits: string[] = [];
  const server = http.createServer((req, res) => {
    hits.push(req.url!);
    const f = path.join(root, decodeURIComponent(req.url!));
    if (!fs.existsSync(f)) {
      res.writeHead(404).end('not found');
      return;
    }
    res.writeHead(200);
    fs.createReadStream(f).pipe(res);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  return { url: `http://127.0.0.1:${port}`, hits, close: () => new Promise((r) => server.close(() => r())) };
}

test('an explicit --data_dir or $GAN_DATA_DIR without the files is an error naming it, never skipped', async () => {
  const cache = tmpDir('cache');
  const dataDir = tmpDir('empty');
  const file = path.join(dataDir, 'a-file');
  fs.writeFileSync(file, 'x');
  for (const [env, dir, label, why] of [
    [{}, dataDir, 'dataset.data_dir / --data_dir', 'missing train-images-idx3-ubyte.gz'],
    [{}, tmpDir('empty2'), 'dataset.data_dir / --data_dir', 'the folder is empty'],
    [{}, file, 'dataset.data_dir / --data_dir', 'it is a file, not a folder'],
    [{}, path.join(dataDir, 'nope'), 'dataset.data_dir / --data_dir', 'no such folder'],
    [{ GAN_DATA_DIR: dataDir }, null, '$GAN_DATA_DIR', 'missing train-images-idx3-ubyte.gz'],
  ] as const) {
    let err: Error | undefined;
    await withEnv({ ...isolatedEnv(cache), ...env }, () => locateFiles(FASHION_MNIST_FILES, { dataDir: dir, download: false }).catch((e) => (err = e)));
    expect(err).toBeInstanceOf(DatasetError);
    expect(err!.message).toContain(`${label} names ${dir ?? dataDir}, which does not hold the fashion-mnist data files`);
    expect(err!.message).toContain(why);
  }
});

test('missing data: the error lists every place looked and how to get the data', async () => {
  const cache = tmpDir('cache');
  const dataDir = tmpDir('empty');
  const spec = { ...FASHION_MNIST_FILES, debian: { package: 'dataset-fashion-mnist', dir: path.join(dataDir, 'not-installed') } };
  let err: Error | undefined;
  await withEnv({ ...isolatedEnv(cache) }, () => locateFiles(spec, { download: false }).catch((e) => (err = e)));
  expect(err).toBeInstanceOf(DatasetError);
  const m = err!.message;
  expect(m).toContain('could not find the fashion-mnist data files (train-images-idx3-ubyte.gz');
  expect(m).toContain(`1. dataset.data_dir / --data_dir: not set`);
  expect(m).toContain(`$GAN_DATA_DIR: not set`);
  expect(m).toContain(`cache: ${path.join(cache, 'compare-gan-js', 'fashion-mnist')}: no such folder`);
  expect(m).toContain(`Debian package dataset-fashion-mnist: ${path.join(dataDir, 'not-installed')}: no such folder`);
  expect(m).toContain('download from http://fashion-mnist.s3-website.eu-central-1.amazonaws.com: disabled');
  expect(m).toContain('hint: install Debian\'s package: apt-get install dataset-fashion-mnist');
  expect(m).toContain('--data_dir');
});

test('a failed download is reported with its URL and the same advice', async () => {
  const cache = tmpDir('cache');
  const server = await serve(tmpDir('empty-mirror'));
  let err: Error | undefined;
  try {
    await withEnv({ ...isolatedEnv(cache), GAN_DATA_MIRROR: server.url }, () =>
      createDataset({ overrides: { name: 'mnist' } }).catch((e) => (err = e)),
    );
  } finally {
    await server.close();
  }
  expect(err!.message).toMatch(/download: failed: http:\/\/127\.0\.0\.1:\d+\/mnist\/train-images-idx3-ubyte\.gz: HTTP 404/);
  expect(err!.message).toContain(`put train-images-idx3-ubyte.gz, train-labels-idx1-ubyte.gz, t10k-images-idx3-ubyte.gz, t10k-labels-idx1-ubyte.gz into ${path.join(cache, 'compare-gan-js', 'mnist')}`);
  // Nothing half-written is left in the cache.
  const dir = path.join(cache, 'compare-gan-js', 'mnist');
  expect(fs.existsSync(dir) ? fs.readdirSync(dir).filter((f) => f.includes('.part')) : []).toEqual([]);
});

test('an unreachable host fails quickly with the reason', async () => {
  // A port nobody listens on: open a server, note its port, close it.
  const s = await serve(tmpDir('x'));
  await s.close();
  let err: Error | undefined;
  await withEnv({ ...isolatedEnv(tmpDir('cache')), GAN_DATA_MIRROR: s.url }, () =>
    createDataset({ overrides: { name: 'mnist' } }).catch((e) => (err = e)),
  );
  expect(err!.message).toMatch(/download: failed: http:\/\/127\.0\.0\.1:\d+\/mnist\/train-images-idx3-ubyte\.gz: fetch failed \(ECONNREFUSED\)/);
});

test('download fetches the files into the cache, which later runs then use', async () => {
  const cache = tmpDir('cache');
  const mirror = tmpDir('mirror');
  writeMnistFixture(path.join(mirror, 'mnist'), 5, 2);
  const server = await serve(mirror);
  try {
    const env = { ...isolatedEnv(cache), GAN_DATA_MIRROR: server.url };
    const ds = await withEnv(env, () => createDataset({ overrides: { name: 'mnist' } }));
    expect(ds.info.numExamples).toEqual({ train: 5, test: 2 });
    const dir = path.join(cache, 'compare-gan-js', 'mnist');
    expect(fs.readdirSync(dir).sort()).toEqual(['t10k-images-idx3-ubyte.gz', 't10k-labels-idx1-ubyte.gz', 'train-images-idx3-ubyte.gz', 'train-labels-idx1-ubyte.gz']);
    expect(server.hits).toHaveLength(4);
    const again = await withEnv(env, () => createDataset({ overrides: { name: 'mnist' } }));
    expect(again.info.source).toBe(dir);
    expect(server.hits).toHaveLength(4);
  } finally {
    await server.close();
  }
});

test('cifar10 downloads its .tar.gz archive and extracts the batches', async () => {
  const cache = tmpDir('cache');
  const mirror = tmpDir('mirror');
  const staging = tmpDir('staging');
  const batches = path.join(staging, 'cifar-10-batches-bin');
  fs.mkdirSync(batches);
  for (const f of ['data_batch_1.bin', 'data_batch_2.bin', 'data_batch_3.bin', 'data_batch_4.bin', 'data_batch_5.bin', 'test_batch.bin']) {
    const rec = Buffer.alloc(3073, 7);
    rec[0] = 3;
    fs.writeFileSync(path.join(batches, f), rec);
  }
  fs.mkdirSync(path.join(mirror, 'cifar10'));
  execFileSync('tar', ['czf', path.join(mirror, 'cifar10', 'cifar-10-binary.tar.gz'), '-C', staging, 'cifar-10-batches-bin']);
  const server = await serve(mirror);
  try {
    const ds = await withEnv({ ...isolatedEnv(cache), GAN_DATA_MIRROR: server.url }, () => createDataset({ overrides: { name: 'cifar10' } }));
    expect(ds.info.numExamples).toEqual({ train: 5, test: 1 });
    expect(Array.from(ds.data('test').labels)).toEqual([3]);
    expect(server.hits).toEqual(['/cifar10/cifar-10-binary.tar.gz']);
    // The archive itself is not kept.
    expect(fs.readdirSync(path.join(cache, 'compare-gan-js', 'cifar10'))).toHaveLength(6);
  } finally {
    await server.close();
  }
});

test('$GAN_DATA_DIR/<name> is found before the cache', async () => {
  const root = tmpDir('env');
  writeMnistFixture(path.join(root, 'mnist'), 3, 1);
  const ds = await withEnv({ ...isolatedEnv(tmpDir('cache')), GAN_DATA_DIR: root }, () => createDataset({ overrides: { name: 'mnist', download: false } }));
  expect(ds.info.source).toBe(path.join(root, 'mnist'));
});

test('a download that stalls is abandoned after the timeout, leaving nothing behind', async () => {
  const server = http.createServer((_req, res) => {
    res.writeHead(200, { 'content-length': '1000' });
    res.write(Buffer.alloc(100)); // then nothing more
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/f.gz`;
  const dir = tmpDir('stall');
  try {
    await expect(fetchToFile(url, path.join(dir, 'f.gz'), 0.5)).rejects.toThrow(`${url}: download interrupted (no data for 0.5 s)`);
    expect(fs.readdirSync(dir)).toEqual([]);
  } finally {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  }
});
