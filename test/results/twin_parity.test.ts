/**
 * Table 3's module (scripts/results/tables/twin_parity.js): render() puts table 1's
 * non-saturating rows beside the PyTorch twin's and gives a verdict only when both sides have two
 * seeds scored with the same extractor. (runRow trains PyTorch; not run here.)
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

// eslint-disable-next-line @typescript-eslint/no-var-requires
const table = require('../../scripts/results/tables/twin_parity.js');

const EX = 'fashion-mnist-classifier@abc123';
const raw = (t: string, seed: number, fids: [number, number], extractor = EX) => ({
  table: t,
  row: t === 'losses' ? 'non_saturating' : 'sndcgan_non_saturating',
  seed,
  extractor,
  metrics: [
    { step: 200, [`fid[${EX}]`]: fids[0], [`kid[${EX}]`]: 0.05 },
    { step: 400, [`fid[${EX}]`]: fids[1], [`kid[${EX}]`]: 0.03 },
  ],
  wall_s: 100,
  machine: 'test',
  samples: `docs/results/${t}/x--seed${seed}.png`,
});

function repoWithOurs(ours: object[]): string {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'twin-parity-'));
  fs.mkdirSync(path.join(root, 'docs/results/losses'), { recursive: true });
  ours.forEach((r: any) => fs.writeFileSync(path.join(root, `docs/results/losses/non_saturating--seed${r.seed}.json`), JSON.stringify(r)));
  return root;
}

describe('twin_parity table', () => {
  it('declares the contract interface and table 1 budget', () => {
    expect(table.id).toBe('twin_parity');
    expect(table.rows[0].seeds).toEqual([1, 2]);
    expect(table.budget).toMatchObject({ steps: 400, batch: 32, ch: 16, z_dim: 64, num_samples: 2000 });
    expect(typeof table.runRow).toBe('function');
  });

  it('says agree when the means differ by less than two standard errors', () => {
    const repoRoot = repoWithOurs([raw('losses', 1, [60, 40]), raw('losses', 2, [56, 44])]);
    const md: string = table.render([raw('twin_parity', 1, [58, 41]), raw('twin_parity', 2, [62, 45])], { repoRoot });
    expect(md).toContain('| 400 | ours (TF.js) | s1: 40.0, s2: 44.0 | 42.0 ± 2.8 |');
    expect(md).toContain('| 400 | PyTorch twin | s1: 41.0, s2: 45.0 | 43.0 ± 2.8 |');
    expect(md).toMatch(/step 400: ours − twin = -1\.0 FID, tolerance 5\.7: \*\*agree\*\*/);
  });

  it('says which side is worse when they do not agree, and refuses different extractors', () => {
    const repoRoot = repoWithOurs([raw('losses', 1, [90, 80]), raw('losses', 2, [91, 81])]);
    const twin = [raw('twin_parity', 1, [60, 40]), raw('twin_parity', 2, [61, 41])];
    expect(table.render(twin, { repoRoot })).toMatch(/step 400: ours − twin = 40\.0 FID.*\*\*ours is worse\*\*/);
    const other = [raw('twin_parity', 1, [60, 40], 'other@1'), raw('twin_parity', 2, [61, 41], 'other@1')];
    expect(table.render(other, { repoRoot })).toContain('**Not comparable:**');
  });

  it('says the row is not measured when there are no twin raws', () => {
    expect(table.render([], { repoRoot: repoWithOurs([]) })).toContain('Not measured yet');
  });
});
