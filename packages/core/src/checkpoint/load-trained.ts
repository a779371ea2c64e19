import type { Task, TaskModel } from '../task/task.js';
import { createTask, listTasks } from '../task/registry.js';
import { CheckpointError } from './errors.js';
import { readCheckpoint } from './file.js';
import { modelFromCheckpoint, type LoadedModel } from './load-model.js';

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

/**
 * A trained model from its checkpoint alone, as CompressAI's model zoo rebuilds a model from its
 * name: the file is read and verified once, the task is rebuilt by the registered builder of the
 * stored task name with the stored task options, and the model with the stored space, mode and
 * weights. Task packages register their builders on import (`registerTask`), so the caller imports
 * the task package first. Every error is a CheckpointError naming the file.
 */
export async function loadTrained<M extends TaskModel = TaskModel>(path: string, options: LoadTrainedOptions = {}): Promise<TrainedModel<M>> {
  const ckpt = await readCheckpoint(path);
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
