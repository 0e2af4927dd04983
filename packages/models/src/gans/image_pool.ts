/**
 * CycleGAN's history of generated images (Shrivastava et al. 2017; image_pool.py of the reference):
 * the discriminator is updated with fakes from a buffer of the last `size` generated images.
 * Until the buffer is full every fake is stored and returned; then each fake is, with
 * probability 1/2, swapped for a random stored one (which is returned instead).
 * The buffer lives in the VariableStore (non-trainable `<scope>/images` and `<scope>/count`), so
 * checkpoints hold it and a resumed run draws the same D inputs.
 */
import * as tf from '@tensorflow/tfjs-core';
import { Rng } from '../core/rng';
import { VariableStore } from '../core/variables';

export class ImagePool {
  constructor(
    private readonly store: VariableStore,
    private readonly scopeName: string,
    readonly size: number,
    private readonly imageShape: [number, number, number],
    private readonly rng: Rng,
  ) {
    if (!(Number.isInteger(size) && size >= 0)) throw new Error(`CycleGAN.pool_size must be an integer >= 0, got ${size}.`);
  }

  private vars(): { images: tf.Variable; count: tf.Variable } {
    return this.store.scope(this.scopeName, () => ({
      images: this.store.get('images', [Math.max(1, this.size), ...this.imageShape], (s) => tf.zeros(s), false),
      count: this.store.get('count', [1], (s) => tf.zeros(s), false),
    }));
  }

  /** Creates the buffer variables. */
  build(): void {
    if (this.size > 0) this.vars();
  }

  /** The images D sees for this batch of fakes (a new tensor; the caller disposes it). */
  query(fakes: tf.Tensor4D): tf.Tensor4D {
    if (this.size === 0) return tf.clone(fakes);
    const { images, count } = this.vars();
    const px = this.imageShape[0] * this.imageShape[1] * this.imageShape[2];
    const pool = Float32Array.from(images.dataSync() as Float32Array);
    let n = count.dataSync()[0];
    const incoming = fakes.dataSync() as Float32Array;
    const b = fakes.shape[0];
    const out = new Float32Array(b * px);
    for (let i = 0; i < b; i++) {
      const img = incoming.subarray(i * px, (i + 1) * px);
      if (n < this.size) {
        pool.set(img, n * px);
        n += 1;
        out.set(img, i * px);
      } else if (this.rng.uniform() > 0.5) {
        const j = this.rng.int(this.size);
        out.set(pool.subarray(j * px, (j + 1) * px), i * px);
        pool.set(img, j * px);
      } else {
        out.set(img, i * px);
      }
    }
    tf.tidy(() => {
      images.assign(tf.tensor(pool, images.shape));
      count.assign(tf.tensor1d([n]));
    });
    return tf.tensor4d(out, fakes.shape);
  }
}
