// A worker for the pool's tests: counts steps with a timer instead of training a model.
import { serveJob } from '../worker-host.js';

interface CountPayload {
  steps: number;
  /** Milliseconds per step. */
  delay: number;
}

serveJob({
  count: async (payload: CountPayload, ctx) => {
    const start = Date.now();
    for (let step = 1; step <= payload.steps; step++) {
      // `stopped`, as a train job reports a stop on request: the queue worker then releases the job.
      if (ctx.signal.aborted) return { stopped: true, stoppedAt: step - 1, pid: process.pid };
      await new Promise((r) => setTimeout(r, payload.delay));
      const rate = step / Math.max(1e-3, (Date.now() - start) / 1000);
      ctx.progress({ step, steps: payload.steps, loss: 1 / step, stepsPerSecond: rate, etaSeconds: (payload.steps - step) / rate });
    }
    return { stoppedAt: null, finished: payload.steps, pid: process.pid };
  },
  fail: async () => {
    console.log('about to fail');
    throw new Error('deliberate failure');
  },
  crash: async () => {
    process.stderr.write('crashing hard\n');
    process.exit(7);
  },
});
