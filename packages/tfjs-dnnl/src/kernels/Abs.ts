import { runUnary } from './elementwise.js';
import type { NativeBody } from './support.js';

/** |x|, multithreaded (native/elementwise.cc). */
export const abs: NativeBody = (addon, { inputs: { x } }, backend) => runUnary(addon, backend, 'Abs', x);
