/**
 * Architectures (`options.architecture`). Importing this module registers every architecture:
 * dcgan_arch, sndcgan_arch, resnet_cifar_arch, resnet5_arch, resnet_biggan_arch,
 * resnet5_biggan_arch, resnet_biggan_deep_arch, infogan_arch.
 * Build one with `buildArchitecture(name, options)`.
 */
export * from './abstract_arch';
export * from './base';
export * from './registry';
export * from './resnet_ops';
export * as dcgan from './dcgan';
export * as sndcgan from './sndcgan';
export * as infogan from './infogan';
export * as resnet_cifar from './resnet_cifar';
export * as resnet5 from './resnet5';
export * as resnet_biggan from './resnet_biggan';
export * as resnet5_biggan from './resnet5_biggan';
export * as resnet_biggan_deep from './resnet_biggan_deep';
export * from './encoder';
export * as cyclegan_nets from './cyclegan';
