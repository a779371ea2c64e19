import { runUnary } from './elementwise.js';
import type { NativeBody } from './support.js';

/** −x, multithreaded (native/elementwise.cc). */
export const neg: NativeBody = (addon, { inputs: { x } }, backend) => runUnary(addon, backend, 'Neg', x);
