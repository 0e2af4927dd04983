/**
 * Feature extractor selection by bindings:
 *   metrics.feature_extractor.extractor = @metrics.domain_classifier   (default)
 *   metrics.feature_extractor.extractor = @metrics.tfjs_model
 *   metrics.tfjs_model.model_dir = '/models/inception_v3_tfjs'
 */
import { configurable, t } from '@cgan/config-lang';
import { domainClassifier } from './domain_classifier';
import { FeatureExtractor } from './types';

export * from './types';
export * from './fs_io';
export * from './domain_classifier';
export * from './tfjs_model';

type ExtractorFactory = (kw: { runDataset?: string }) => Promise<FeatureExtractor>;

export const featureExtractor = configurable('feature_extractor', {
  module: 'metrics',
  params: { extractor: { default: null, type: t.optional(t.fn), doc: 'None: @metrics.domain_classifier' } },
  doc: 'Which feature extractor the evaluation uses.',
}, (kw: { extractor: ExtractorFactory | null; runDataset?: string }): Promise<FeatureExtractor> => {
  const factory = kw.extractor ?? (domainClassifier as unknown as ExtractorFactory);
  return factory({ runDataset: kw.runDataset });
}) as unknown as (kw: { extractor?: ExtractorFactory | null; runDataset?: string }) => Promise<FeatureExtractor>;

/** The configured extractor for a run on `runDataset` (see featureExtractor). */
export function loadFeatureExtractor(runDataset?: string): Promise<FeatureExtractor> {
  return featureExtractor({ runDataset });
}
