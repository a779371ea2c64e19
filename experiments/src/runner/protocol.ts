/**
 * Messages between the runner (parent) and its worker processes over Node's IPC channel. One worker
 * process runs exactly one job and exits, so a crash, a leak or a wedged backend stays with that job.
 */
import type { TrainProgress } from '@yoto/core';

/**
 * What a job reports while running, forwarded to the parent's progress display: `train()`'s own
 * progress (an evaluation reports its points in the same shape, its metric in `loss`).
 */
export type Progress = TrainProgress;

export interface JobMessage {
  type: 'job';
  id: string;
  kind: string;
  payload: unknown;
}

/** Asks the worker to checkpoint and stop (Ctrl-C / SIGTERM reached the parent). */
export interface StopMessage {
  type: 'stop';
}

export type ParentMessage = JobMessage | StopMessage;

export interface ProgressMessage {
  type: 'progress';
  id: string;
  progress: Progress;
}

/** A status line for the display (e.g. "loading data", "evaluating β=2"). */
export interface StatusMessage {
  type: 'status';
  id: string;
  text: string;
}

export interface ResultMessage {
  type: 'result';
  id: string;
  result: unknown;
}

export interface ErrorMessage {
  type: 'error';
  id: string;
  message: string;
  stack?: string;
}

export type WorkerMessage = ProgressMessage | StatusMessage | ResultMessage | ErrorMessage;

export function isParentMessage(m: unknown): m is ParentMessage {
  const t = (m as { type?: unknown } | null)?.type;
  return t === 'job' || t === 'stop';
}

export function isWorkerMessage(m: unknown): m is WorkerMessage {
  const t = (m as { type?: unknown } | null)?.type;
  return t === 'progress' || t === 'status' || t === 'result' || t === 'error';
}
