export * from './backend';
export * from './seed';
export * from './runtime';
export { registerWasmTrainingKernels, useShippedWasmKernel, wasmKernelNames } from './kernels';
