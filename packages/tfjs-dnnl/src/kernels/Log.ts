import { runUnary } from './elementwise.js';
import type { NativeBody } from './support.js';

/** ln x, multithreaded (native/elementwise.cc). */
export const log: NativeBody = (addon, { inputs: { x } }, backend) => runUnary(addon, backend, 'Log', x);
