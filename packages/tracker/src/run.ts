import { TrackerError, errorMessage } from './errors.js';
import { registerOpenRun, unregisterOpenRun, type Terminable } from './lifecycle.js';
import { describe } from './util/values.js';
import { StepBuffer, type EndState, type Writer } from './writer.js';
import type { ArtifactRecord, RunKind, RunRecord, RunStatus } from './types.js';

/** What a run handle needs from its store besides the step writer. */
export interface RunOwner {
  readonly path: string;
  readonly writer: Writer;
  logParams(runId: number, params: Record<string, unknown>): void;
  logEvaluation(runId: number, lambda: Record<string, number>, values: Record<string, number>): void;
  addTags(runId: number, tags: string[]): void;
  logArtifact(spec: { runId: number; path: string; kind: string; meta?: unknown }): ArtifactRecord;
  releaseRun(handle: RunHandle): void;
}

export interface RunHandleOptions {
  /** Rows buffered before a transaction is written (default 5,000). */
  batchSize: number;
  /** Longest time rows wait in memory; also the heartbeat period (default 1 s). */
  flushIntervalMs: number;
}

/** `path#id` of every run open in this process, so a sweep never calls our own runs crashed. */
const openHere = new Set<string>();

export function isRunOpenHere(path: string, runId: number): boolean {
  return openHere.has(`${path}#${runId}`);
}

/**
 * One training run as it happens. Implements core's `MetricSink` (structurally: the tracker does
 * not import core). Step metrics are buffered and written in batches; params, tags, evaluations and
 * artifacts are written at once. After finish()/fail(), step metrics are refused, but evaluations,
 * artifacts, params and tags can still be added (evaluation usually follows training).
 */
export class RunHandle implements Terminable {
  readonly id: number;
  readonly experimentId: number;
  readonly name: string;
  readonly kind: RunKind;
  private readonly buf = new StepBuffer();
  private ended: RunStatus | null = null;
  private readonly segmentStart = Date.now();
  private readonly elapsedBefore: number;
  private lastStep: number | null;
  private lastFlush = Date.now();
  private deferred: unknown = null;
  /** The heartbeat this handle last wrote: while the row still shows it, the run is ours. */
  private lease: number;
  /** Set once a write found the run taken over (resumed elsewhere): nothing more is written. */
  private lost = false;

  constructor(
    private readonly owner: RunOwner,
    record: RunRecord,
    private readonly options: RunHandleOptions,
  ) {
    this.id = record.id;
    this.experimentId = record.experimentId;
    this.name = record.name;
    this.kind = record.kind;
    this.elapsedBefore = record.elapsedMs;
    this.lastStep = record.lastStep;
    this.lease = record.heartbeatAt;
    openHere.add(`${owner.path}#${this.id}`);
    registerOpenRun(this);
  }

  /** `running` until finish/fail/kill. */
  get status(): RunStatus {
    return this.ended ?? 'running';
  }

  logParams(params: Record<string, unknown>): void {
    this.owner.logParams(this.id, params);
  }

  logMetrics(step: number, values: Record<string, number>): void {
    this.assertOpen('logMetrics');
    if (!Number.isSafeInteger(step) || step < 0) {
      throw new TrackerError('INVALID_ARGUMENT', `logMetrics: step must be a non-negative integer, got ${describe(step)}`);
    }
    if (values === null || typeof values !== 'object') {
      throw new TrackerError('INVALID_ARGUMENT', `logMetrics: values must be an object of name → number, got ${describe(values)}`);
    }
    const now = Date.now();
    for (const key in values) {
      const v = values[key];
      if (typeof v !== 'number') {
        throw new TrackerError('INVALID_ARGUMENT', `logMetrics: metric "${key}" at step ${step} must be a number, got ${describe(v)}`);
      }
      if (key.length === 0) throw new TrackerError('INVALID_ARGUMENT', `logMetrics: metric names must be non-empty`);
      this.buf.push(key, step, v, now);
    }
    if (this.lastStep === null || step > this.lastStep) this.lastStep = step;
    if (this.buf.length >= this.options.batchSize || now - this.lastFlush >= this.options.flushIntervalMs) this.flush();
  }

  logEvaluation(lambda: Record<string, number>, values: Record<string, number>): void {
    this.owner.logEvaluation(this.id, lambda, values);
  }

  addTags(...tags: string[]): void {
    this.owner.addTags(this.id, tags);
  }

  logArtifact(path: string, kind: string, meta?: unknown): ArtifactRecord {
    return this.owner.logArtifact({ runId: this.id, path, kind, meta });
  }

  /** Writes buffered rows and the heartbeat now. A no-op once the run has ended. */
  flush(): void {
    this.throwDeferred();
    if (this.ended) return;
    this.write(null);
  }

  /** Called by the store's timer: never throws (an error surfaces at the next call instead). */
  tick(): void {
    if (this.ended || this.deferred) return;
    try {
      this.write(null);
    } catch (err) {
      this.deferred = err;
    }
  }

  finish(): void {
    this.end({ status: 'finished', error: null }, 'finish');
  }

  fail(err: unknown): void {
    this.end({ status: 'failed', error: errorMessage(err) }, 'fail');
  }

  /**
   * Used by the process hooks and by store.close(); ending twice is ignored here, and so is a run
   * taken over by another process: it is not ours to end, and there is nothing to record.
   */
  terminate(status: 'killed' | 'failed', message: string): void {
    if (this.ended) return;
    try {
      this.end({ status, error: message }, 'terminate');
    } catch (err) {
      if (!(err instanceof TrackerError && err.code === 'RUN_TAKEN_OVER')) throw err;
    }
  }

  private end(state: EndState, op: string): void {
    if (this.ended) throw new TrackerError('RUN_CLOSED', `${op}: run ${this.id} (${this.name}) has already ended (${this.ended})`);
    try {
      this.write(state);
    } finally {
      // Even if the final write failed, the handle is finished with: the next open's sweep
      // (dead pid or stale heartbeat) records the run as crashed.
      this.ended = state.status;
      openHere.delete(`${this.owner.path}#${this.id}`);
      unregisterOpenRun(this);
      this.owner.releaseRun(this);
    }
  }

  private write(end: EndState | null): void {
    if (this.lost) throw this.takenOver();
    const now = Date.now();
    const ours = this.owner.writer.writeSteps(
      this.id,
      this.buf,
      { now, lease: this.lease, elapsedMs: this.elapsedBefore + (now - this.segmentStart), lastStep: this.lastStep },
      end,
    );
    this.buf.clear();
    this.lastFlush = now;
    if (!ours) {
      this.lost = true;
      throw this.takenOver();
    }
    this.lease = now;
  }

  private takenOver(): TrackerError {
    return new TrackerError(
      'RUN_TAKEN_OVER',
      `run ${this.id} (${this.name}) was taken over (resumed by another process after this one was presumed dead); ` +
        `this handle's steps, heartbeat and end were not recorded`,
    );
  }

  private assertOpen(op: string): void {
    this.throwDeferred();
    if (this.ended) throw new TrackerError('RUN_CLOSED', `${op}: run ${this.id} (${this.name}) has already ended (${this.ended})`);
  }

  private throwDeferred(): void {
    if (this.deferred) {
      const err = this.deferred;
      this.deferred = null;
      throw err;
    }
  }
}
