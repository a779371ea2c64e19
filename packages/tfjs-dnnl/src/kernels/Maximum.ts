import { runBinary } from './elementwise.js';
import type { NativeBody } from './support.js';

/** max(a, b) (NaN wins, as in tfjs) with tfjs's broadcasting, multithreaded (native/elementwise.cc). */
export const maximum: NativeBody = (addon, { inputs: { a, b } }, backend) => runBinary(addon, backend, 'Maximum', a, b);
