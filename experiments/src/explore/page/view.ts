import type { TaskModel } from '@yoto/core';

/** Where the sliders are: the report's λ term, and every term of the model's space (in its order). */
export interface LambdaAt {
  lambda: number;
  vector: readonly number[];
}

/** A baseline the user clicked: its own model at its own λ (the report's term, and every term). */
export interface ChosenBaseline<M extends TaskModel = TaskModel> extends LambdaAt {
  model: M;
  label: string;
}

/** What one redraw produced: the live values known with the pictures, and slower ones to measure after. */
export interface Drawn {
  live: Record<string, number>;
  /**
   * Measurements of what was just drawn that are too slow for the slider's critical path (MS-SSIM,
   * the VAE's loss terms): the page runs this once the pictures are on screen, and skips it when a
   * newer λ is already waiting. It draws its own captions and returns the values to add to `live`.
   */
  measure?: () => Promise<Record<string, number>>;
}

/** A task's outputs on the page (VAE panel, compressed image, …), redrawn at each λ. */
export interface ExplorerView<M extends TaskModel = TaskModel> {
  /** What the live values are measured on (a heading in the metrics table). */
  liveCaption: string;
  /** Draws the YOTO outputs at λ (and the baseline's, when one is chosen). */
  render(at: LambdaAt, baseline: ChosenBaseline<M> | null): Promise<Drawn>;
}
