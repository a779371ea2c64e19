import type { Architecture } from '../bitstream/format.js';
import type { FactorizedPrior } from './factorized-prior.js';
import { ScaleHyperprior } from './scale-hyperprior.js';

/** The models the codec and the compression task handle. */
export type CompressionModel = FactorizedPrior | ScaleHyperprior;

/** The architecture a model writes into the bitstream header (and the name users see). */
export function architectureOf(model: CompressionModel): Architecture {
  return model instanceof ScaleHyperprior ? 'hyperprior' : 'factorized';
}

/** Human names of the architectures, for messages. */
export const ARCHITECTURE_NAMES: Record<Architecture, string> = { factorized: 'factorized-prior', hyperprior: 'scale-hyperprior' };
