import { runBinary } from './elementwise.js';
import type { NativeBody } from './support.js';

/** aᵇ with tfjs's broadcasting, multithreaded (native/elementwise.cc). */
export const pow: NativeBody = (addon, { inputs: { a, b } }, backend) => runBinary(addon, backend, 'Pow', a, b);
