// No file IO here: the browser explorer builds models from checkpoint bytes with this module.
import { spaceFromJSON } from '../coefficients/defined-space.js';
import type { CoefficientSpace } from '../coefficients/space.js';
import type { Task, TaskModel } from '../task/task.js';
import { CheckpointError } from './errors.js';
import type { Checkpoint } from './format.js';
import { assignVariables, compareShapes } from './named-arrays.js';

export interface LoadedModel<M extends TaskModel = TaskModel> {
  model: M;
  /** The space the model was trained on, rebuilt from the checkpoint. */
  space: CoefficientSpace;
  conditioned: boolean;
  /** Completed training steps when the checkpoint was written. */
  step: number;
  /** 'yoto' or 'fixed'. */
  mode: string;
  /** A fixed-mode model's own λ (full vector, task-term order); null for yoto. */
  lambda: number[] | null;
  /** The trajectory config the checkpoint stores (JSON). */
  config: Record<string, unknown>;
}

export interface LoadModelOptions {
  /** The space to build the model for, when the stored one is not a built-in spec; it must serialise to the stored JSON. */
  space?: CoefficientSpace;
}

/** `loadModel` on a checkpoint already read and verified (errors name `path`). */
export function modelFromCheckpoint<M extends TaskModel>(task: Task<M>, ckpt: Checkpoint, path: string, options: LoadModelOptions = {}): LoadedModel<M> {
  const fail = (why: string): CheckpointError => new CheckpointError(path, 'CHECKPOINT_INCOMPATIBLE', why);
  if (ckpt.task !== task.name) throw fail(`was written by task '${ckpt.task}', not '${task.name}'`);
  const cfg = ckpt.config;
  const terms = cfg.terms as string[] | undefined;
  if (terms && (terms.length !== task.terms.length || terms.some((t, i) => t !== task.terms[i])))
    throw fail(`has terms [${terms.join(', ')}], task '${task.name}' has [${task.terms.join(', ')}]`);
  let space: CoefficientSpace;
  if (options.space) {
    if (JSON.stringify(options.space.toJSON()) !== JSON.stringify(ckpt.space)) throw fail(`the given space differs from the one stored (${JSON.stringify(ckpt.space)})`);
    space = options.space;
  } else {
    try {
      space = spaceFromJSON(ckpt.space);
    } catch (err) {
      throw fail(`its coefficient space cannot be rebuilt (${(err as Error).message}); pass options.space`);
    }
  }
  const seed = typeof cfg.seed === 'number' ? cfg.seed : 0;
  let model: M;
  try {
    model = task.buildModel({ space, conditioned: ckpt.conditioned, seed, ...(Array.isArray(cfg.lambda) ? { lambda: cfg.lambda as number[] } : {}) });
  } catch (err) {
    throw fail(`the model of task '${task.name}' cannot be rebuilt from it: ${(err as Error).message}`);
  }
  try {
    const entries = model.params.entries();
    const problems = compareShapes(entries.map(([n, v]) => [n, v.shape]), ckpt.params);
    if (problems.length) throw fail(`does not match the model of task '${task.name}': ${problems.join('; ')}`);
    assignVariables(entries, ckpt.params);
  } catch (err) {
    model.params.dispose();
    throw err;
  }
  return {
    model,
    space,
    conditioned: ckpt.conditioned,
    step: ckpt.step,
    mode: String(cfg.mode),
    lambda: Array.isArray(cfg.lambda) ? (cfg.lambda as number[]) : null,
    config: cfg,
  };
}
