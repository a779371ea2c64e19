import { type ConditionedLayerSpec, ConditioningNetwork, type Params } from '@yoto/core';
import type { ConditioningInit, FactorizedPriorConfig } from './config.js';
import { CONDITIONING_SCOPE } from './scopes.js';

/** core ConditioningNetwork initialisers of each config `conditioningInit`. */
const INITS: Readonly<Record<ConditioningInit, { hiddenInit: 'glorot' | 'he'; headInit: 'glorot' | 'he' }>> = {
  glorot: { hiddenInit: 'glorot', headInit: 'glorot' },
  heHidden: { hiddenInit: 'he', headInit: 'glorot' },
  reference: { hiddenInit: 'he', headInit: 'he' },
};

/**
 * The λ-conditioning (FiLM) network of a conditioned compression model, shaped by its config (width,
 * multiplier, initialisation), over `layers`. Its variables live under CONDITIONING_SCOPE, which the
 * experiments train at their own learning-rate factor.
 */
export function conditioningNetwork(p: Params, config: FactorizedPriorConfig, inputDim: number, layers: ConditionedLayerSpec[]): ConditioningNetwork {
  return new ConditioningNetwork(p, {
    name: CONDITIONING_SCOPE.slice(0, -1),
    inputDim,
    layers,
    hidden: config.conditioningHidden,
    multiplier: config.filmMultiplier,
    ...INITS[config.conditioningInit ?? 'glorot'],
  });
}
