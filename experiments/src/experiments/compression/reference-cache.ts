// What the report needs to know about the classical codecs' sweep without loading tfjs or sharp:
// the cache file's name and layout, and the settings a plan asks for.
import { existsSync, readFileSync } from 'node:fs';
import type { ExperimentPlan } from '../types.js';

export type ReferenceCodec = 'jpeg' | 'webp' | 'avif';

/** Legend names, saying how each codec is called (see CODEC_OPTIONS in reference-codecs.ts). */
export const CODEC_LABELS: Record<ReferenceCodec, string> = {
  jpeg: 'JPEG (mozjpeg)',
  webp: 'WebP',
  avif: 'AVIF',
};

/** The sweep's cache, kept beside the report. */
export const REFERENCE_CACHE = 'reference-codecs.json';

export interface ReferencePoint {
  codec: ReferenceCodec;
  quality: number;
  /** Means over the images, as the learned codec's evaluation reports them. */
  bpp: number;
  psnr: number;
  ms_ssim: number;
  ms_ssim_db: number;
  images: number;
}

/** What a cached sweep was computed for; a report reuses the cache only when these match. */
export interface ReferenceSettings {
  codecs: ReferenceCodec[];
  qualities: number[];
  /** The task's evaluation limit (0 = all) and centre crop (0 = none). */
  limit: number;
  evalCrop: number;
}

export interface ReferenceCache {
  settings: ReferenceSettings;
  /** sharp and codec library versions: a different mozjpeg is a different reference. */
  versions: Record<string, string>;
  /** SHA-256 over the evaluation images' sizes and pixels. */
  images: string;
  points: ReferencePoint[];
}

/** The options the plan's pictures hook gets (see compression-rd-sweep.ts). */
export interface CompressionPictureOptions {
  gallery: { image: string; x: number; y: number; size: number; columns: number; lambdas: number[] };
  reference: { codecs: ReferenceCodec[]; qualities: number[] };
}

export function referenceSettings(plan: ExperimentPlan): ReferenceSettings {
  const o = plan.pictures as unknown as CompressionPictureOptions;
  return {
    codecs: [...o.reference.codecs],
    qualities: [...o.reference.qualities],
    limit: plan.evaluation.limit,
    evalCrop: (plan.task.options.evalCrop as number | undefined) ?? 0,
  };
}

/** The cache at `file` when it was computed for `settings` (pixels are not re-checked here). */
export function readReferenceCache(file: string, settings: ReferenceSettings): ReferenceCache | null {
  if (!existsSync(file)) return null;
  try {
    const cache = JSON.parse(readFileSync(file, 'utf8')) as ReferenceCache;
    return JSON.stringify(cache.settings) === JSON.stringify(settings) && Array.isArray(cache.points) ? cache : null;
  } catch {
    return null;
  }
}
