/**
 * compare_gan's resnet_ops: unpooling, the ResNet block shared by G and D (and BigGAN's
 * variant), and the resolution handling of the ResNet architectures.
 *
 * 28x28 datasets (MNIST, Fashion-MNIST): compare_gan's ResNets have no 28x28 variant. Here a
 * ResNet built for 28x28 runs its 32x32 network: G's 32x32 output is centre-cropped to 28x28 and
 * D sees its input zero-padded (2 pixels each side) to 32x32.
 */
import * as tf from '@tensorflow/tfjs-core';
import { OpContext, scope } from '../ops/context';
import { conv2d, conv2dAfterUnpool, conv2dThenAvgPool } from '../ops/layers';

/**
 * Unpooling (Dosovitskiy et al.): [b, h, w, c] -> [b, 2h, 2w, c] with x at even positions and
 * zeros elsewhere (compare_gan's resnet_ops.unpool, not nearest-neighbour upsampling).
 */
export function unpool(x: tf.Tensor4D): tf.Tensor4D {
  const [b, h, w, c] = x.shape;
  let out: tf.Tensor = tf.reshape(x, [b * h, w, c]);
  out = tf.concat([out, tf.zerosLike(out)], 2); // [b*h, w, 2c]
  out = tf.concat([out, tf.zerosLike(out)], 1); // [b*h, 2w, 2c]
  return tf.reshape(out, [b, 2 * h, 2 * w, c]);
}

export type Scale = 'up' | 'down' | 'none';

export interface BlockNorms {
  /** The network's configured batch norm (G or D's batch_norm_fn). */
  batchNorm: (ctx: OpContext, inputs: tf.Tensor, args: { name: string; z?: tf.Tensor2D | null; y?: tf.Tensor2D | null }) => tf.Tensor;
  /** Layer norm when D.layer_norm (D blocks only). */
  layerNorm?: (ctx: OpContext, inputs: tf.Tensor, scopeName: string) => tf.Tensor;
}

export interface ResNetBlockOptions {
  name: string;
  inChannels: number;
  outChannels: number;
  scale: Scale;
  isGenBlock: boolean;
  spectralNorm: boolean;
  norms: BlockNorms;
}

/** compare_gan's ResNetBlock: bn-relu-conv twice, 3x3 convolution on the shortcut. */
export class ResNetBlock {
  protected readonly scale1: Scale;
  protected readonly scale2: Scale;

  constructor(protected readonly o: ResNetBlockOptions) {
    // As in the SN paper: G upsamples in its first conv, D downsamples after its second.
    this.scale1 = o.isGenBlock ? o.scale : 'none';
    this.scale2 = o.isGenBlock ? 'none' : o.scale;
  }

  protected conv(ctx: OpContext, inputs: tf.Tensor4D, inChannels: number, outChannels: number, scale: Scale, suffix: string, kernel = 3): tf.Tensor4D {
    if (inputs.shape[3] !== inChannels) {
      throw new Error(`ResNet block ${this.o.name}/${suffix}: expected ${inChannels} input channels, got ${inputs.shape[3]}.`);
    }
    const opts = { k_h: kernel, k_w: kernel, d_h: 1, d_w: 1, use_sn: this.o.spectralNorm, name: `${scale === 'none' ? 'same' : scale}_${suffix}` };
    // Up: unpool + conv as one transposed convolution; down: conv + 2x2 average pool as one
    // stride-2 convolution (ops/layers: the same sums, a quarter of the products / outputs).
    if (scale === 'up' && kernel % 2 === 1) return conv2dAfterUnpool(ctx, inputs, outChannels, opts);
    const [, h, w] = inputs.shape;
    if (scale === 'down' && kernel % 2 === 1 && h % 2 === 0 && w % 2 === 0) return conv2dThenAvgPool(ctx, inputs, outChannels, opts);
    let out = scale === 'up' ? unpool(inputs) : inputs;
    out = conv2d(ctx, out, outChannels, opts);
    if (scale === 'down') out = tf.avgPool(out, 2, 2, 'same');
    return out;
  }

  protected norm(ctx: OpContext, x: tf.Tensor, i: number, z: tf.Tensor2D | null, y: tf.Tensor2D | null): tf.Tensor4D {
    let out = this.o.norms.batchNorm(ctx, x, { name: `bn${i}`, z, y });
    if (this.o.norms.layerNorm) out = this.o.norms.layerNorm(ctx, out, `ln${i}`);
    return out as tf.Tensor4D;
  }

  apply(ctx: OpContext, inputs: tf.Tensor4D, z: tf.Tensor2D | null, y: tf.Tensor2D | null): tf.Tensor4D {
    const { inChannels: cin, outChannels: cout } = this.o;
    return scope(ctx, this.o.name, () => {
      const shortcut = this.conv(ctx, inputs, cin, cout, this.o.scale, 'conv_shortcut');
      let out = tf.relu(this.norm(ctx, inputs, 1, z, y));
      out = this.conv(ctx, out, cin, cout, this.scale1, 'conv1');
      out = tf.relu(this.norm(ctx, out, 2, z, y));
      out = this.conv(ctx, out, cout, cout, this.scale2, 'conv2');
      return tf.add(out, shortcut);
    });
  }
}

/** BigGAN's block: the shortcut (optional) is a 1x1 convolution, added last. */
export class BigGanResNetBlock extends ResNetBlock {
  constructor(o: ResNetBlockOptions, private readonly addShortcut = true) {
    super(o);
  }

  apply(ctx: OpContext, inputs: tf.Tensor4D, z: tf.Tensor2D | null, y: tf.Tensor2D | null): tf.Tensor4D {
    const { inChannels: cin, outChannels: cout } = this.o;
    return scope(ctx, this.o.name, () => {
      let out = tf.relu(this.norm(ctx, inputs, 1, z, y));
      out = this.conv(ctx, out, cin, cout, this.scale1, 'conv1');
      out = tf.relu(this.norm(ctx, out, 2, z, y));
      out = this.conv(ctx, out, cout, cout, this.scale2, 'conv2');
      if (this.addShortcut) out = tf.add(out, this.conv(ctx, inputs, cin, cout, this.o.scale, 'conv_shortcut', 1));
      return out;
    });
  }
}

/** The resolution a ResNet runs at for a dataset's image shape, and the padding to get there. */
export interface ResNetResolution {
  /** Resolution of the network. */
  size: number;
  /** Pixels cropped from (G) / padded onto (D) each side: (size - image size) / 2. */
  pad: number;
}

/** Checks the image shape against an architecture's supported resolutions (28 runs at 32). */
export function resnetResolution(arch: string, imageShape: [number, number, number], supported: number[]): ResNetResolution {
  const [h, w, c] = imageShape;
  const all = supported.includes(32) ? [28, ...supported] : supported;
  if (h !== w) throw new Error(`${arch} needs square images, the dataset's are ${h}x${w}; use dcgan_arch, sndcgan_arch or infogan_arch for other shapes.`);
  if (c !== 1 && c !== 3) throw new Error(`${arch} supports 1 or 3 color channels, the dataset has ${c}.`);
  if (supported.includes(h)) return { size: h, pad: 0 };
  if (h === 28 && supported.includes(32)) return { size: 32, pad: 2 };
  throw new Error(`${arch} supports resolutions ${all.join(', ')}; the dataset's images are ${h}x${w}. Pick another options.architecture or resize the dataset.`);
}

/** Centre-crops G's output to the dataset size. */
export function cropTo(x: tf.Tensor4D, r: ResNetResolution): tf.Tensor4D {
  if (!r.pad) return x;
  const size = r.size - 2 * r.pad;
  return tf.slice(x, [0, r.pad, r.pad, 0], [-1, size, size, -1]);
}

/** Zero-pads D's input to the network size. */
export function padTo(x: tf.Tensor4D, r: ResNetResolution): tf.Tensor4D {
  if (!r.pad) return x;
  return tf.pad(x, [[0, 0], [r.pad, r.pad], [r.pad, r.pad], [0, 0]]);
}

/** Splits z into `n` equal chunks (hierarchical z), with a helpful error when it cannot. */
export function splitZ(arch: string, z: tf.Tensor2D, n: number): tf.Tensor2D[] {
  const zDim = z.shape[1];
  if (zDim % n !== 0) {
    throw new Error(
      `${arch}: hierarchical_z splits z into ${n} equal chunks at this resolution, but options.z_dim = ${zDim} is not divisible by ${n}; ` +
        `use a z_dim that is (e.g. ${n * Math.max(1, Math.round(zDim / n))}) or set ${arch}.hierarchical_z = False.`,
    );
  }
  return tf.split(z, n, 1) as tf.Tensor2D[];
}
