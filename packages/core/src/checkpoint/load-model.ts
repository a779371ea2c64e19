import type { Task, TaskModel } from '../task/task.js';
import { readCheckpoint } from './file.js';
import { modelFromCheckpoint, type LoadedModel, type LoadModelOptions } from './model-from-checkpoint.js';

export { modelFromCheckpoint, type LoadedModel, type LoadModelOptions } from './model-from-checkpoint.js';

/**
 * Builds `task`'s model as the checkpoint describes it and loads its weights, for evaluation. Most
 * callers want `loadTrained(path)`, which also rebuilds the task from the checkpoint.
 */
export async function loadModel<M extends TaskModel>(task: Task<M>, path: string, options: LoadModelOptions = {}): Promise<LoadedModel<M>> {
  return modelFromCheckpoint(task, await readCheckpoint(path), path, options);
}

