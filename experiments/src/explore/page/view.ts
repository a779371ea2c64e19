import type { TaskModel } from '@yoto/core';

/** A baseline the user clicked: its own model at its own λ. */
export interface ChosenBaseline<M extends TaskModel = TaskModel> {
  model: M;
  lambda: number;
  label: string;
}

/** A task's outputs on the page (VAE panel, compressed image, …), redrawn at each λ. */
export interface ExplorerView<M extends TaskModel = TaskModel> {
  /** What the live values are measured on (a heading in the metrics table). */
  liveCaption: string;
  /** Draws the YOTO outputs at λ (and the baseline's, when one is chosen); returns the live values. */
  render(lambda: number, baseline: ChosenBaseline<M> | null): Promise<Record<string, number>>;
}
