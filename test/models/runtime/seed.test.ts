/** runtime.seed makes training reproducible bit for bit on one backend. */
import { config, parseConfig } from '@cgan/config-lang';
import { initRuntime, runtimeRng, runtimeSeed, setRuntimeSeed } from '@cgan/models';
import { tinyGan } from './tiny_gan';

async function train(backend: 'wasm' | 'cpu', seed: number): Promise<Float32Array[]> {
  await initRuntime({ backend, seed });
  const gan = tinyGan();
  for (let i = 0; i < 3; i++) gan.step();
  const w = gan.weights();
  gan.dispose();
  return w;
}

function identical(a: Float32Array[], b: Float32Array[]): boolean {
  return a.length === b.length && a.every((x, i) => x.length === b[i].length && Buffer.compare(Buffer.from(x.buffer), Buffer.from(b[i].buffer)) === 0);
}

describe('runtime.seed', () => {
  test.each(['wasm', 'cpu'] as const)('same seed, same backend (%s): bit-identical weights; another seed differs', async (backend) => {
    const a = await train(backend, 11);
    const b = await train(backend, 11);
    const c = await train(backend, 12);
    expect(identical(a, b)).toBe(true);
    expect(identical(a, c)).toBe(false);
  });

  test('derived streams are stable and independent of request order', () => {
    setRuntimeSeed(5);
    const z1 = runtimeRng('z').uniform();
    const d1 = runtimeRng('data').uniform();
    setRuntimeSeed(5);
    const d2 = runtimeRng('data').uniform();
    const z2 = runtimeRng('z').uniform();
    expect([z1, d1]).toEqual([z2, d2]);
    expect(z1).not.toEqual(d1);
  });

  test('a Gin binding sets the seed; an unset seed is drawn and reported', async () => {
    config.clear();
    parseConfig('runtime.seed = 123\nruntime.backend = "cpu"');
    const info = await initRuntime();
    expect(info.seed).toBe(123);
    expect(info.chosen).toBe('cpu');
    expect(runtimeSeed()).toBe(123);
    config.clear();
    const drawn = await initRuntime({ backend: 'cpu' });
    expect(drawn.seedDrawn).toBe(true);
    expect(drawn.summary).toContain(`runtime.seed = ${drawn.seed}`);
  });

  test('a bad seed says what is wrong', () => {
    expect(() => setRuntimeSeed(-1)).toThrow(/runtime.seed must be an integer/);
  });
});
