import { resolveExperiment } from '../experiments/registry.js';
import type { PicturesPayload, PicturesResult } from './jobs.js';
import type { JobContext } from './worker-host.js';

/** Runs the experiment's pictures hook (reconstructions, samples) with the backend ready. */
export async function picturesJob(p: PicturesPayload, ctx: JobContext): Promise<PicturesResult> {
  const resolved = resolveExperiment(p.experiment, p.profile, p.sets);
  if (!resolved.definition.pictures) return { images: [] };
  const { initBackend } = await import('@yoto/core');
  const backend = await initBackend(p.backend);
  const images = await resolved.definition.pictures({ plan: resolved.plan, models: p.models, outDir: p.outDir, backend: backend.name });
  return { images };
}
