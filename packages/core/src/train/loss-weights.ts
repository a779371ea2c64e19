/**
 * Per-example loss weights divided by their geometric mean over the terms (google-research yoto's
 * `normalize_loss_weights`): λ = (λ_1 … λ_k) weighs the terms by λ_i / (λ_1 ⋯ λ_k)^(1/k). The weighted
 * sum is the example's loss divided by a positive factor of its own λ, so every example keeps its
 * minimiser; what changes is how much each λ counts in a batch. Where one term's weight spans a wide
 * range (compression: λ·255²·MSE + bpp over λ ∈ [0.0018, 0.18], a loss 22× larger at the top), the raw
 * sum's gradient is dominated by the largest λ; the normalised one weighs the range more evenly.
 *
 * `rows` holds `n` rows of `terms` values (the sampler's layout); returns new rows. A row whose
 * geometric mean is 0 (a term drawn at 0) has no normalised weights: refused, naming the row.
 */
export function geometricMeanNormalized(rows: ArrayLike<number>, terms: number): Float32Array {
  const out = new Float32Array(rows.length);
  for (let r = 0; r * terms < rows.length; r++) {
    let logSum = 0;
    for (let i = 0; i < terms; i++) logSum += Math.log(rows[r * terms + i]);
    const gm = Math.exp(logSum / terms);
    if (!(gm > 0 && Number.isFinite(gm)))
      throw new Error(
        `train: normalizeLossWeights needs every λ > 0 and finite; example ${r} has λ = [${Array.from({ length: terms }, (_, i) => rows[r * terms + i]).join(', ')}] (geometric mean ${gm})`,
      );
    for (let i = 0; i < terms; i++) out[r * terms + i] = rows[r * terms + i] / gm;
  }
  return out;
}
