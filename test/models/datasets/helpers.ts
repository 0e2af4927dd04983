import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as zlib from 'zlib';

export function tmpDir(tag: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), `cgan-ds-${tag}-`));
}

/** An IDX file of unsigned bytes: magic 0x0000080N, big-endian dims, data. */
export function idxBytes(dims: number[], data: Uint8Array | number[]): Buffer {
  const header = Buffer.alloc(4 + 4 * dims.length);
  header.writeUInt32BE(0x0800 | dims.length, 0);
  dims.forEach((d, i) => header.writeUInt32BE(d, 4 + 4 * i));
  return Buffer.concat([header, Buffer.from(data)]);
}

/** Writes a tiny MNIST-style folder (n train, m test 28x28 images; pixel = example index). */
export function writeMnistFixture(dir: string, nTrain = 6, nTest = 3): void {
  fs.mkdirSync(dir, { recursive: true });
  const write = (prefix: string, n: number) => {
    const imgs = new Uint8Array(n * 784);
    for (let i = 0; i < n; i++) imgs.fill(i * 10, i * 784, (i + 1) * 784);
    fs.writeFileSync(path.join(dir, `${prefix}-images-idx3-ubyte.gz`), zlib.gzipSync(idxBytes([n, 28, 28], imgs)));
    fs.writeFileSync(path.join(dir, `${prefix}-labels-idx1-ubyte.gz`), zlib.gzipSync(idxBytes([n], Array.from({ length: n }, (_, i) => i % 10))));
  };
  write('train', nTrain);
  write('t10k', nTest);
}

/** Runs `fn` with environment variables set (undefined: unset), restoring them afterwards. */
export async function withEnv<T>(vars: Record<string, string | undefined>, fn: () => Promise<T>): Promise<T> {
  const old: Record<string, string | undefined> = {};
  for (const [k, v] of Object.entries(vars)) {
    old[k] = process.env[k];
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
  try {
    return await fn();
  } finally {
    for (const [k, v] of Object.entries(old)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  }
}

/** Environment with no data dir, an empty cache and no mirror. */
export function isolatedEnv(cache: string): Record<string, string | undefined> {
  return { GAN_DATA_DIR: undefined, GAN_DATA_MIRROR: undefined, XDG_CACHE_HOME: cache };
}
