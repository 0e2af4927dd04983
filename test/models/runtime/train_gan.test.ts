/** A tiny conv GAN trains for a few steps on wasm and on cpu with identical code and seeds. */
import { initRuntime } from '@cgan/models';
import { tinyGan } from './tiny_gan';

async function losses(backend: 'wasm' | 'cpu'): Promise<number[]> {
  await initRuntime({ backend, seed: 7 });
  const gan = tinyGan();
  const out: number[] = [];
  for (let i = 0; i < 5; i++) {
    const { dLoss, gLoss } = gan.step();
    out.push(dLoss, gLoss);
  }
  gan.dispose();
  return out;
}

test('losses are finite on both backends and agree between them', async () => {
  const wasm = await losses('wasm');
  const cpu = await losses('cpu');
  for (const l of [...wasm, ...cpu]) expect(Number.isFinite(l)).toBe(true);
  for (let i = 0; i < wasm.length; i++) expect(Math.abs(wasm[i] - cpu[i])).toBeLessThan(1e-3 * (1 + Math.abs(cpu[i])));
  // It trains: the discriminator loss moves.
  expect(Math.abs(wasm[wasm.length - 2] - wasm[0])).toBeGreaterThan(1e-4);
});
