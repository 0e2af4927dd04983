/**
 * A feature extractor from a TF.js model in a local directory: a graph model
 * (tensorflowjs_converter output with "format": "graph-model") or a layers model (Keras
 * conversion, "format": "layers-model"). Images are resized to `input_size`, converted to
 * `input_channels` and mapped to `input_range`; `feature_node` (graph: a node name such as
 * "module_apply_default/InceptionV3/Logits/GlobalPool"; layers: a layer name such as
 * "avg_pool") gives the features, `logits_node` optionally the class logits (or, with
 * `logits_are_probabilities`, softmax outputs, whose logs are used).
 */
import * as tf from '@tensorflow/tfjs-core';
import * as tfc from '@tensorflow/tfjs-converter';
import * as tfl from '@tensorflow/tfjs-layers';
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { configurable, REQUIRED, t } from '@cgan/config-lang';
import { fileLoadHandler, stripFileScheme } from './fs_io';
import { ExtractorOutput, FeatureExtractor, prepareImages } from './types';

export interface TfjsModelOptions {
  model_dir: string;
  name: string;
  format: 'auto' | 'graph' | 'layers';
  input_size: number;
  input_channels: number;
  input_range: [number, number];
  feature_node: string | null;
  logits_node: string | null;
  logits_are_probabilities: boolean;
}

function detectFormat(jsonPath: string): 'graph' | 'layers' {
  const json = JSON.parse(fs.readFileSync(jsonPath, 'utf8'));
  if (json.format === 'graph-model' || json.modelTopology?.node) return 'graph';
  if (json.format === 'layers-model' || json.modelTopology?.model_config || json.modelTopology?.class_name) return 'layers';
  throw new Error(`${jsonPath}: cannot tell whether this is a graph or a layers model; bind metrics.tfjs_model.format = 'graph' or 'layers'`);
}

function flatten2d(x: tf.Tensor): tf.Tensor2D {
  return tf.reshape(x, [x.shape[0], -1]) as tf.Tensor2D;
}

export class TfjsModelExtractor implements FeatureExtractor {
  readonly featureDim: number;
  readonly numClasses: number;

  private constructor(
    readonly name: string,
    readonly fingerprint: string,
    private readonly run: (x: tf.Tensor4D) => tf.Tensor[],
    private readonly opts: TfjsModelOptions,
    private readonly disposeFn: () => void,
    dims: { featureDim: number; numClasses: number },
  ) {
    this.featureDim = dims.featureDim;
    this.numClasses = dims.numClasses;
  }

  static async load(o: TfjsModelOptions): Promise<TfjsModelExtractor> {
    const dir = stripFileScheme(o.model_dir);
    const jsonPath = dir.endsWith('.json') ? dir : path.join(dir, 'model.json');
    if (!fs.existsSync(jsonPath)) {
      throw new Error(`metrics.tfjs_model: no model.json in ${dir}; convert a model with tensorflowjs_converter (see packages/models/src/metrics/README.md)`);
    }
    const format = o.format === 'auto' ? detectFormat(jsonPath) : o.format;
    const fingerprint = createHash('sha256').update(fs.readFileSync(jsonPath)).digest('hex').slice(0, 16);
    let run: (x: tf.Tensor4D) => tf.Tensor[];
    let dispose: () => void;
    if (format === 'graph') {
      const g = await tfc.loadGraphModel(fileLoadHandler(jsonPath));
      const outputs = [o.feature_node, o.logits_node].filter((n): n is string => !!n);
      run = (x) => {
        const r = outputs.length ? g.execute(x, outputs) : g.execute(x);
        return Array.isArray(r) ? r : [r];
      };
      dispose = () => g.dispose();
    } else {
      const m = await tfl.loadLayersModel(fileLoadHandler(jsonPath));
      const layer = (n: string) => {
        try {
          return m.getLayer(n).output as tfl.SymbolicTensor;
        } catch {
          throw new Error(`metrics.tfjs_model: the layers model in ${dir} has no layer '${n}'; its layers are ${m.layers.map((l) => l.name).join(', ')}`);
        }
      };
      const outs = [o.feature_node, o.logits_node].filter((n): n is string => !!n).map(layer);
      const sub = outs.length ? tfl.model({ inputs: m.inputs, outputs: outs }) : m;
      run = (x) => {
        const r = sub.predict(x);
        return Array.isArray(r) ? r : [r];
      };
      dispose = () => m.dispose();
    }
    // Probe the output sizes with one blank image.
    const probe = tf.tidy(() => run(tf.zeros([1, o.input_size, o.input_size, o.input_channels])).map((t) => t.size));
    const featureDim = probe[0];
    const numClasses = o.logits_node ? probe[1] : 0;
    return new TfjsModelExtractor(o.name, fingerprint, run, o, dispose, { featureDim, numClasses });
  }

  extract(images: tf.Tensor4D): ExtractorOutput {
    const o = this.opts;
    return tf.tidy(() => {
      const x = prepareImages(images, { height: o.input_size, width: o.input_size, channels: o.input_channels, range: o.input_range });
      const outs = this.run(x);
      const features = flatten2d(outs[0]);
      if (!o.logits_node) return { features };
      let logits = flatten2d(outs[1]);
      if (o.logits_are_probabilities) logits = tf.log(tf.maximum(logits, 1e-30)) as tf.Tensor2D;
      return { features, logits };
    });
  }

  dispose(): void {
    this.disposeFn();
  }
}

/** `metrics.tfjs_model`: a converted TF.js model (e.g. Inception-v3) from a local directory. */
export const tfjsModel = configurable('tfjs_model', {
  module: 'metrics',
  params: {
    model_dir: { default: REQUIRED, type: t.string, doc: 'directory holding model.json (never downloaded)' },
    name: { default: 'inception', type: t.string, doc: 'tag in metric names, e.g. fid[inception]' },
    format: { default: 'auto', type: t.oneOf('auto', 'graph', 'layers') },
    input_size: { default: 299, type: t.int },
    input_channels: { default: 3, type: t.int },
    input_range: { default: [-1, 1], type: t.list(t.number) },
    feature_node: { default: null, type: t.optional(t.string), doc: 'graph node / layer giving the features; None: the model output' },
    logits_node: { default: null, type: t.optional(t.string), doc: 'graph node / layer giving class logits (Inception Score); None: no IS' },
    logits_are_probabilities: false,
  },
  doc: 'Feature extractor: a TF.js graph or layers model from a local directory.',
}, (kw: TfjsModelOptions): Promise<FeatureExtractor> => {
  const raw = kw.input_range as unknown;
  const range = (Array.isArray(raw) ? raw : (raw as { items?: number[] })?.items ?? []) as number[];
  if (range.length !== 2) throw new Error(`metrics.tfjs_model.input_range must be two numbers, got ${JSON.stringify(range)}`);
  return TfjsModelExtractor.load({ ...kw, input_range: [range[0], range[1]] });
}) as unknown as (kw: Partial<TfjsModelOptions>) => Promise<FeatureExtractor>;
