import type { TaskModel } from '@yoto/core';

/** A baseline the user clicked: its own model at its own λ. */
export interface ChosenBaseline<M extends TaskModel = TaskModel> {
  model: M;
  lambda: number;
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
  render(lambda: number, baseline: ChosenBaseline<M> | null): Promise<Drawn>;
}
