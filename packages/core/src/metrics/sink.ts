/**
 * Where the trainer and evaluator report. core defines it; the tracker implements it; core never
 * imports the tracker.
 */
export interface MetricSink {
  logParams?(params: Record<string, unknown>): void;
  /** Scalar metrics at one training step. NaN/Inf values are passed through, not dropped. */
  logMetrics(step: number, values: Record<string, number>): void;
  /** Held-out evaluation of one coefficient vector. */
  logEvaluation?(lambda: Record<string, number>, values: Record<string, number>): void;
  flush?(): void | Promise<void>;
}

/** Keeps everything in memory; for tests and for callers that post-process. */
export class MemorySink implements MetricSink {
  readonly params: Record<string, unknown> = {};
  readonly steps: { step: number; values: Record<string, number> }[] = [];
  readonly evaluations: { lambda: Record<string, number>; values: Record<string, number> }[] = [];

  logParams(params: Record<string, unknown>): void {
    Object.assign(this.params, params);
  }

  logMetrics(step: number, values: Record<string, number>): void {
    this.steps.push({ step, values: { ...values } });
  }

  logEvaluation(lambda: Record<string, number>, values: Record<string, number>): void {
    this.evaluations.push({ lambda: { ...lambda }, values: { ...values } });
  }

  /** History of one metric as [step, value] pairs. */
  history(key: string): [number, number][] {
    return this.steps.filter((s) => key in s.values).map((s) => [s.step, s.values[key]]);
  }
}

/** Prints a line every `every` steps; plain text, suitable for logs and non-TTY output. */
export class ConsoleSink implements MetricSink {
  constructor(
    private readonly every = 100,
    private readonly write: (line: string) => void = (l) => process.stderr.write(`${l}\n`),
  ) {}

  logMetrics(step: number, values: Record<string, number>): void {
    if (step % this.every !== 0) return;
    const parts = Object.entries(values).map(([k, v]) => `${k}=${formatNumber(v)}`);
    this.write(`step ${step} ${parts.join(' ')}`);
  }

  logEvaluation(lambda: Record<string, number>, values: Record<string, number>): void {
    const l = Object.entries(lambda).map(([k, v]) => `${k}=${formatNumber(v)}`);
    const m = Object.entries(values).map(([k, v]) => `${k}=${formatNumber(v)}`);
    this.write(`eval [${l.join(' ')}] ${m.join(' ')}`);
  }
}

/** Sends everything to several sinks. */
export class TeeSink implements MetricSink {
  constructor(private readonly sinks: MetricSink[]) {}
  logParams(params: Record<string, unknown>): void {
    for (const s of this.sinks) s.logParams?.(params);
  }
  logMetrics(step: number, values: Record<string, number>): void {
    for (const s of this.sinks) s.logMetrics(step, values);
  }
  logEvaluation(lambda: Record<string, number>, values: Record<string, number>): void {
    for (const s of this.sinks) s.logEvaluation?.(lambda, values);
  }
  async flush(): Promise<void> {
    for (const s of this.sinks) await s.flush?.();
  }
}

function formatNumber(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  const a = Math.abs(v);
  return a !== 0 && (a < 1e-3 || a >= 1e5) ? v.toExponential(3) : v.toFixed(4);
}
