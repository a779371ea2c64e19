import { type ConditioningInitializers, REFERENCE_CONDITIONING } from '@yoto/core';
import type { StyleConditioningInit } from './config.js';

type StyleConditioningStart = ConditioningInitializers & { multiplier: number };
/** The default 'zeros': the plain instance norm at start. */
const ZEROS: StyleConditioningStart = { hiddenInit: 'glorot', headInit: 'zeros', multiplier: 1 };
/**
 * core ConditioningNetwork options of each `conditioningInit`: the default 'zeros', the reference's
 * ('reference'), and 'zeros' with the reference's hidden layer ('heHidden', as compression's option of
 * that name is its default with the reference's hidden layer). Not in config.ts, which the experiments'
 * parent process reads without loading tfjs (core does).
 */
export const CONDITIONING_INIT_OPTIONS: Readonly<Record<StyleConditioningInit, StyleConditioningStart>> = {
  zeros: ZEROS,
  reference: REFERENCE_CONDITIONING,
  heHidden: { ...ZEROS, hiddenInit: REFERENCE_CONDITIONING.hiddenInit },
};
