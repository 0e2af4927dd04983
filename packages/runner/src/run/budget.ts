/**
 * Tensor sizes checked before anything is allocated: a batch, a z draw or a sample grid too
 * large for the backend's memory (wasm aborts, the CPU backend exhausts the heap) is a
 * one-paragraph error naming the binding or flag, not an abort inside the backend.
 * GAN_MAX_TENSOR_ELEMENTS raises the limit (default 2^26 values, 256 MB of float32).
 */
import { RunError } from '../errors';

export function maxTensorElements(): number {
  return Number(process.env.GAN_MAX_TENSOR_ELEMENTS) || 2 ** 26;
}

const fmt = (n: number) => n.toLocaleString('en-US');

/** Throws when `count` x `perItem` values exceed the limit; `what` names the binding or flag. */
export function checkTensorSize(what: string, count: number, perItem: number, itemName: string): void {
  const max = maxTensorElements();
  const total = count * perItem;
  if (total > max) {
    throw new RunError(
      `${what} = ${fmt(count)} needs a tensor of ${fmt(total)} values (${fmt(count)} x ${itemName}), more than the ${fmt(max)} this runner allows.`,
      `lower ${what.split(' ')[0]} (or raise GAN_MAX_TENSOR_ELEMENTS if the machine has the memory)`,
    );
  }
}

/** The sizes a training run allocates: batches, z draws and sample grids. */
export function checkRunBudget(o: { batchSize: number; zDim: number; numSamples: number; imageShape: readonly number[] }): void {
  const image = o.imageShape.reduce((a, b) => a * b, 1);
  const shape = o.imageShape.join('x');
  if (!Number.isInteger(o.numSamples) || o.numSamples < 1) {
    throw new RunError(`run_config.num_samples = ${o.numSamples}: sample grids need at least one image.`, 'set run_config.num_samples to a positive number, e.g. 64');
  }
  checkTensorSize('options.batch_size', o.batchSize, image, `images of ${shape}`);
  checkTensorSize('options.z_dim', o.zDim, Math.max(o.batchSize, o.numSamples, 256), 'the batch (a z vector per image, and a first layer with a row per z value)');
  checkTensorSize('run_config.num_samples', o.numSamples, image, `images of ${shape}`);
}
