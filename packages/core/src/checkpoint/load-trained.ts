import type { TaskModel } from '../task/task.js';
import { readCheckpoint } from './file.js';
import { trainedFromCheckpoint, type LoadTrainedOptions, type TrainedModel } from './trained-from-checkpoint.js';

export { loadTrainedFromBytes, trainedFromCheckpoint, type LoadTrainedOptions, type TrainedModel } from './trained-from-checkpoint.js';

/**
 * A trained model from its checkpoint alone, as CompressAI's model zoo rebuilds a model from its
 * name: the file is read and verified once, the task is rebuilt by the registered builder of the
 * stored task name with the stored task options, and the model with the stored space, mode and
 * weights. Task packages register their builders on import (`registerTask`), so the caller imports
 * the task package first. Every error is a CheckpointError naming the file.
 */
export async function loadTrained<M extends TaskModel = TaskModel>(path: string, options: LoadTrainedOptions = {}): Promise<TrainedModel<M>> {
  return trainedFromCheckpoint<M>(await readCheckpoint(path), path, options);
}
