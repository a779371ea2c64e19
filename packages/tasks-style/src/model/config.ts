/** Shape of the stylization (transformer) network; every field is an option of the task. */
export interface StyleNetConfig {
  /** Channels after the first conv and the two stride-2 convs (Johnson et al.: 32, 64, 128). */
  widths: [number, number, number];
  /** Residual blocks at the lowest resolution (Johnson et al.: 5). */
  residualBlocks: number;
  /** Hidden units of the conditioning MLP that predicts every CIN scale and shift. */
  conditioningHidden: number;
}

/**
 * Defaults sized for the 2-core CPU budget of the default profile: half Johnson's widths and three
 * residual blocks (about 0.2 M parameters), enough capacity for one painting's texture.
 */
export const DEFAULT_STYLE_NET: Readonly<StyleNetConfig> = { widths: [16, 32, 64], residualBlocks: 3, conditioningHidden: 64 };

export function validateStyleNetConfig(c: StyleNetConfig): StyleNetConfig {
  if (!Array.isArray(c.widths) || c.widths.length !== 3 || !c.widths.every((w) => Number.isInteger(w) && w >= 1))
    throw new Error(`style network: widths must be three integers ≥ 1, got ${JSON.stringify(c.widths)}`);
  if (!Number.isInteger(c.residualBlocks) || c.residualBlocks < 0) throw new Error(`style network: residualBlocks must be an integer ≥ 0, got ${c.residualBlocks}`);
  if (!Number.isInteger(c.conditioningHidden) || c.conditioningHidden < 1)
    throw new Error(`style network: conditioningHidden must be an integer ≥ 1, got ${c.conditioningHidden}`);
  return { widths: [...c.widths], residualBlocks: c.residualBlocks, conditioningHidden: c.conditioningHidden };
}
