/** Shape of the stylization (transformer) network; every field is an option of the task. */
export interface StyleNetConfig {
  /** Channels after the first conv and the two stride-2 convs (Johnson et al.: 32, 64, 128). */
  widths: [number, number, number];
  /** Residual blocks at the lowest resolution (Johnson et al.: 5). */
  residualBlocks: number;
  /** Hidden units of the conditioning MLP that predicts every CIN scale and shift. */
  conditioningHidden: number;
  /**
   * A linear path from the condition straight to every CIN scale and shift, besides the MLP's hidden
   * layer (core's ConditioningNetwork `linear`). Off by default: runs trained before it have no such
   * parameters and their checkpoints name no value, so they rebuild without it.
   */
  conditioningLinear: boolean;
  /**
   * How the conditioning MLP starts (absent: 'zeros', what every run before this option trained with):
   * - 'zeros': Glorot-uniform hidden layer, zero scale/shift heads, multiplier 1 (scale = 1 + a,
   *   shift = b): exactly the plain instance norm at start.
   * - 'reference': the google-research YOTO code's conditioning (core's REFERENCE_CONDITIONING; utils.mlp
   *   and ConditioningPostprocessing): hidden layer and heads normal with variance 2/fan-in, multiplier
   *   0.1 (scale = 1 + 0.1·a, shift = 0.1·b), so every CIN parameter depends on λ from the first step.
   * - 'heHidden': the reference's hidden layer only (variance 2/fan-in: about 3.7× the Glorot spread of
   *   the hidden units over the box for 5 weights), with the zero heads and multiplier 1 of 'zeros'.
   */
  conditioningInit?: StyleConditioningInit;
  /**
   * One hidden layer shared by every CIN head (absent: true, every run before this option), or one
   * hidden layer per scale and per shift of every layer, as the google-research YOTO reference's
   * conditioning MLPs are (core's ConditioningNetwork `sharedHidden`).
   */
  conditioningShared?: boolean;
  /** Negative slope of the conditioning MLP's leaky ReLU (absent: 0.01; the reference's is 0.2). */
  conditioningSlope?: number;
}

export const STYLE_CONDITIONING_INITS = ['zeros', 'reference', 'heHidden'] as const;
export type StyleConditioningInit = (typeof STYLE_CONDITIONING_INITS)[number];

/** The conditioning MLP's leaky-ReLU slope when none is set (core's ConditioningNetwork default). */
export const DEFAULT_CONDITIONING_SLOPE = 0.01;

/**
 * Defaults sized for the 2-core CPU budget of the default profile: half Johnson's widths and three
 * residual blocks (346,534 parameters with the conditioning MLP, 276,134 in a baseline, counted
 * 2026-12-07: README), enough capacity for one painting's texture.
 */
export const DEFAULT_STYLE_NET: Readonly<StyleNetConfig> = { widths: [16, 32, 64], residualBlocks: 3, conditioningHidden: 64, conditioningLinear: false };

export function validateStyleNetConfig(c: StyleNetConfig): StyleNetConfig {
  if (!Array.isArray(c.widths) || c.widths.length !== 3 || !c.widths.every((w) => Number.isInteger(w) && w >= 1))
    throw new Error(`style network: widths must be three integers ≥ 1, got ${JSON.stringify(c.widths)}`);
  if (!Number.isInteger(c.residualBlocks) || c.residualBlocks < 0) throw new Error(`style network: residualBlocks must be an integer ≥ 0, got ${c.residualBlocks}`);
  if (!Number.isInteger(c.conditioningHidden) || c.conditioningHidden < 1)
    throw new Error(`style network: conditioningHidden must be an integer ≥ 1, got ${c.conditioningHidden}`);
  const linear = c.conditioningLinear ?? false;
  if (typeof linear !== 'boolean') throw new Error(`style network: conditioningLinear must be true or false, got ${JSON.stringify(linear)}`);
  const init = c.conditioningInit ?? 'zeros';
  if (!STYLE_CONDITIONING_INITS.includes(init))
    throw new Error(`style network: conditioningInit must be ${STYLE_CONDITIONING_INITS.map((i) => `'${i}'`).join(', ')}, got ${JSON.stringify(init)}`);
  const shared = c.conditioningShared ?? true;
  if (typeof shared !== 'boolean') throw new Error(`style network: conditioningShared must be true or false, got ${JSON.stringify(shared)}`);
  const slope = c.conditioningSlope ?? DEFAULT_CONDITIONING_SLOPE;
  if (typeof slope !== 'number' || !(slope >= 0 && slope < 1)) throw new Error(`style network: conditioningSlope must be a number in [0, 1), got ${JSON.stringify(slope)}`);
  return {
    widths: [...c.widths],
    residualBlocks: c.residualBlocks,
    conditioningHidden: c.conditioningHidden,
    conditioningLinear: linear,
    conditioningInit: init,
    conditioningShared: shared,
    conditioningSlope: slope,
  };
}
