/** runtime.backend: one place chooses the tfjs backend and says why the others were skipped. */
import * as tf from '@tensorflow/tfjs-core';
import { config, parseConfig } from '@cgan/config-lang';
import { describeSelection, initRuntime, useBackend, wasmKernelNames } from '@cgan/models';

afterEach(() => config.clear());

test('auto skips the tfjs-node packages that are not installed here and runs wasm', async () => {
  const s = await useBackend('auto');
  expect(s.attempts.map((a) => a.name)).toEqual(['tensorflow-gpu', 'tensorflow', 'wasm']);
  expect(s.chosen).toBe('wasm');
  expect(tf.getBackend()).toBe('wasm');
  expect(s.attempts[0].reason).toMatch(/@tensorflow\/tfjs-node-gpu is not installed/);
  expect(s.attempts[1].reason).toMatch(/@tensorflow\/tfjs-node is not installed/);
  const text = describeSelection(s);
  expect(text).toContain('tfjs backend: wasm (runtime.backend = "auto")');
  expect(text).toContain('skipped tensorflow:');
});

test('wasm gets the training kernels it lacks', async () => {
  await useBackend('wasm');
  for (const k of wasmKernelNames) expect(tf.getKernel(k, 'wasm')).toBeDefined();
});

test('an explicit backend that cannot run fails with every reason and a fix', async () => {
  await expect(useBackend('tensorflow')).rejects.toThrow(/tfjs-node is not installed[\s\S]*runtime.backend = "auto"/);
});

test('an unknown backend name lists the choices', async () => {
  await expect(useBackend('gpu' as never)).rejects.toThrow(/Unknown runtime.backend 'gpu': choose one of "auto", "tensorflow-gpu", "tensorflow", "wasm", "cpu"/);
});

test('runtime.backend is a Gin binding; explicit options win over it', async () => {
  parseConfig('runtime.backend = "cpu"\nruntime.seed = 1');
  expect((await initRuntime()).chosen).toBe('cpu');
  expect(tf.getBackend()).toBe('cpu');
  expect((await initRuntime({ backend: 'wasm' })).chosen).toBe('wasm');
  expect(() => parseConfig('runtime.backend = "tpu"')).toThrow(/runtime.backend|tpu/);
});

test('initRuntime logs its choice', async () => {
  const lines: string[] = [];
  await initRuntime({ backend: 'wasm', seed: 3, log: (l) => lines.push(l) });
  expect(lines.join('\n')).toMatch(/tfjs backend: wasm[\s\S]*runtime.seed = 3/);
});
