/**
 * What is wrong with a checkpoint, for callers that react differently (a CLI maps them to exit
 * codes): classify by `code` (or `instanceof CheckpointError`), never by the message.
 *   CHECKPOINT_UNREADABLE    the file is missing or cannot be read
 *   CHECKPOINT_DAMAGED       not a checkpoint, truncated, or its checksum does not match
 *   CHECKPOINT_INCOMPATIBLE  a sound file this build cannot use: another format version, another task
 *                            than the one asked for, a task that is not registered, or options or
 *                            weights that no longer fit the code
 */
export type CheckpointErrorCode = 'CHECKPOINT_UNREADABLE' | 'CHECKPOINT_DAMAGED' | 'CHECKPOINT_INCOMPATIBLE';

export class CheckpointError extends Error {
  override readonly name = 'CheckpointError';
  constructor(
    /** The checkpoint's path (or the label it was read under). */
    readonly path: string,
    readonly code: CheckpointErrorCode,
    why: string,
  ) {
    super(`checkpoint ${path}: ${why}`);
  }
}
