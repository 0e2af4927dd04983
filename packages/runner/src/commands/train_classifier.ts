/**
 * `gan train-classifier --dataset fashion-mnist`: trains the domain classifier used as the
 * default feature extractor of the metrics (penultimate layer = features, logits = IS) and
 * saves it (model.json, weights.bin, classifier.json with its test accuracy, fingerprint, kernels
 * and the command that reproduces it) where `metrics.domain_classifier` looks for it. The shipped
 * classifiers (packages/models/classifiers) are trained with `--backend wasm --no-native_kernels`,
 * whose floats do not depend on the CPU.
 */
import * as tf from '@tensorflow/tfjs-core';
import { Command, Option } from 'commander';
import * as path from 'path';
import { BACKEND_CHOICES, BackendChoice, createDataset, defaultClassifierDir, describeSelection, nativeKernelFamilyName, nativeKernelsActive, saveClassifier, setNativeKernels, trainClassifier, useBackend } from '@cgan/models';
import { RunError } from '../errors';
import { Io, loggerFor, processIo } from '../io';
import { positiveInt } from './common';

export interface TrainClassifierFlags {
  dataset: string;
  dataDir?: string;
  out?: string;
  epochs: number;
  trainExamples: number;
  testExamples: number;
  batchSize: number;
  learningRate: number;
  convFilters: number[];
  denseUnits: number;
  seed: number;
  backend: string;
  /** false: the wasm backend runs XNNPACK, not OpenBLAS (CPU-independent floats). Default true. */
  nativeKernels?: boolean;
  quiet?: boolean;
  /** Stop cleanly (save, exit 130) on SIGINT/SIGTERM: the CLI sets this. */
  handleSignals?: boolean;
}

async function selectBackend(name: string, nativeKernels: boolean): Promise<string> {
  if (!(BACKEND_CHOICES as readonly string[]).includes(name)) {
    throw new RunError(`Unknown --backend '${name}'.`, `choose one of ${BACKEND_CHOICES.join(', ')}`);
  }
  try {
    if (!nativeKernels) setNativeKernels(false);
    const sel = await useBackend(name as BackendChoice);
    await tf.ready();
    return describeSelection(sel);
  } catch (e) {
    throw new RunError((e as Error).message, 'use --backend auto or --backend cpu');
  }
}

export async function trainClassifierCommand(f: TrainClassifierFlags, io: Io): Promise<Record<string, unknown>> {
  const log = loggerFor(io, f.quiet);
  log.info(await selectBackend(f.backend, f.nativeKernels !== false));
  const kernels = tf.getBackend() !== 'wasm' ? tf.getBackend() : nativeKernelsActive() ? nativeKernelFamilyName() : 'xnnpack';
  const ds = await createDataset({ overrides: { name: f.dataset, data_dir: f.dataDir ?? null }, log: log.info });
  const out = path.resolve(f.out ?? defaultClassifierDir(ds.info.name));
  log.info(`training a ${f.convFilters.join('-')}-conv + ${f.denseUnits}-unit classifier on ${Math.min(f.trainExamples, ds.info.numExamples.train)} ${ds.info.name} images, ${f.epochs} epoch(s), backend ${tf.getBackend()}`);
  // Ctrl-C (or SIGTERM): stop after the current step, measure and save what was trained; twice: quit.
  let stopSignal: NodeJS.Signals | null = null;
  const onSignal = (sig: NodeJS.Signals) => {
    if (stopSignal) process.exit(130);
    stopSignal = sig;
    log.info(`${sig}: stopping after this step; the classifier trained so far will be saved (${sig} again to quit at once)`);
  };
  if (f.handleSignals) {
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  }
  const trained = await trainClassifier({
    dataset: ds.info.name,
    imageShape: ds.info.imageShape,
    numClasses: ds.info.numClasses,
    train: ds.data('train'),
    test: ds.data('test'),
    train_examples: f.trainExamples,
    test_examples: f.testExamples,
    epochs: f.epochs,
    batch_size: f.batchSize,
    learning_rate: f.learningRate,
    seed: f.seed,
    arch: { conv_filters: f.convFilters, dense_units: f.denseUnits },
    log: log.info,
    shouldStop: () => stopSignal !== null,
  }).finally(() => {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  });
  const command = [
    'gan train-classifier', `--dataset ${ds.info.name}`, `--epochs ${f.epochs}`, `--train_examples ${f.trainExamples}`, `--test_examples ${f.testExamples}`,
    `--batch_size ${f.batchSize}`, `--learning_rate ${f.learningRate}`, `--conv_filters ${f.convFilters.join(',')}`, `--dense_units ${f.denseUnits}`, `--seed ${f.seed}`,
    `--backend ${tf.getBackend() === 'wasm' ? 'wasm' : f.backend}`, ...(kernels === 'xnnpack' ? ['--no-native_kernels'] : []), '--out DIR',
  ].join(' ');
  const meta = await saveClassifier(out, { ...trained, meta: { ...trained.meta, kernels, command } });
  trained.model.dispose();
  io.out(`${meta.dataset} classifier: test accuracy ${(meta.testAccuracy * 100).toFixed(2)}% on ${meta.testExamples} test images (${meta.seconds.toFixed(0)} s); saved to ${out}\n`);
  if (stopSignal) {
    throw new RunError(
      `Stopped by ${stopSignal} after ${meta.interrupted?.steps} of ${meta.interrupted?.of} steps; the partly trained classifier was saved to ${out} (classifier.json records it).`,
      'rerun the command to train it fully',
      130,
    );
  }
  return { ...meta, dir: out };
}

const num = (name: string) => (v: string): number => {
  const n = Number(v);
  if (!Number.isFinite(n) || n <= 0) throw new RunError(`${name} must be a positive number, got '${v}'.`);
  return n;
};

export function registerTrainClassifier(program: Command, io: Io, run: (p: Promise<unknown>) => void): void {
  program
    .command('train-classifier')
    .description('Train the small convnet whose features and logits the metrics use (fid[<dataset>-classifier@<fingerprint>], ...).')
    .requiredOption('--dataset <name>', 'fashion-mnist, mnist, cifar10, shapes, ...')
    .option('--data_dir <dir>', 'folder holding the dataset files')
    .option('--out <dir>', 'where to save (default $GAN_CLASSIFIER_DIR/<dataset> or ~/.cache/compare-gan-js/classifiers/<dataset>)')
    .addOption(new Option('--epochs <n>').argParser(positiveInt('--epochs')).default(2))
    .addOption(new Option('--train_examples <n>', 'random training subset').argParser(positiveInt('--train_examples')).default(30000))
    .addOption(new Option('--test_examples <n>', 'test images used for the accuracy').argParser(positiveInt('--test_examples')).default(10000))
    .addOption(new Option('--batch_size <n>').argParser(positiveInt('--batch_size')).default(64))
    .addOption(new Option('--learning_rate <x>').argParser(num('--learning_rate')).default(0.001))
    .addOption(new Option('--conv_filters <list>', 'comma-separated filters per conv layer').default('16,32').argParser((v) => {
      const l = v.split(',').map((s) => Number(s.trim()));
      if (!l.length || l.some((n) => !Number.isInteger(n) || n <= 0)) throw new RunError(`--conv_filters must be comma-separated positive integers, got '${v}'.`);
      return l;
    }))
    .addOption(new Option('--dense_units <n>', 'size of the feature layer').argParser(positiveInt('--dense_units')).default(128))
    .addOption(new Option('--seed <n>').argParser(positiveInt('--seed')).default(1))
    .addOption(new Option('--backend <name>', 'auto, wasm, cpu, tensorflow, tensorflow-gpu (as runtime.backend)').default('auto'))
    .option('--no-native_kernels', 'wasm backend: run XNNPACK, not OpenBLAS, so that the weights do not depend on the CPU (how the shipped classifiers are trained)')
    .option('-q, --quiet', 'no progress messages')
    .action((o: Record<string, unknown>) =>
      run(
        trainClassifierCommand(
          {
            dataset: o.dataset as string,
            dataDir: o.data_dir as string | undefined,
            out: o.out as string | undefined,
            epochs: o.epochs as number,
            trainExamples: o.train_examples as number,
            testExamples: o.test_examples as number,
            batchSize: o.batch_size as number,
            learningRate: o.learning_rate as number,
            convFilters: typeof o.conv_filters === 'string' ? (o.conv_filters as string).split(',').map(Number) : (o.conv_filters as number[]),
            denseUnits: o.dense_units as number,
            seed: o.seed as number,
            backend: o.backend as string,
            nativeKernels: o.native_kernels !== false,
            quiet: o.quiet as boolean | undefined,
            handleSignals: io === processIo,
          },
          io,
        ),
      ),
    );
}
