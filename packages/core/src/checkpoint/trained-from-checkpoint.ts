import type { Task, TaskModel } from '../task/task.js';
import { createTask, listTasks } from '../task/registry.js';
import { CheckpointError } from './errors.js';
import { decodeCheckpoint, type Checkpoint } from './format.js';
import { modelFromCheckpoint, type LoadedModel } from './model-from-checkpoint.js';

// No file IO here: `loadTrained(path)` reads the file, the browser explorer fetches the bytes, and
// both rebuild the model through `trainedFromCheckpoint`.

export interface TrainedModel<M extends TaskModel = TaskModel> extends LoadedModel<M> {
  /** The task, rebuilt from the name and options the checkpoint stores. */
  task: Task<M>;
  /** The options the task was created with (from the checkpoint). */
  taskOptions: Record<string, unknown>;
  path: string;
}

export interface LoadTrainedOptions {
  /** Refuse a checkpoint of any other task (e.g. the codec needs 'bls-factorized'). */
  task?: string;
}

/** `loadTrained` on checkpoint bytes (fetched by a browser page, say); errors name `label`. */
export function loadTrainedFromBytes<M extends TaskModel = TaskModel>(bytes: Uint8Array, label: string, options: LoadTrainedOptions = {}): TrainedModel<M> {
  return trainedFromCheckpoint<M>(decodeCheckpoint(bytes, label), label, options);
}

/** `loadTrained` on a checkpoint already read and verified; errors name `path`. */
export function trainedFromCheckpoint<M extends TaskModel = TaskModel>(ckpt: Checkpoint, path: string, options: LoadTrainedOptions = {}): TrainedModel<M> {
  const fail = (why: string): CheckpointError => new CheckpointError(path, 'CHECKPOINT_INCOMPATIBLE', why);
  if (options.task !== undefined && ckpt.task !== options.task) throw fail(`was written by task '${ckpt.task}'; a '${options.task}' model is needed here`);
  if (!listTasks().includes(ckpt.task)) {
    const known = listTasks();
    throw fail(
      `was written by task '${ckpt.task}', which is not registered (registered: ${known.length ? known.map((n) => `'${n}'`).join(', ') : 'none'}); is the @yoto/tasks-… package that defines it imported?`,
    );
  }
  const taskOptions = (ckpt.config.taskOptions ?? {}) as Record<string, unknown>;
  let task: Task<M>;
  try {
    task = createTask(ckpt.task, taskOptions) as unknown as Task<M>;
  } catch (err) {
    throw fail(`task '${ckpt.task}' cannot be rebuilt from the options it stores: ${(err as Error).message}`);
  }
  return { ...modelFromCheckpoint(task, ckpt, path), task, taskOptions, path };
}
