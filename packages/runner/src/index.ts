/**
 * @cgan/runner: the `gan` command line (`main`) and the library API it is built from
 * (README "Using it as a library"): train from a config in code, load a run or checkpoint as
 * a GAN object to sample, encode and evaluate, and register your own configurables.
 */
export { main } from './cli';
export { train, loadGan } from './api';
export type { TrainOptions, LoadedGan, EvaluateOptions } from './api';
export type { TrainResult, Schedule } from './run/trainer';
export { setEvaluator } from './evaluation';
export type { Evaluator, EvalContext } from './evaluation';
export { RunError } from './errors';
// Registering your own configurables: the same functions the library's own modules use.
export { configurable, REQUIRED, t } from '@cgan/config-lang';
