import type { Progress } from './protocol.js';

export type RowState = 'queued' | 'running' | 'done' | 'reused' | 'stopped' | 'failed';

interface Row {
  id: string;
  label: string;
  state: RowState;
  progress?: Progress;
  note?: string;
}

export interface ProgressOutput {
  write(text: string): unknown;
  isTTY?: boolean;
  columns?: number;
}

export interface ProgressOptions {
  /** Plain mode: seconds between periodic lines for running jobs (default 15). */
  intervalSeconds?: number;
  /** TTY mode: minimum milliseconds between redraws (default 250). */
  redrawMs?: number;
  /** What a progress step counts (default 'steps'; evaluation counts λ 'points'). */
  unit?: string;
  now?: () => number;
}

/**
 * The live display of a run phase: one row per job with step, loss, steps/s and ETA. On a terminal
 * the rows are redrawn in place; otherwise (CI logs, pipes) it prints plain lines — one when a job
 * starts or ends and one per running job every `intervalSeconds` — because cursor movement in a log
 * file is noise.
 */
export class ProgressBoard {
  private readonly rows: Row[] = [];
  private readonly tty: boolean;
  private drawnLines = 0;
  private lastDraw = Number.NEGATIVE_INFINITY;
  private lastPeriodic: number;
  private timer: NodeJS.Timeout | undefined;
  private readonly now: () => number;
  private readonly unit: string;

  constructor(
    private readonly out: ProgressOutput,
    private readonly title: string,
    private readonly options: ProgressOptions = {},
  ) {
    this.tty = Boolean(out.isTTY);
    this.now = options.now ?? Date.now;
    this.unit = options.unit ?? 'steps';
    this.lastPeriodic = this.now();
    if (!this.tty) out.write(`${title}\n`);
  }

  add(id: string, label: string, state: RowState = 'queued', note?: string): void {
    this.rows.push({ id, label, state, note });
    if (!this.tty && state !== 'queued') this.line(this.rows[this.rows.length - 1]);
    this.changed();
  }

  set(id: string, state: RowState, note?: string): void {
    const row = this.row(id);
    if (row.state === state && row.note === note) return;
    row.state = state;
    row.note = note;
    if (!this.tty) this.line(row);
    this.changed(true);
  }

  progress(id: string, p: Progress): void {
    const row = this.row(id);
    row.progress = p;
    // A status note ("loading", "resuming at step 50") describes the time before the first step.
    row.note = undefined;
    if (row.state === 'queued') this.set(id, 'running');
    if (!this.tty) return this.periodic();
    this.changed();
  }

  status(id: string, text: string): void {
    const row = this.row(id);
    row.note = text;
    if (!this.tty) this.line(row);
    this.changed();
  }

  /** Draws the final state and stops the redraw timer. */
  close(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (this.tty) this.draw();
  }

  /** Text of every row as the TTY view shows it (also used by tests). */
  render(): string[] {
    const width = Math.max(...this.rows.map((r) => r.label.length), 4);
    return this.rows.map((r) => `${r.label.padEnd(width)}  ${describe(r, this.unit)}`);
  }

  private row(id: string): Row {
    const row = this.rows.find((r) => r.id === id);
    if (!row) throw new Error(`progress display has no row '${id}'`);
    return row;
  }

  private line(row: Row): void {
    this.out.write(`  ${row.label}  ${describe(row, this.unit)}\n`);
  }

  private periodic(): void {
    const now = this.now();
    if (now - this.lastPeriodic < (this.options.intervalSeconds ?? 15) * 1000) return;
    this.lastPeriodic = now;
    for (const r of this.rows) if (r.state === 'running') this.line(r);
  }

  private changed(immediate = false): void {
    if (!this.tty) return;
    const wait = (this.options.redrawMs ?? 250) - (this.now() - this.lastDraw);
    if (immediate || wait <= 0) return this.draw();
    this.timer ??= setTimeout(() => {
      this.timer = undefined;
      this.draw();
    }, wait);
  }

  private draw(): void {
    this.lastDraw = this.now();
    // A pseudo-terminal without a size reports 0 columns: treat that as unknown, not as zero width.
    const cols = this.out.columns && this.out.columns > 20 ? this.out.columns : 200;
    const lines = [this.title, ...this.render().map((l) => `  ${l}`)].map((l) => (l.length > cols - 1 ? l.slice(0, cols - 1) : l));
    // Move to the first line drawn last time, then rewrite every line, clearing what was there.
    let text = this.drawnLines > 0 ? `\x1b[${this.drawnLines}A\r` : '';
    for (const l of lines) text += `\x1b[2K${l}\n`;
    this.out.write(text);
    this.drawnLines = lines.length;
  }
}

function describe(r: Row, unit: string): string {
  const p = r.progress;
  const note = r.note ? `  ${r.note}` : '';
  switch (r.state) {
    case 'queued':
      return `queued${note}`;
    case 'reused':
      return `finished earlier, reused${note}`;
    case 'failed':
      return `FAILED${note}`;
    case 'stopped':
      return `stopped${p ? ` at step ${p.step}/${p.steps}` : ''}${note}`;
    case 'done':
      return `done${p ? `  ${p.steps} ${unit}  loss ${formatLoss(p.loss)}` : ''}${note}`;
    case 'running':
      if (!p) return r.note ?? 'starting';
      return (
        `${unit === 'steps' ? 'step' : unit} ${String(p.step).padStart(String(p.steps).length)}/${p.steps}  loss ${formatLoss(p.loss)}  ` +
        `${formatRate(p.stepsPerSecond)} ${unit}/s  ETA ${formatDuration(p.etaSeconds)}${note}`
      );
  }
}

function formatRate(v: number): string {
  return v >= 10 ? v.toFixed(0) : v >= 1 ? v.toFixed(1) : v.toFixed(2);
}

function formatLoss(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  return Math.abs(v) >= 1000 || (Math.abs(v) < 0.01 && v !== 0) ? v.toExponential(2) : v.toFixed(2);
}

/** 75 → "1m15s"; 3725 → "1h02m". */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '?';
  const s = Math.round(seconds);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}
