/**
 * TF.js model IO on the local file system (the `file://` handler of tfjs-node, without
 * tfjs-node): `model.json` plus the weight files its manifest lists, in one directory.
 * Nothing is ever fetched over the network.
 */
import * as tf from '@tensorflow/tfjs-core';
import * as fs from 'fs';
import * as path from 'path';

/** `file:///abs/dir`, `file://dir` or a plain path → the directory (or model.json path). */
export function stripFileScheme(p: string): string {
  return p.startsWith('file://') ? p.slice('file://'.length) : p;
}

function modelJsonPath(p: string): string {
  const plain = stripFileScheme(p);
  return plain.endsWith('.json') ? plain : path.join(plain, 'model.json');
}

/** A tfjs LoadHandler reading `<dir>/model.json` and its weight shards. */
export function fileLoadHandler(dirOrJson: string): tf.io.IOHandler {
  const jsonPath = modelJsonPath(dirOrJson);
  return {
    async load(): Promise<tf.io.ModelArtifacts> {
      if (!fs.existsSync(jsonPath)) {
        throw new Error(`no TF.js model at ${jsonPath}: expected a model.json written by tensorflowjs_converter or model.save (see packages/models/src/metrics/README.md)`);
      }
      let json: tf.io.ModelJSON;
      try {
        json = JSON.parse(fs.readFileSync(jsonPath, 'utf8'));
      } catch (e) {
        throw new Error(`${jsonPath} is not valid JSON (${(e as Error).message})`);
      }
      if (!json.modelTopology) throw new Error(`${jsonPath} has no modelTopology: it is not a TF.js model.json`);
      const dir = path.dirname(jsonPath);
      return tf.io.getModelArtifactsForJSON(json, async (manifest) => {
        const specs: tf.io.WeightsManifestEntry[] = [];
        const buffers: ArrayBuffer[] = [];
        for (const group of manifest) {
          specs.push(...group.weights);
          for (const p of group.paths) {
            const file = path.join(dir, p);
            if (!fs.existsSync(file)) throw new Error(`weight file ${file} listed in ${jsonPath} is missing`);
            const b = fs.readFileSync(file);
            buffers.push(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer);
          }
        }
        return [specs, tf.io.CompositeArrayBuffer.join(buffers)];
      });
    },
  };
}

/** A tfjs SaveHandler writing `<dir>/model.json` and `<dir>/weights.bin`. */
export function fileSaveHandler(dir: string): tf.io.IOHandler {
  const target = stripFileScheme(dir);
  return {
    async save(artifacts: tf.io.ModelArtifacts): Promise<tf.io.SaveResult> {
      fs.mkdirSync(target, { recursive: true });
      const weights = artifacts.weightData ? tf.io.CompositeArrayBuffer.join(artifacts.weightData) : new ArrayBuffer(0);
      const manifest: tf.io.WeightsManifestConfig = [{ paths: ['weights.bin'], weights: artifacts.weightSpecs ?? [] }];
      const json: tf.io.ModelJSON = {
        modelTopology: artifacts.modelTopology!,
        format: artifacts.format,
        generatedBy: artifacts.generatedBy,
        convertedBy: artifacts.convertedBy,
        weightsManifest: manifest,
      };
      if (artifacts.trainingConfig) json.trainingConfig = artifacts.trainingConfig;
      if (artifacts.signature) json.signature = artifacts.signature;
      if (artifacts.userDefinedMetadata) json.userDefinedMetadata = artifacts.userDefinedMetadata;
      fs.writeFileSync(path.join(target, 'weights.bin'), Buffer.from(weights));
      fs.writeFileSync(path.join(target, 'model.json'), JSON.stringify(json));
      return { modelArtifactsInfo: tf.io.getModelArtifactsInfoForJSON(artifacts) };
    },
  };
}
