import { BlsFactorizedTask } from './bls-task.js';
import { registerCompressionTasksWith } from './register-with.js';

/** Registers 'bls-factorized' in core's task registry (once, even if this module loads twice). */
export function registerCompressionTasks(): void {
  registerCompressionTasksWith((options) => new BlsFactorizedTask(options));
}

registerCompressionTasks();
