export * from './backend';
export * from './seed';
export * from './runtime';
export { registerGradientOverrides } from './gradients';
export { registerWasmTrainingKernels, useShippedWasmKernel, wasmKernelNames } from './kernels';
export { loadNativeKernels, nativeKernelNames, nativeKernelsActive, nativeKernelsStatus, setNativeKernels } from './kernels/native';
