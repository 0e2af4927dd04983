/**
 * Independent references: numpy/scipy through Debian's /usr/bin/python3 (python3-numpy,
 * python3-scipy; .ci/run installs them). When they are missing the reference tests are
 * skipped with a message saying so; the closed-form tests still run.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

export const PYTHON = process.env.GAN_TEST_PYTHON || '/usr/bin/python3';

function probe(mods: string): boolean {
  const r = spawnSync(PYTHON, ['-c', `import ${mods}`], { encoding: 'utf8' });
  return r.status === 0;
}

export const HAS_SCIPY = probe('numpy, scipy.linalg, scipy.signal, scipy.ndimage');
export const HAS_SKLEARN = HAS_SCIPY && probe('sklearn.cluster');

export function skipMessage(what: string): string {
  return `SKIPPED ${what}: ${PYTHON} cannot import numpy/scipy (install python3-numpy python3-scipy, or set GAN_TEST_PYTHON)`;
}

/** Runs `script` (which prints one JSON value) in a temp dir; returns the parsed JSON. */
export function runPython<T = any>(script: string, dir: string): T {
  const r = spawnSync(PYTHON, ['-c', script], { cwd: dir, encoding: 'utf8', maxBuffer: 64 << 20 });
  if (r.status !== 0) throw new Error(`python reference failed:\n${r.stderr}`);
  return JSON.parse(r.stdout);
}

export function tmpDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'cgan-metrics-'));
}
