import { type ConditionedLayerSpec, type ConditioningInitializers, ConditioningNetwork, type Params, REFERENCE_CONDITIONING } from '@yoto/core';
import type { ConditioningInit, FactorizedPriorConfig } from './config.js';
import { CONDITIONING_SCOPE } from './scopes.js';

/**
 * core ConditioningNetwork initialisers of each config `conditioningInit`: the default 'glorot', and
 * over it the reference's hidden layer ('heHidden') or its hidden layer and heads ('reference'). The
 * multiplier is the config's own option (filmMultiplier; its default is the reference's 0.1).
 */
const GLOROT: ConditioningInitializers = { hiddenInit: 'glorot', headInit: 'glorot' };
const INITS: Readonly<Record<ConditioningInit, ConditioningInitializers>> = {
  glorot: GLOROT,
  heHidden: { ...GLOROT, hiddenInit: REFERENCE_CONDITIONING.hiddenInit },
  reference: { hiddenInit: REFERENCE_CONDITIONING.hiddenInit, headInit: REFERENCE_CONDITIONING.headInit },
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
