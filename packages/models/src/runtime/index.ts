export * from './backend';
export * from './seed';
export * from './runtime';
export { registerWasmTrainingKernels, wasmKernelNames } from './kernels';
