import { runUnary } from './elementwise.js';
import type { NativeBody } from './support.js';

/** x², multithreaded (native/elementwise.cc). */
export const square: NativeBody = (addon, { inputs: { x } }, backend) => runUnary(addon, backend, 'Square', x);
