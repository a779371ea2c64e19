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
}

/**
 * Defaults sized for the 2-core CPU budget of the default profile: half Johnson's widths and three
 * residual blocks (about 0.2 M parameters), enough capacity for one painting's texture.
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
  return { widths: [...c.widths], residualBlocks: c.residualBlocks, conditioningHidden: c.conditioningHidden, conditioningLinear: linear };
}
