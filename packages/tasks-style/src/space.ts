import type { Distribution, SpaceSpec } from '@yoto/core';

/** How the five weights reach the conditioning MLP (core's encodings that allow a weight of 0). */
export const STYLE_ENCODINGS = ['linear', 'linearRange'] as const;
export type StyleEncoding = (typeof STYLE_ENCODINGS)[number];

/** The five loss terms, in λ order: content, then the style layers from shallow to deep. */
export const STYLE_TERMS = ['content', 'style1', 'style2', 'style3', 'style4'] as const;
export type StyleTerm = (typeof STYLE_TERMS)[number];
export const STYLE_LAYER_TERMS = STYLE_TERMS.slice(1) as readonly StyleTerm[];

export interface StyleSpaceOptions {
  /** Range of the content weight (default [0.1, 1]: some content is always kept). */
  content?: [number, number];
  /** Range of each style weight (default [0, 1]). */
  style?: [number, number];
  /**
   * Share of examples whose style vector is one-hot (one layer at the top of the style range, the
   * others 0; default 0.25), so that single-layer styles, a corner of the box that uniform draws
   * almost never reach, are learned too.
   */
  oneHotShare?: number;
  /**
   * 'linearRange' (default): each weight mapped linearly onto [−1, 1] over its range, so the MLP sees
   * inputs centred on the training box; 'linear': the weights as they are (all ≥ 0), the encoding of
   * runs before the centred one became the default (their stored spaces keep it).
   */
  encoding?: StyleEncoding;
  /**
   * How the content weight is drawn: 'uniform' (default) on its range, or 'logUniform', as the
   * google-research YOTO reference draws its coefficients: equal mass per octave, so the small content
   * weights of the style-heavy end (content 0.1–0.325 is a quarter of a uniform draw, half of a
   * log-uniform one) are trained as often as the rest. With the centred encoding the content weight
   * then reaches the MLP as log λ mapped onto [−1, 1] (core's 'range', centred for log-uniform draws).
   */
  contentSampling?: StyleContentSampling;
}

export const STYLE_CONTENT_SAMPLINGS = ['uniform', 'logUniform'] as const;
export type StyleContentSampling = (typeof STYLE_CONTENT_SAMPLINGS)[number];

/** A named evaluation setting: a full λ vector. */
export interface StyleSetting {
  name: string;
  lambda: Record<StyleTerm, number>;
}

/**
 * The named settings: balanced, content-heavy, style-heavy, and each style layer alone (content at
 * the middle of its range). All lie inside the default training distribution's support.
 */
export function styleSettings(o: StyleSpaceOptions = {}): StyleSetting[] {
  const [cLo, cHi] = o.content ?? [0.1, 1];
  const [sLo, sHi] = o.style ?? [0, 1];
  const cMid = roundWeight((cLo + cHi) / 2);
  const sMid = roundWeight((sLo + sHi) / 2);
  const styles = (v: number): Record<string, number> => Object.fromEntries(STYLE_LAYER_TERMS.map((t) => [t, v]));
  const at = (content: number, s: Record<string, number>): Record<StyleTerm, number> => ({ content, ...s }) as Record<StyleTerm, number>;
  return [
    { name: 'balanced', lambda: at(cMid, styles(sMid)) },
    { name: 'content-heavy', lambda: at(cHi, styles(roundWeight(sLo + (sHi - sLo) / 4))) },
    { name: 'style-heavy', lambda: at(roundWeight(cLo + (cHi - cLo) / 4), styles(sHi)) },
    ...STYLE_LAYER_TERMS.map((t) => ({ name: `${t}-only`, lambda: at(cMid, { ...styles(sLo), [t]: sHi }) })),
  ];
}

/** One line naming the option, the values it takes and the value it got. */
function checkChoice(option: string, allowed: readonly string[], value: unknown): void {
  if (!allowed.includes(value as string)) throw new Error(`style space: ${option} must be ${allowed.map((e) => `'${e}'`).join(' or ')}, got '${String(value)}'`);
}

/** The coefficient space of the task: a uniform box plus a share of one-hot style vectors, centred encoding by default. */
export function styleSpaceSpec(o: StyleSpaceOptions = {}): SpaceSpec {
  const [cLo, cHi] = o.content ?? [0.1, 1];
  const [sLo, sHi] = o.style ?? [0, 1];
  const share = o.oneHotShare ?? 0.25;
  if (!(cLo >= 0 && cLo < cHi)) throw new Error(`style space: the content range needs 0 ≤ low < high, got [${cLo}, ${cHi}]`);
  if (!(sLo >= 0 && sLo < sHi)) throw new Error(`style space: the style range needs 0 ≤ low < high, got [${sLo}, ${sHi}]`);
  if (!(share >= 0 && share <= 1)) throw new Error(`style space: oneHotShare must be in [0, 1], got ${share}`);
  const encoding = o.encoding ?? 'linearRange';
  checkChoice('encoding', STYLE_ENCODINGS, encoding);
  const sampling = o.contentSampling ?? 'uniform';
  checkChoice('contentSampling', STYLE_CONTENT_SAMPLINGS, sampling);
  if (sampling === 'logUniform' && !(cLo > 0)) throw new Error(`style space: a log-uniform content weight needs a content range above 0, got [${cLo}, ${cHi}]`);
  const content: Distribution = { kind: sampling, term: 'content', low: cLo, high: cHi };
  const box: Distribution = { kind: 'product', parts: [content, ...STYLE_LAYER_TERMS.map((t): Distribution => ({ kind: 'uniform', term: t, low: sLo, high: sHi }))] };
  const oneHot: Distribution = { kind: 'product', parts: [content, { kind: 'oneHot', terms: [...STYLE_LAYER_TERMS], value: sHi }] };
  const distribution: Distribution =
    share === 0 ? box : share === 1 ? oneHot : { kind: 'mixture', components: [{ weight: 1 - share, distribution: box }, { weight: share, distribution: oneHot }] };
  return {
    terms: [...STYLE_TERMS],
    distribution,
    // Style weights can be 0, so λ is fed linearly (log would be −∞), centred on the box by default.
    encoding: sampling === 'logUniform' && encoding === 'linearRange' ? { ...Object.fromEntries(STYLE_LAYER_TERMS.map((t) => [t, encoding])), content: 'range' } : encoding,
    grid: { kind: 'points', points: styleSettings(o).map((s) => ({ ...s.lambda })) },
  };
}

/**
 * A weight as the space's points carry it: 6 significant digits, so that points computed from a
 * range compare and print as written (0.55, not 0.5500000000000001).
 */
export function roundWeight(v: number): number {
  return Number(v.toPrecision(6));
}

/** `count` (≥ 2) evenly spaced weights from `low` to `high`, both included, rounded as `roundWeight`. */
export function evenWeights(low: number, high: number, count: number): number[] {
  return Array.from({ length: count }, (_, k) => roundWeight(low + ((high - low) * k) / (count - 1)));
}
