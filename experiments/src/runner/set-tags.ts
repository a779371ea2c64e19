import type { RunRecord } from '@yoto/tracker';

/** Tag prefix recording each `--set key=value` a run was trained with. */
export const SET_TAG = 'set:';

/**
 * The distinct `--set` combinations the runs were trained with, each as the flags to type
 * (`--set a=1 --set b=2`; '' for none), most frequent first.
 */
export function recordedSets(runs: readonly RunRecord[]): string[] {
  const counts = new Map<string, number>();
  for (const r of runs) {
    const flags = r.tags
      .filter((t) => t.startsWith(SET_TAG))
      .map((t) => `--set ${t.slice(SET_TAG.length)}`)
      .join(' ');
    counts.set(flags, (counts.get(flags) ?? 0) + 1);
  }
  return [...counts.entries()].sort((a, b) => b[1] - a[1]).map(([flags]) => flags);
}
