import { errorMessage } from './errors.js';

/** Something that must be written down before the process goes away. */
export interface Terminable {
  terminate(status: 'killed' | 'failed', message: string): void;
}

/**
 * Process-wide hooks, installed only while at least one run is open, so that buffered rows reach the
 * database and the run's status tells what happened: SIGINT/SIGTERM → `killed`, an uncaught error
 * (or unhandled rejection) → `failed` with its message, an exit without finish() → `failed`.
 * `kill -9` cannot be caught; the next open marks such runs `crashed`.
 */
const open = new Set<Terminable>();
let installed = false;

const SIGNALS = ['SIGINT', 'SIGTERM'] as const;
type Sig = (typeof SIGNALS)[number];

const onSigint = () => onSignal('SIGINT');
const onSigterm = () => onSignal('SIGTERM');
const signalHandlers: Record<Sig, () => void> = { SIGINT: onSigint, SIGTERM: onSigterm };

function terminateAll(status: 'killed' | 'failed', message: string): void {
  for (const t of [...open]) {
    try {
      t.terminate(status, message);
    } catch (err) {
      // Nothing else can be done this late; say so instead of masking the original cause.
      process.stderr.write(`@yoto/tracker: could not record run end: ${errorMessage(err)}\n`);
    }
  }
}

function onSignal(sig: Sig): void {
  // Counted first: ending the last open run uninstalls our listener.
  const others = process.listenerCount(sig) - (installed ? 1 : 0);
  terminateAll('killed', `received ${sig}`);
  // Our listener replaced Node's default (terminate). If nobody else handles the signal, restore
  // the default and re-raise it so the process still dies by the signal, with the usual exit status.
  uninstall();
  if (others === 0) process.kill(process.pid, sig);
}

function onUncaught(err: unknown): void {
  terminateAll('failed', errorMessage(err));
}

function onExit(code: number): void {
  terminateAll('failed', `process exited (code ${code}) before the run finished`);
}

function install(): void {
  if (installed) return;
  installed = true;
  for (const s of SIGNALS) process.on(s, signalHandlers[s]);
  process.on('uncaughtExceptionMonitor', onUncaught);
  process.on('exit', onExit);
}

function uninstall(): void {
  if (!installed) return;
  installed = false;
  for (const s of SIGNALS) process.off(s, signalHandlers[s]);
  process.off('uncaughtExceptionMonitor', onUncaught);
  process.off('exit', onExit);
}

export function registerOpenRun(t: Terminable): void {
  open.add(t);
  install();
}

export function unregisterOpenRun(t: Terminable): void {
  open.delete(t);
  if (open.size === 0) uninstall();
}
