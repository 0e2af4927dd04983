import * as fs from 'fs';
import * as path from 'path';
import { fidFromFeatures, kernelInceptionDistance, readNpy, writeNpy } from '@cgan/models';
import { main } from '@cgan/runner';
import { correlatedFeatures } from './fixtures';
import { tmpDir } from './python';

async function gan(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const io = { out: (s: string) => void (out += s), err: (s: string) => void (err += s), progressStream: process.stderr };
  const saved = process.exitCode;
  process.exitCode = undefined;
  const code = await main(['node', 'gan', ...args], io);
  process.exitCode = saved;
  return { code, out, err };
}

describe('gan metrics', () => {
  const dir = tmpDir();
  const real = path.join(dir, 'real.npy');
  const fake = path.join(dir, 'fake.npy');
  const fake32 = path.join(dir, 'fake32.npy');
  const narrow = path.join(dir, 'narrow.npy');
  beforeAll(() => {
    writeNpy(real, correlatedFeatures(200, 8, 1));
    writeNpy(fake, correlatedFeatures(200, 8, 2, 0.5));
    const f = correlatedFeatures(200, 8, 2, 0.5);
    writeNpy(fake32, { ...f, data: Float32Array.from(f.data) });
    writeNpy(narrow, correlatedFeatures(200, 3, 2));
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('fid prints one JSON object with the Fréchet distance (float64 and float32 inputs)', async () => {
    const r = await gan('metrics', 'fid', '--real', real, '--fake', fake);
    expect(r.code).toBe(0);
    expect(r.out.trim().split('\n')).toHaveLength(1);
    const j = JSON.parse(r.out);
    expect(j.metric).toBe('fid');
    expect(j.dim).toBe(8);
    expect(j.fid).toBeCloseTo(fidFromFeatures(readNpy(real), readNpy(fake)), 10);
    const r32 = JSON.parse((await gan('metrics', 'fid', '--real', real, '--fake', fake32)).out);
    expect(r32.fid).toBeCloseTo(j.fid, 4);
  });

  it('kid and prd', async () => {
    const k = JSON.parse((await gan('metrics', 'kid', '--real', real, '--fake', fake, '--num_subsets', '5', '--subset_size', '50', '--seed', '2')).out);
    const expected = kernelInceptionDistance({ real: readNpy(real), fake: readNpy(fake), num_subsets: 5, subset_size: 50, seed: 2 });
    expect(k.kid).toBeCloseTo(expected.kid, 12);
    expect(k.kid_std).toBeCloseTo(expected.kid_std, 12);
    const p = JSON.parse((await gan('metrics', 'prd', '--real', real, '--fake', real, '--num_clusters', '5', '--num_runs', '1', '--curve')).out);
    expect(p.prd_f8).toBeCloseTo(1, 6);
    expect(p.prd_f1_8).toBeCloseTo(1, 6);
    expect(p.curve.precision).toHaveLength(1001);
  });

  it('reports bad input in one paragraph, without a stack trace', async () => {
    const missing = await gan('metrics', 'fid', '--real', path.join(dir, 'nope.npy'), '--fake', fake);
    expect(missing.code).toBe(1);
    expect(missing.err).toMatch(/nope\.npy: cannot read \(no such file\)/);
    expect(missing.err).not.toMatch(/\n\s+at /);
    const cols = await gan('metrics', 'fid', '--real', real, '--fake', narrow);
    expect(cols.code).toBe(1);
    expect(cols.err).toMatch(/--real has 8 features per row but --fake has 3/);
    fs.writeFileSync(path.join(dir, 'text.npy'), 'not numpy');
    const garbage = await gan('metrics', 'kid', '--real', path.join(dir, 'text.npy'), '--fake', fake);
    expect(garbage.code).toBe(1);
    expect(garbage.err).toMatch(/not a NumPy \.npy file[\s\S]*numpy\.save/);
    const unknown = await gan('metrics', 'swd', '--real', real, '--fake', fake);
    expect(unknown.code).toBe(2);
    expect(unknown.err).toMatch(/fid, kid, prd/);
  });
});
