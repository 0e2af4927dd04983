/**
 * What `gan train` needs of a config beyond the language (shared by train, its dry run and
 * `gan config check`, so that both give the same message for the same mistake): the checks of
 * ./run_config_problems, then the run builds: options (required parameters, architecture names), the dataset (or
 *   `fake` data of its shape when its files are missing), the GAN class and its networks.
 */
import { asConfigProblem } from '../errors';
import { buildRun, BuiltRun, disposeRun, Logger, RunSpec } from './container';

/**
 * Builds the run as a dry run does (fake data when the dataset is missing) and its networks at
 * a small batch (variable shapes do not depend on it: batch 2, then options.batch_size for
 * variants whose heads need more, which also gives the error at the size train would use). The
 * caller disposes the result.
 */
export async function buildForCheck(spec: Omit<RunSpec, 'fakeDataFallback' | 'buildBatchSize'>, logger: Logger, quiet: Logger): Promise<BuiltRun> {
  const attempts = [2, undefined];
  for (let i = 0; ; i++) {
    const built = await buildRun({ ...spec, fakeDataFallback: true, buildBatchSize: attempts[i] }, i === 0 ? logger : quiet);
    try {
      await asConfigProblem('Could not build the networks', () => built.gan.build());
      return built;
    } catch (e) {
      disposeRun(built);
      if (i === attempts.length - 1) throw e;
    }
  }
}
