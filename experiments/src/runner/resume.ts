import type { RunIdentity } from './identity.js';

/** What the runner knows about a run already in the tracker. */
export interface ExistingRun {
  id: number;
  name: string;
  status: 'running' | 'finished' | 'failed' | 'killed' | 'crashed';
  /** Whether its checkpoint folder holds a checkpoint. */
  hasCheckpoint: boolean;
  /** Whether the process that owns a `running` run is alive (same host, pid exists). */
  ownerAlive: boolean;
  /** The error it ended with (a failed run's says at which step and in which term it stopped). */
  error: string | null;
}

export interface DecideOptions {
  /** Train failed runs again (from their last checkpoint) instead of reporting them. */
  retryFailed?: boolean;
}

export type Decision =
  /** No such run yet: create it and train from step 0. */
  | { action: 'new'; identity: RunIdentity }
  /** Finished with its checkpoint on disk: no training, evaluate it as is. */
  | { action: 'reuse'; identity: RunIdentity; run: ExistingRun }
  /** Killed or crashed (or failed, when retrying): continue from its last checkpoint (or step 0). */
  | { action: 'resume'; identity: RunIdentity; run: ExistingRun }
  /** Failed earlier: reported, not retrained, since a run that diverged would diverge again. */
  | { action: 'failed'; identity: RunIdentity; run: ExistingRun }
  /** Another live process is training it right now. */
  | { action: 'busy'; identity: RunIdentity; run: ExistingRun };

/**
 * Decides, for every run of the plan, whether to create, reuse or resume it. Runs are matched by
 * name, which encodes profile and config hash (see identify), so a run is reused only when it was
 * trained with exactly this config. A finished run whose checkpoint is gone must be retrained: it is
 * resumed from step 0 under its old id. A failed run stays failed unless `retryFailed`: training is
 * deterministic, so resuming a run that stopped on a NaN would only stop on the same NaN again, and
 * one that diverged stops at the same step again (its checkpoint carries the trainer's divergence
 * guard, so the retry is judged as the uninterrupted run was).
 */
export function decide(identities: readonly RunIdentity[], existing: readonly ExistingRun[], options: DecideOptions = {}): Decision[] {
  const byName = new Map(existing.map((r) => [r.name, r]));
  return identities.map((identity): Decision => {
    const run = byName.get(identity.name);
    if (!run) return { action: 'new', identity };
    if (run.status === 'finished' && run.hasCheckpoint) return { action: 'reuse', identity, run };
    if (run.status === 'running' && run.ownerAlive) return { action: 'busy', identity, run };
    if (run.status === 'failed' && !options.retryFailed) return { action: 'failed', identity, run };
    return { action: 'resume', identity, run };
  });
}

/** Longest first, so the slowest job never starts last and leaves the other workers idle. */
export function scheduleOrder<T extends { identity: RunIdentity }>(items: readonly T[]): T[] {
  return [...items].sort((a, b) => b.identity.spec.training.steps - a.identity.spec.training.steps);
}
