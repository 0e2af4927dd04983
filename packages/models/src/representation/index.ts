/** Representation evaluation of encoder GANs (BigBiGAN): the linear probe. */
export * from './linear_probe';
export * from './evaluate';
