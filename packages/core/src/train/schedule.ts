/** Learning-rate schedules. All are pure functions of the step, so a resumed run uses the same rates. */
export type LrSchedule = (
  | { kind: 'constant' }
  /** Cosine decay from the base rate to `minLr` (default 0) over the steps after warm-up. */
  | { kind: 'cosine'; minLr?: number }
  /** Multiply the rate by `gamma` every `every` steps after warm-up. */
  | { kind: 'step'; every: number; gamma: number }
) & {
  /** Linear warm-up from lr/warmupSteps to lr over the first `warmupSteps` steps (default 0). */
  warmupSteps?: number;
};

/** Checks a schedule against the run length; errors name the field. */
export function validateSchedule(s: LrSchedule, baseLr: number): void {
  const warm = s.warmupSteps ?? 0;
  if (!Number.isInteger(warm) || warm < 0) throw new Error(`schedule.warmupSteps must be an integer ≥ 0, got ${warm}`);
  switch (s.kind) {
    case 'constant':
      return;
    case 'cosine': {
      const min = s.minLr ?? 0;
      if (!Number.isFinite(min) || min < 0 || min > baseLr) throw new Error(`schedule.minLr must be in [0, lr = ${baseLr}], got ${min}`);
      return;
    }
    case 'step':
      if (!Number.isInteger(s.every) || s.every < 1) throw new Error(`schedule.every must be an integer ≥ 1, got ${s.every}`);
      if (!Number.isFinite(s.gamma) || s.gamma <= 0 || s.gamma > 1) throw new Error(`schedule.gamma must be in (0, 1], got ${s.gamma}`);
      return;
    default:
      throw new Error(`schedule.kind must be 'constant', 'cosine' or 'step', got ${JSON.stringify((s as { kind?: unknown }).kind)}`);
  }
}

/** The learning rate of 0-based step `step` of a run of `totalSteps` steps. */
export function learningRateAt(step: number, baseLr: number, s: LrSchedule, totalSteps: number): number {
  const warm = s.warmupSteps ?? 0;
  if (step < warm) return (baseLr * (step + 1)) / warm;
  const t = step - warm;
  switch (s.kind) {
    case 'constant':
      return baseLr;
    case 'cosine': {
      const min = s.minLr ?? 0;
      const span = Math.max(1, totalSteps - warm - 1);
      return min + ((baseLr - min) * (1 + Math.cos((Math.PI * Math.min(t, span)) / span))) / 2;
    }
    case 'step':
      return baseLr * Math.pow(s.gamma, Math.floor(t / s.every));
  }
}
