/**
 * A separate process that writes to a tracker database, for the multi-process and signal tests.
 * argv: <db> <mode> <run name> <rows> [start at, unix ms: all writers begin together]
 *   write     log <rows> metric rows (4 keys per step) plus evaluations, finish, exit 0
 *   signal    log <rows> rows (kept in the buffer), print "ready", wait to be signalled
 *   throw     log rows, then throw an uncaught error
 *   reject    log rows, then leave a promise rejection unhandled
 *   exit      log rows, then process.exit(3) without finishing
 *   hang      log rows, flush, print "ready", wait (to be killed with SIGKILL)
 */
import { openTracker } from '../store.js';

const [db, mode, name, rowsArg, startAt] = process.argv.slice(2);
const rows = Number(rowsArg);
const tracker = openTracker(db, { batchSize: mode === 'write' ? 200 : 1_000_000, flushIntervalMs: 3_600_000 });
const exp = tracker.ensureExperiment({ name: 'shared' });
const run = tracker.startRun({ experiment: exp.id, name, kind: 'baseline', lambda: { kl: 1 }, gitRevision: null });

if (startAt) await new Promise((r) => setTimeout(r, Math.max(0, Number(startAt) - Date.now())));

const keys = ['loss', 'kl', 'rec', 'lr'];
for (let i = 0; i < rows / keys.length; i++) {
  run.logMetrics(i, { loss: i, kl: i / 2, rec: i * 2, lr: Number.NaN });
}

const ready = () => process.stdout.write('ready\n');
const wait = () => setInterval(() => {}, 1_000);

switch (mode) {
  case 'write':
    for (let j = 0; j < 5; j++) run.logEvaluation({ kl: 2 ** j }, { elbo: -j, kl: j });
    run.finish();
    tracker.close();
    break;
  case 'signal':
    ready();
    wait();
    break;
  case 'throw':
    setTimeout(() => {
      throw new Error('boom in the training loop');
    }, 0);
    wait();
    break;
  case 'reject':
    void Promise.reject(new Error('rejected and never handled'));
    wait();
    break;
  case 'exit':
    process.exit(3);
    break;
  case 'hang':
    run.flush();
    ready();
    wait();
    break;
  default:
    throw new Error(`unknown mode ${mode}`);
}
