/**
 * Identity without a copy. tfjs-backend-wasm's Identity copies the tensor, and the engine calls
 * Identity (Engine.clone) for every tensor a gradient saves for the backward pass: ~800 copies
 * of activations and weights per SNDCGAN step. tfjs tensors are immutable (a Variable's assign
 * swaps its dataId), so the output can share the input's memory, as the wasm Reshape kernel and
 * the cpu backend's Identity already do (the backend counts references per dataId).
 */
import { KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';

interface RefCountingBackend {
  incRef(dataId: object): void;
}

const identity: KernelFunc = ({ inputs, backend }) => {
  const x = inputs.x as TensorInfo;
  (backend as unknown as RefCountingBackend).incRef(x.dataId);
  return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
};

/** Wraps the shipped Identity: strings (not on the wasm heap) keep it. */
export function sharedIdentityConfig(shipped: KernelConfig): KernelConfig {
  return {
    ...shipped,
    kernelFunc: (args) => ((args.inputs.x as TensorInfo).dtype === 'string' ? shipped.kernelFunc(args) : identity(args)),
  };
}

/**
 * Cast to the tensor's own dtype without a copy: tfjs's Mul, Div and other gradients cast their
 * saved inputs to float32 (`cast(b, 'float32')`), which the wasm Cast copies (~390 copies per
 * ResNet step). A real conversion keeps the shipped kernel.
 */
export function sameDtypeCastConfig(shipped: KernelConfig): KernelConfig {
  return {
    ...shipped,
    kernelFunc: (args) => {
      const x = args.inputs.x as TensorInfo;
      return x.dtype !== 'string' && (args.attrs as { dtype?: string }).dtype === x.dtype ? identity(args) : shipped.kernelFunc(args);
    },
  };
}
