/** Evaluation metrics: FID, IS, KID, PRD, MS-SSIM, accuracy; feature extractors; .npy IO. */
export * from './linalg';
export * from './features';
export * from './moments';
export * from './fid';
export * from './kid';
export * from './inception_score';
export * from './kmeans';
export * from './prd';
export * from './ms_ssim';
export * from './npy';
export * from './extractors';
export * from './evaluate';
