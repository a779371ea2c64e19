// Free of tfjs, and exported as `@yoto/tasks-compression/scopes`, so that an experiment definition can
// name these scopes without loading tfjs (`exp list` and `exp show-config` load every definition).

/**
 * Parameter scopes, for the trainer's per-scope learning-rate factors (TrainConfig.learningRateScales):
 * the entropy model's density, and the λ-conditioning (FiLM network and quantization steps).
 */
export const ENTROPY_SCOPE = 'entropy_bottleneck/';
export const CONDITIONING_SCOPE = 'conditioning/';
/**
 * A fixed-λ baseline's own quantization step (config quantizationStep 'lambda'): the YOTO model's
 * steps live under CONDITIONING_SCOPE, and an experiment gives both the same learning-rate factor.
 */
export const STEP_SCOPE = 'quantization/';
