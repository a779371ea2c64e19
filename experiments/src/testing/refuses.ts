import { expect } from 'vitest';
import { resolveExperiment } from '../experiments/registry.js';

/** `bad(sets, message)`: resolving `experiment`'s smoke profile with these `--set`s is refused with `message`. */
export function refusesSets(experiment: string): (sets: string[], message: string) => void {
  return (sets, message) => expect(() => resolveExperiment(experiment, 'smoke', sets)).toThrow(message);
}
